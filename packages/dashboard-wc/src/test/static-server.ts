/**
 * Serves the built bundle and test pages from one origin, so the page and the fixture
 * API run on different origins (as in production behind CORS).
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { TEST_BUNDLE_DIR } from './paths.js';

export interface StaticServer {
  url: string;
  /** Registers an HTML page and returns its URL. */
  page(name: string, html: string): string;
  close(): Promise<void>;
}

/** Serves `distDir` (the tests' bundle folder unless given) and the registered pages. */
export async function startStaticServer(distDir: string = TEST_BUNDLE_DIR): Promise<StaticServer> {
  const pages = new Map<string, string>();
  const server = createServer(async (request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (pages.has(pathname)) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(pages.get(pathname));
      return;
    }
    const file = path.join(distDir, path.normalize(pathname).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(distDir)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.map') ? 'application/json' : 'application/octet-stream';
      response.writeHead(200, { 'content-type': type });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    page(name, html) {
      pages.set(`/${name}`, html);
      return `${url}/${name}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A page that loads the self-contained bundle and shows one `<risk-dashboard>` with `attributes`. */
export function dashboardPage(attributes: Record<string, string | true>): string {
  const attrs = Object.entries(attributes)
    .map(([name, value]) => (value === true ? name : `${name}="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`))
    .join(' ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>risk-dashboard test</title>
<style>body { margin: 0; }</style>
<script type="module" src="/risk-dashboard.js"></script>
</head>
<body>
<main><risk-dashboard ${attrs}></risk-dashboard></main>
</body>
</html>`;
}

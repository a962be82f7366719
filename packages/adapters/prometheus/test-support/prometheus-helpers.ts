/**
 * Helpers for integration tests against a real Prometheus (started with the sandbox's
 * `startPrometheus`): free ports, waiting for data, and a proxy that counts requests.
 */
import { createServer, request as httpRequest } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';

/** A free TCP port on 127.0.0.1 (released right before use; fine for tests). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls an instant query until `predicate` holds for its numeric results (or throws after `timeoutMs`). */
export async function waitForQuery(url: string, promql: string, predicate: (values: number[]) => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`).catch(() => undefined);
    if (response?.ok) {
      last = await response.json();
      const result = (last as { data?: { result?: Array<{ value: [number, string] }> } }).data?.result ?? [];
      if (predicate(result.map((item) => Number(item.value[1])))) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${promql}; last answer: ${JSON.stringify(last).slice(0, 300)}`);
}

/** An HTTP proxy that forwards to `targetUrl` and records the path of every request. */
export async function startCountingProxy(targetUrl: string): Promise<{ url: string; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const target = new URL(targetUrl);
  const server = createServer((req, res) => {
    paths.push((req.url ?? '').split('?')[0] ?? '');
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

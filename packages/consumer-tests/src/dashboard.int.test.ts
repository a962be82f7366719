/// <reference lib="dom" />
/**
 * The packed `<risk-dashboard>` as a page author uses it, without a bundler: the repository's plain
 * HTML example (`examples/dashboard-html/index.html`) loads the self-contained bundle installed by
 * `npm install @autoheal/dashboard-wc`, from its own origin, and talks over CORS to the packed
 * `autoheal serve` watching prod/backend in dry-run. Real headless Chromium. The browser does not
 * care which Node serves the page, so this runs once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../test-support/public-packages.js';
import { cleanEnv } from '../test-support/run-command.js';

const { sdkProject, webProject, prometheusUrl, sandbox } = inject('consumer');
const BUNDLE = path.join(webProject, 'node_modules', '@autoheal', 'dashboard-wc', 'dist', 'risk-dashboard.js');
/** Where the example page expects the server and its bundle. */
const EXAMPLE_ORIGIN = 'http://127.0.0.1:8080';

let server: ChildProcess;
let serverUrl: string;
let statics: Server;
let staticUrl: string;
let browser: Browser;

async function startAutoheal(corsOrigin: string): Promise<string> {
  const args = ['serve', 'prod/backend', '--port', '0', '--host', '127.0.0.1', '--dry-run', '--prometheus-url', prometheusUrl, '--kubeconfig', sandbox.kubeconfigPath];
  args.push('--model', 'node_modules/@autoheal/adapter-onnx/models/risk-v1.onnx');
  server = spawn(path.join(sdkProject, 'node_modules', '.bin', 'autoheal'), args, {
    cwd: sdkProject,
    env: cleanEnv({ AUTOHEAL_CORS_ORIGINS: corsOrigin }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`autoheal serve did not start within 60 s:\n${stderr}`)), 60_000);
    server.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-8000);
      const found = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(stderr);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    });
    server.once('exit', (code) => reject(new Error(`autoheal serve exited ${code}:\n${stderr}`)));
  });
}

beforeAll(async () => {
  const example = await readFile(path.join(REPO_ROOT, 'examples', 'dashboard-html', 'index.html'), 'utf8');
  const bundle = await readFile(BUNDLE);
  let page = '';
  statics = createServer((request, response) => {
    if (request.url === '/risk-dashboard.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    else if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    else if (request.url === '/favicon.ico') response.writeHead(204).end();
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => statics.listen(0, '127.0.0.1', resolve));
  staticUrl = `http://127.0.0.1:${(statics.address() as AddressInfo).port}`;
  serverUrl = await startAutoheal(staticUrl);
  // The example's two URLs, edited as its comments tell a page author to: the bundle from this
  // page's own origin, the API from the server.
  const script = `<script type="module" src="${EXAMPLE_ORIGIN}/risk-dashboard.js"></script>`;
  const apiBase = `api-base="${EXAMPLE_ORIGIN}"`;
  if (!example.includes(script) || !example.includes(apiBase)) {
    throw new Error(`examples/dashboard-html/index.html no longer has ${script} and ${apiBase}: update this test with it`);
  }
  page = example.replace(script, '<script type="module" src="/risk-dashboard.js"></script>').replace(apiBase, `api-base="${serverUrl}"`);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  await new Promise((resolve) => statics?.close(resolve));
});

it('the plain HTML example shows prod/backend live from the packed server, with no error in the page', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('requestfailed', (request) => errors.push(`${request.url()}: ${request.failure()?.errorText}`));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.url()}: HTTP ${response.status()}`);
  });
  await page.goto(staticUrl);

  const dashboard = page.locator('risk-dashboard');
  const shownText = () => dashboard.evaluate((element) => element.shadowRoot?.textContent ?? '');
  await expect.poll(() => page.evaluate(() => customElements.get('risk-dashboard') !== undefined)).toBe(true);
  await expect.poll(() => dashboard.evaluate((element) => (element as HTMLElement & { connectionState: string }).connectionState), { timeout: 30_000 }).toBe('live');
  await expect.poll(shownText, { timeout: 60_000 }).toContain('prod/backend');
  const info = (await (await fetch(`${serverUrl}/api/info`)).json()) as { model: { version: string } };
  expect(await shownText()).toContain(info.model.version);
  expect(errors).toEqual([]);
});

it('the packed server serves the same bundle at /risk-dashboard.js as the packed component ships', async () => {
  const response = await fetch(`${serverUrl}/risk-dashboard.js`);
  expect(response.status).toBe(200);
  expect(Buffer.from(await response.arrayBuffer()).equals(await readFile(BUNDLE))).toBe(true);
});

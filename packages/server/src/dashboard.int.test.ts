/// <reference lib="dom" />
/**
 * The dashboard as the server ships it: the server serves the built `<risk-dashboard>` bundle at `/`,
 * a real headless Chromium loads it, and the component shows the server's targets and a decision
 * pushed live over `/api/events` — with open reads, and with closed reads both on the server's own
 * page (sign-in form, session cookie) and embedded on another origin (its token, a stream ticket).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { makeDecisionRecord } from '@autoheal/core/testing';
import { createInMemoryRiskModel } from '@autoheal/core/testing';
import pino from 'pino';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDashboardDir } from './dashboard-assets.js';
import { DecisionHistory } from './decision-history.js';
import { createHttpServer, type HttpServer } from './http/create-http-server.js';
import { createServerMetrics } from './metrics.js';

const chromiumPath = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.warn(`[dashboard] SKIPPED: no Chromium at ${chromiumPath} (apt-get install chromium)`);

describe.skipIf(!hasChromium)('the dashboard served by the server', () => {
  let server: HttpServer;
  let url: string;
  let browser: Browser;
  const history = new DecisionHistory(50);
  const backend = { namespace: 'prod', kind: 'Deployment' as const, name: 'backend' };

  beforeAll(async () => {
    const dashboardDir = findDashboardDir();
    // `npm test` builds the dashboard package before the server's tests (turbo ^build).
    if (!dashboardDir) throw new Error('the dashboard bundle is not built: run npm run build -w @autoheal/dashboard-wc');
    const riskModel = createInMemoryRiskModel({ name: 'risk', version: '1.0.0' });
    history.register(backend);
    history.add(makeDecisionRecord({ target: backend, summary: 'first decision' }));
    server = await createHttpServer({
      host: '127.0.0.1',
      port: 0,
      readOnly: true,
      corsOrigins: [],
      bodyLimitBytes: 65_536,
      threshold: 0.5,
      riskModel,
      thresholdFor: () => 0.5,
      history,
      metrics: createServerMetrics(riskModel),
      logger: pino({ level: 'silent' }),
      info: {
        dryRun: false,
        mode: 'predict-only',
        leaderElection: false,
        policy: { threshold: 0.5, ladder: [{ kind: 'restart' }, { kind: 'cache' }, { kind: 'rollback' }], recheckDelayMs: 120_000, cooldownMs: 120_000, healthyResetMs: 600_000, circuitBreaker: { maxActions: 5, windowMs: 3_600_000 } },
      },
      version: '0.1.0',
      dashboardDir,
    });
    url = await server.start();
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop(1000);
  });

  it('renders the watched targets and takes live decisions from the same origin', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${url}/`);
    const card = page.locator('[part="target-card"][data-key="prod/backend"]');
    await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.locator('[part="status"]').innerText(), { timeout: 15_000 }).toContain('Live');

    const rows = page.locator('[part="log-row"]');
    const before = await rows.count();
    history.add(makeDecisionRecord({ id: 'pushed-over-sse', target: backend, summary: 'pushed over server-sent events' }));
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThan(before);
    // Read-only server: no "Check now" button.
    expect(await page.getByRole('button', { name: /check now/i }).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});

const VIEWER = 'viewer-token-0123456789abcdef';

describe.skipIf(!hasChromium)('the dashboard of a server with closed reads', () => {
  let server: HttpServer;
  let url: string;
  let browser: Browser;
  let embedding: Server;
  let embeddingOrigin: string;
  const history = new DecisionHistory(50);
  const backend = { namespace: 'prod', kind: 'Deployment' as const, name: 'backend' };

  beforeAll(async () => {
    const dashboardDir = findDashboardDir();
    if (!dashboardDir) throw new Error('the dashboard bundle is not built: run npm run build -w @autoheal/dashboard-wc');
    // Another origin (another host name and port) that embeds the component, as a team's portal would.
    const bundle = readFileSync(path.join(dashboardDir, 'risk-dashboard.js'));
    embedding = createServer((request, response) => {
      if (request.url === '/risk-dashboard.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      else response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/risk-dashboard.js"></script><body></body>');
    });
    await new Promise<void>((resolve) => embedding.listen(0, '127.0.0.1', resolve));
    embeddingOrigin = `http://localhost:${(embedding.address() as { port: number }).port}`;

    const riskModel = createInMemoryRiskModel({ name: 'risk', version: '1.0.0' });
    history.register(backend);
    history.add(makeDecisionRecord({ target: backend, summary: 'first decision' }));
    server = await createHttpServer({
      host: '127.0.0.1',
      port: 0,
      readOnly: true,
      readAccess: 'token',
      viewerToken: VIEWER,
      corsOrigins: [embeddingOrigin],
      bodyLimitBytes: 65_536,
      threshold: 0.5,
      riskModel,
      thresholdFor: () => 0.5,
      history,
      metrics: createServerMetrics(riskModel),
      logger: pino({ level: 'silent' }),
      info: {
        dryRun: false,
        mode: 'predict-only',
        leaderElection: false,
        policy: { threshold: 0.5, ladder: [{ kind: 'restart' }, { kind: 'cache' }, { kind: 'rollback' }], recheckDelayMs: 120_000, cooldownMs: 120_000, healthyResetMs: 600_000, circuitBreaker: { maxActions: 5, windowMs: 3_600_000 } },
      },
      version: '0.1.0',
      dashboardDir,
    });
    url = await server.start();
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop(1000);
    await new Promise((resolve) => embedding?.close(resolve));
  });

  it('shows a sign-in form on its own page, then the live dashboard with the session, and the form again after sign-out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));

    await page.goto(`${url}/`);
    await page.getByLabel('Token').fill('not-the-token-0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('That token is not valid here.');
    expect(await page.locator('risk-dashboard').count()).toBe(0);

    await page.getByLabel('Token').fill(VIEWER);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const card = page.locator('[part="target-card"][data-key="prod/backend"]');
    await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.locator('[part="status"]').innerText(), { timeout: 15_000 }).toContain('Live');
    const rows = page.locator('[part="log-row"]');
    const before = await rows.count();
    history.add(makeDecisionRecord({ id: 'pushed-to-the-session', target: backend, summary: 'pushed to a signed-in page' }));
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThan(before);
    expect(requested.some((address) => address.includes(VIEWER))).toBe(false);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Sign in' }).count(), { timeout: 15_000 }).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('embedded on another origin, reads with its token and opens the live stream with a one-time ticket, never the token in a URL', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const requests: Array<{ url: string; authorization: string | undefined }> = [];
    page.on('request', (request) => requests.push({ url: request.url(), authorization: request.headers().authorization }));

    await page.goto(`${embeddingOrigin}/`);
    await page.evaluate(
      ([apiBase, token]) => {
        const element = document.createElement('risk-dashboard') as HTMLElement & { apiBase: string; token: string };
        element.setAttribute('read-only', '');
        document.body.append(element);
        element.apiBase = apiBase!;
        element.token = token!;
      },
      [url, VIEWER],
    );
    const card = page.locator('[part="target-card"][data-key="prod/backend"]');
    await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.locator('[part="status"]').innerText(), { timeout: 15_000 }).toContain('Live');
    const rows = page.locator('[part="log-row"]');
    const before = await rows.count();
    history.add(makeDecisionRecord({ id: 'pushed-to-the-embed', target: backend, summary: 'pushed to an embedded dashboard' }));
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThan(before);

    const toServer = requests.filter((request) => request.url.startsWith(url));
    expect(toServer.find((request) => request.url === `${url}/api/targets`)?.authorization).toBe(`Bearer ${VIEWER}`);
    expect(toServer.some((request) => /\/api\/events\?ticket=v1\./.test(request.url))).toBe(true);
    expect(requests.some((request) => request.url.includes(VIEWER))).toBe(false);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('embedded without a token, says that reads need one', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${embeddingOrigin}/`);
    await page.evaluate((apiBase) => {
      const element = document.createElement('risk-dashboard') as HTMLElement & { apiBase: string };
      document.body.append(element);
      element.apiBase = apiBase;
    }, url);
    await expect.poll(() => page.locator('[part="error"]').innerText(), { timeout: 15_000 }).toContain('reads need a token');
    await context.close();
  }, 60_000);
});

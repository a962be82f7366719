/**
 * The dashboard as the server ships it: the server serves the built `<risk-dashboard>` bundle at `/`,
 * a real headless Chromium loads it, and the component shows the server's targets and a decision
 * pushed live over `/api/events`.
 */
import { existsSync } from 'node:fs';
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

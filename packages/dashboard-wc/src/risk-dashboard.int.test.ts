/**
 * Browser tests of <risk-dashboard>: real headless Chromium loads the self-contained bundle from
 * a static server and talks to a fixture API server on another origin (so CORS is exercised).
 *
 * Longer than ~400 lines on purpose: every browser test shares one Chromium and one static server
 * (started once, here), and a file per area would start one each. The rules themselves are tested
 * without a browser in `dashboard-store.test.ts` and `what-if-state.test.ts`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from './test/browser.js';
import { dashboardPage, startStaticServer, type StaticServer } from './test/static-server.js';
import { CART, FAILING_FEATURES, HEALTHY_FEATURES, fixturePredict, makeRecord, startFixtureServer, type FixtureServer, type FixtureServerOptions } from './test/fixture-server.js';

let browser: Browser;
let statics: StaticServer;
let fixture: FixtureServer | undefined;
let context: BrowserContext | undefined;
let pageCounter = 0;

beforeAll(async () => {
  [browser, statics] = await Promise.all([launchBrowser(), startStaticServer()]);
});

afterAll(async () => {
  await browser?.close();
  await statics?.close();
});

afterEach(async () => {
  await context?.close();
  context = undefined;
  await fixture?.close();
  fixture = undefined;
});

interface Opened {
  page: Page;
  errors: string[];
  /** Custom events the element dispatched, in order. */
  events(): Promise<Array<{ type: string; detail: unknown }>>;
}

async function open(
  attributes: Record<string, string | true> = {},
  fixtureOptions: Partial<FixtureServerOptions> = {},
  viewport = { width: 1280, height: 1000 },
): Promise<Opened> {
  fixture = await startFixtureServer({ allowedOrigin: statics.url, ...fixtureOptions });
  context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.addInitScript(() => {
    const seen: Array<{ type: string; detail: unknown }> = [];
    (window as unknown as { __events: typeof seen }).__events = seen;
    for (const type of ['risk-target-select', 'risk-evaluate', 'risk-connection-change']) {
      document.addEventListener(type, (event) => seen.push({ type, detail: (event as CustomEvent).detail }));
    }
  });
  pageCounter += 1;
  const url = statics.page(`page-${pageCounter}.html`, dashboardPage({ 'api-base': fixture.url, ...attributes }));
  await page.goto(url);
  return {
    page,
    errors,
    events: () => page.evaluate(() => (window as unknown as { __events: Array<{ type: string; detail: unknown }> }).__events),
  };
}

const card = (page: Page, key: string) => page.locator(`[part="target-card"][data-key="${key}"]`);
const status = (page: Page) => page.locator('[part="status"]');
const logRows = (page: Page) => page.locator('[part="log-row"]');

describe('<risk-dashboard> with fixture data', () => {
  it('shows every target with gauge, verdict in words, and unknown distinct from healthy', async () => {
    const { page, errors } = await open();
    const options = page.getByRole('option');
    await expect.poll(() => options.count()).toBe(3);

    const checkout = card(page, 'shop/checkout');
    const latest = fixture!.histories.get('shop/checkout')!.at(-1)!;
    const percent = `${Math.round(latest.assessment.probability! * 100)}%`;
    await expect.poll(() => checkout.locator('[part="verdict"]').innerText()).toContain('At risk');
    expect(await checkout.getByRole('img').getAttribute('aria-label')).toBe(`Risk ${percent} against threshold 70%`);

    expect(await card(page, 'shop/cart').locator('[part="verdict"]').innerText()).toContain('Healthy');

    const ledger = card(page, 'eu-1/payments/ledger');
    const ledgerVerdict = await ledger.locator('[part="verdict"]').innerText();
    expect(ledgerVerdict).toContain('Unknown');
    expect(ledgerVerdict).not.toContain('Healthy');
    // A different glyph, not only a different colour.
    expect(await ledger.locator('.verdict__icon').innerText()).toBe('?');
    expect(await card(page, 'shop/cart').locator('.verdict__icon').innerText()).toBe('✓');
    expect(await ledger.getByRole('img').getAttribute('aria-label')).toMatch(/^Risk unknown: missing feature\(s\): http_5xx_error_rate/);

    // The requests came from the page's origin, through CORS.
    expect(fixture!.requests.some((r) => r.path === '/api/targets' && r.origin === statics.url)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('shows a target that was never evaluated as "no data yet", not as healthy', async () => {
    const { page, errors } = await open({}, { neverEvaluated: true });
    const reports = card(page, 'batch/reports');
    await expect.poll(() => reports.count()).toBe(1);
    const verdict = await reports.locator('[part="verdict"]').innerText();
    expect(verdict).toContain('No data yet');
    expect(verdict).not.toContain('Healthy');
    expect(await reports.locator('.verdict__icon').innerText()).toBe('?');
    expect(await reports.getByRole('img').getAttribute('aria-label')).toBe('No evaluation yet; threshold 70%');
    expect(await reports.getAttribute('aria-label')).toBe('batch/reports: no data yet');
    await reports.click();
    await expect.poll(() => page.locator('[part="signals"]').innerText()).toContain('No evaluation yet.');
    expect(errors).toEqual([]);
  });

  it('shows the seven signals with units, the top contributions and the ladder of the selected target', async () => {
    const { page } = await open();
    const signals = page.locator('[part="signals"]');
    await expect.poll(() => signals.locator('tbody tr').count()).toBe(7);

    const latest = fixture!.histories.get('shop/checkout')!.at(-1)!;
    const expectedTop = latest
      .assessment.contributions!.filter((c) => c.contribution > 0)
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
      .slice(0, 3)
      .map((c) => c.feature)
      .sort();
    const top = await signals.locator('tr.signal--top').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.feature).sort());
    expect(top).toEqual(expectedTop);
    expect(await signals.locator('tr.signal--top .badge--top').count()).toBe(3);
    expect(await signals.locator('tr[data-feature="memory_usage_bytes"]').innerText()).toMatch(/bytes[\s\S]*\d+(\.\d)? (MiB|GiB)/);

    const ladder = page.locator('[part="ladder"]');
    const ladderText = await ladder.innerText();
    expect(ladderText).toContain('Attempt 1 of 3');
    expect(ladderText).toMatch(/Next action\s+clear cache \+ restart \+ scale up/);
    expect(ladderText).toMatch(/Cooldown\s+until \d\d:\d\d:\d\d \(in \d+ (s|min)\)/);
    expect(ladderText).toMatch(/Re-check\s+pending at/);
    expect(ladderText).toMatch(/Circuit breaker\s+closed \(2 of 10 actions in the window\)/);

    // The chart shows the threshold and one marker per heal / kept record of the history.
    const chart = page.locator('[part="chart"]');
    const history = fixture!.histories.get('shop/checkout')!;
    expect(await chart.locator('.chart__action--heal').count()).toBe(history.filter((r) => r.decision === 'heal').length);
    expect(await chart.locator('.chart__action--kept').count()).toBe(history.filter((r) => r.decision === 'kept').length);
    expect(await chart.getAttribute('aria-label')).toContain(`${history.length} evaluations`);
  });

  it('marks missing signals as missing with the reason, and says unknown is not healthy', async () => {
    const { page, events } = await open();
    await card(page, 'eu-1/payments/ledger').click();
    const row = page.locator('[part="signals"] tr[data-feature="http_5xx_error_rate"]');
    await expect.poll(() => row.innerText()).toContain('missing');
    expect(await row.innerText()).toContain('no data: the query returned an empty result');
    expect(await page.locator('.unknown-note').innerText()).toContain('Unknown is not healthy');
    expect((await events()).filter((e) => e.type === 'risk-target-select').map((e) => e.detail)).toEqual([
      { key: 'eu-1/payments/ledger', target: { namespace: 'payments', kind: 'Deployment', name: 'ledger', cluster: 'eu-1' } },
    ]);
  });

  it('lists every decision newest first and expands a row to the full record', async () => {
    const { page } = await open();
    const total = [...fixture!.histories.values()].reduce((sum, h) => sum + h.length, 0);
    await expect.poll(() => page.locator('#log-heading').innerText()).toContain(`(${total}, newest first)`);
    const newest = [...fixture!.histories.values()].flat().sort((a, b) => Date.parse(b.time) - Date.parse(a.time))[0]!;
    const first = logRows(page).first();
    expect(await first.getAttribute('data-id')).toBe(newest.id);
    const toggle = first.getByRole('button');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('true');
    const json = await first.locator('pre').innerText();
    expect(JSON.parse(json)).toEqual(newest);
  });
});

describe('holds', () => {
  it('a paused target shows who paused it and until when on its card, and the badge goes once a record without a hold arrives', async () => {
    const { page, errors } = await open();
    const cart = card(page, 'shop/cart');
    await expect.poll(() => cart.count()).toBe(1);
    expect(await cart.locator('[part="hold"]').count()).toBe(0);
    const until = Date.now() + 2 * 3_600_000;
    const hold = { kind: 'paused' as const, scope: 'target' as const, source: 'annotation autoheal.dev/paused on deployment shop/cart', by: 'alice', until, reason: 'db migration' };

    fixture!.push(makeRecord(CART, Date.now(), HEALTHY_FEATURES, { decision: 'suppressed', suppressedReason: 'paused', holds: [hold], summary: 'shop/cart: paused' }));
    const badge = cart.locator('[part="hold"]');
    await expect.poll(() => badge.count()).toBe(1);

    expect(await badge.innerText()).toMatch(/^Paused by alice until \d\d:\d\d:\d\d$/);
    expect(await badge.getAttribute('data-hold')).toBe('paused');
    expect(await badge.getAttribute('title')).toContain('db migration. mark: annotation autoheal.dev/paused on deployment shop/cart. autoheal looks and records, and takes no step');
    expect(await cart.getAttribute('aria-label')).toContain('Paused by alice until');

    fixture!.push(makeRecord(CART, Date.now() + 1_000, HEALTHY_FEATURES));
    await expect.poll(() => badge.count()).toBe(0);
    expect(errors).toEqual([]);
  });
});

describe('discovered Deployments that are not evaluated', () => {
  it('lists each with what is wrong, and shows no notice when the server lists none', async () => {
    const message = 'annotation autoheal.dev/steps is "restrat": must be restart, cache or rollback; correct it with kubectl annotate';
    const skipped = [{ key: 'pay/ledger', target: { namespace: 'pay', kind: 'Deployment' as const, name: 'ledger' }, reason: 'invalid-overrides' as const, message, origin: 'kubernetes-discovery' }];
    const { page, errors } = await open({}, { skipped });
    const notice = page.locator('[part="skipped"]');
    await expect.poll(() => notice.count()).toBe(1);
    expect(await notice.locator('h3').innerText()).toBe('Not evaluated (1)');
    expect(await notice.locator('[part="skipped-item"][data-key="pay/ledger"]').innerText()).toBe(`pay/ledger: ${message}`);
    expect(errors).toEqual([]);

    await context?.close();
    await fixture?.close();
    const older = await open();
    await expect.poll(() => older.page.getByRole('option').count()).toBeGreaterThan(0);
    expect(await older.page.locator('[part="skipped"]').count()).toBe(0);
  });
});

describe('ladder states', () => {
  it('shows dry run, an open circuit breaker and a hand-off to a human', async () => {
    const { page } = await open({}, { dryRun: true });
    await expect.poll(() => page.locator('[part="header"]').innerText()).toContain('Dry run');
    await expect.poll(() => status(page).innerText()).toContain('Live');
    const checkout = fixture!.histories.get('shop/checkout')!.at(-1)!;
    const handoff = makeRecord(checkout.target, Date.now(), FAILING_FEATURES, {
      decision: 'handoff',
      dryRun: true,
      ladder: { attempt: 3, maxAttempts: 3, nextStep: null },
      circuit: { open: true, actionsInWindow: 10, maxActions: 10 },
      summary: 'shop/checkout: still at risk after the last step; a human is needed',
    });
    fixture!.push(handoff);
    const ladder = page.locator('[part="ladder"]');
    await expect.poll(() => ladder.innerText()).toContain('Attempt 3 of 3');
    const text = await ladder.innerText();
    expect(text).toMatch(/Next action\s+none — ladder exhausted, a human is needed/);
    expect(text).toMatch(/Circuit breaker\s+open — actions paused \(10 of 10 actions in the window\)/);
    expect(text).toContain('Dry run');
    expect(text).toMatch(/Last decision\s+Handed off to a human/);
    expect(await page.locator('[part="chart"] .chart__action--handoff').count()).toBe(1);
  });
});

describe('live updates', () => {
  it('applies a pushed record: the card updates, the log gains a row, at-risk is announced', async () => {
    const { page, events } = await open();
    await expect.poll(() => status(page).innerText()).toContain('Live');
    const before = await logRows(page).count();

    const record = makeRecord(CART, Date.now(), FAILING_FEATURES);
    expect(record.assessment.verdict).toBe('at-risk');
    fixture!.push(record);

    const cart = card(page, 'shop/cart');
    await expect.poll(() => cart.locator('[part="verdict"]').innerText()).toContain('At risk');
    expect(await cart.getByRole('img').getAttribute('aria-label')).toContain(`Risk ${Math.round(record.assessment.probability! * 100)}%`);
    await expect.poll(() => logRows(page).count()).toBe(before + 1);
    expect(await logRows(page).first().getAttribute('data-id')).toBe(record.id);
    expect(await page.locator('[aria-live="assertive"]').innerText()).toContain('shop/cart is at risk');
    expect((await events()).filter((e) => e.type === 'risk-connection-change').map((e) => e.detail)).toEqual([{ connected: true }]);
  });

  it('shows "disconnected — retrying" when the stream drops, reconnects with backoff and catches up', async () => {
    const { page, events, errors } = await open();
    await expect.poll(() => status(page).innerText()).toContain('Live');
    fixture!.refuseStreams = true;
    fixture!.dropStreams();
    await expect.poll(() => status(page).innerText()).toMatch(/Disconnected — retrying in \d+ s/);

    // Sent while the page was away: only the history has it.
    const missed = makeRecord(CART, Date.now(), { ...HEALTHY_FEATURES, cpu_usage_pct: 44 });
    fixture!.store(missed);
    const opened = fixture!.streamsOpened;
    fixture!.refuseStreams = false;
    await expect.poll(() => status(page).innerText(), { timeout: 15_000 }).toContain('Live');
    expect(fixture!.streamsOpened).toBe(opened + 1);
    await expect.poll(() => page.locator(`[part="log-row"][data-id="${missed.id}"]`).count()).toBe(1);
    expect((await events()).filter((e) => e.type === 'risk-connection-change').map((e) => e.detail)).toEqual([
      { connected: true },
      { connected: false },
      { connected: true },
    ]);
    expect(errors).toEqual([]);
  });
});

describe('attributes', () => {
  it('polls every `refresh` seconds while the stream is down', async () => {
    fixture = await startFixtureServer({ allowedOrigin: statics.url });
    fixture.refuseStreams = true;
    context = await browser.newContext();
    const page = await context.newPage();
    pageCounter += 1;
    await page.goto(statics.page(`page-${pageCounter}.html`, dashboardPage({ 'api-base': fixture.url, refresh: '1' })));
    await expect.poll(() => status(page).innerText()).toMatch(/Disconnected — retrying/);
    await expect.poll(() => logRows(page).count()).toBeGreaterThan(0);
    const polled = makeRecord(CART, Date.now(), { ...HEALTHY_FEATURES, cpu_usage_pct: 61 });
    fixture.store(polled);
    await expect.poll(() => page.locator(`[part="log-row"][data-id="${polled.id}"]`).count(), { timeout: 5_000 }).toBe(1);
    expect(await status(page).innerText()).toMatch(/Disconnected — retrying/);
  });

  it('shows only the targets named in `targets` and ignores live records of others', async () => {
    const { page } = await open({ targets: 'shop/cart, eu-1/payments/ledger' });
    await expect.poll(() => page.getByRole('option').count()).toBe(2);
    await expect.poll(() => status(page).innerText()).toContain('Live');
    const rows = await logRows(page).count();
    expect(rows).toBe(fixture!.histories.get('shop/cart')!.length + fixture!.histories.get('eu-1/payments/ledger')!.length);
    fixture!.push(makeRecord({ namespace: 'shop', kind: 'Deployment', name: 'checkout' }, Date.now(), FAILING_FEATURES));
    const shown = makeRecord(CART, Date.now(), FAILING_FEATURES);
    fixture!.push(shown);
    await expect.poll(() => logRows(page).first().getAttribute('data-id')).toBe(shown.id);
    expect(await logRows(page).count()).toBe(rows + 1);
    expect(await page.getByRole('option').count()).toBe(2);
  });

  it('uses properties set right after creating the element from script (as frameworks do)', async () => {
    fixture = await startFixtureServer({ allowedOrigin: statics.url });
    context = await browser.newContext();
    const page = await context.newPage();
    pageCounter += 1;
    await page.goto(statics.page(`page-${pageCounter}.html`, dashboardPage({ id: 'placeholder' })));
    await page.evaluate((apiBase) => {
      document.querySelector('#placeholder')!.remove();
      const element = document.createElement('risk-dashboard');
      document.body.append(element);
      element.apiBase = apiBase;
      element.token = 'secret-token';
    }, fixture.url);
    await page.getByRole('button', { name: 'Check now' }).click();
    await expect.poll(() => fixture!.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/evaluate')).map((r) => r.authorization)).toEqual(['Bearer secret-token']);
    // The data came from api-base, set after the element was connected.
    expect(await page.getByRole('option').count()).toBe(3);
  });

  it('follows the operating system with theme="auto" and can be forced light', async () => {
    fixture = await startFixtureServer({ allowedOrigin: statics.url });
    context = await browser.newContext({ colorScheme: 'dark' });
    const page = await context.newPage();
    const background = (selector: string) =>
      page.evaluate((s) => getComputedStyle(document.querySelector(s)!).backgroundColor, selector);
    pageCounter += 1;
    await page.goto(
      statics.page(
        `page-${pageCounter}.html`,
        `${dashboardPage({ 'api-base': fixture.url, id: 'auto' })}<risk-dashboard id="light" theme="light" api-base="${fixture.url}"></risk-dashboard>`,
      ),
    );
    await expect.poll(() => background('#auto')).toBe('rgb(15, 19, 25)');
    expect(await background('#light')).toBe('rgb(243, 245, 248)');
  });
});

describe('what-if form', () => {
  it('is pre-filled from the latest values, scores edited values and shows the result', async () => {
    const { page } = await open();
    const latest = fixture!.histories.get('shop/checkout')!.at(-1)!;
    const cpu = page.getByLabel(/^cpu_usage_pct/);
    await expect.poll(() => cpu.inputValue()).toBe(String(latest.features.cpu_usage_pct));

    await cpu.fill('12');
    await page.getByLabel(/^restart_count_last_5m/).fill('0');
    await page.getByRole('button', { name: 'Predict' }).click();
    const expected = fixturePredict({ ...(latest.features as Record<string, number>), cpu_usage_pct: 12, restart_count_last_5m: 0 });
    const result = page.locator('.what-if__result');
    await expect.poll(() => result.innerText()).toContain(`${Math.round(expected.probability * 100)}%`);
    expect(await result.innerText()).toContain(expected.verdict === 'at-risk' ? 'At risk' : 'Healthy');
    const sent = JSON.parse(fixture!.requests.find((r) => r.method === 'POST' && r.path === '/predict')!.body);
    expect(sent.cpu_usage_pct).toBe(12);
  });

  it('shows a 400 field error next to the field', async () => {
    const { page } = await open();
    const ratio = page.getByLabel(/^ready_replica_ratio/);
    await expect.poll(() => ratio.inputValue()).not.toBe('');
    await ratio.fill('1.5');
    await page.getByRole('button', { name: 'Predict' }).click();
    const field = page.locator('.field', { has: page.locator('#what-if-ready_replica_ratio') });
    await expect.poll(() => field.locator('.field__error').count()).toBe(1);
    expect(await field.locator('.field__error').innerText()).toContain('must be <= 1 (ratio)');
    expect(await ratio.getAttribute('aria-invalid')).toBe('true');
    // The error is the input's accessible description.
    const describedBy = await ratio.getAttribute('aria-describedby');
    expect(await page.locator(`#${describedBy}`).innerText()).toContain('must be <= 1');
    expect(await page.locator('[part="what-if"] [role="alert"]').innerText()).toContain('Invalid input');
    expect(await page.locator('.field__error').count()).toBe(1);
  });
});

describe('check now', () => {
  it('is hidden with the read-only attribute, without a token, and when the server is read-only', async () => {
    const first = await open({ token: 'secret-token', 'read-only': true });
    await expect.poll(() => first.page.locator('[part="signals"] tbody tr').count()).toBe(7);
    expect(await first.page.getByRole('button', { name: 'Check now' }).count()).toBe(0);
    await context!.close();
    context = undefined;
    await fixture!.close();

    const second = await open({});
    await expect.poll(() => second.page.locator('[part="signals"] tbody tr').count()).toBe(7);
    expect(await second.page.getByRole('button', { name: 'Check now' }).count()).toBe(0);
    expect(await second.page.locator('.check-hint').innerText()).toContain('token');
    await context!.close();
    context = undefined;
    await fixture!.close();

    const third = await open({ token: 'secret-token' }, { readOnly: true });
    await expect.poll(() => third.page.locator('[part="header"]').innerText()).toContain('Read-only');
    expect(await third.page.getByRole('button', { name: 'Check now' }).count()).toBe(0);
  });

  it('sends the bearer token and applies the returned record', async () => {
    const { page, events } = await open({ token: 'secret-token' });
    const button = page.getByRole('button', { name: 'Check now' });
    await button.click();
    await expect.poll(() => page.locator('.check [role="status"]').count()).toBe(1);
    const post = fixture!.requests.find((r) => r.method === 'POST' && r.path === '/api/targets/shop/checkout/evaluate')!;
    expect(post.authorization).toBe('Bearer secret-token');
    expect(post.origin).toBe(statics.url);
    const evaluated = (await events()).filter((e) => e.type === 'risk-evaluate');
    expect(evaluated).toHaveLength(1);
    const record = (evaluated[0]!.detail as { record: { id: string; summary: string } }).record;
    expect(await page.locator('.check [role="status"]').innerText()).toContain(record.summary);
    await expect.poll(() => card(page, 'shop/checkout').locator('[part="verdict"]').innerText()).toContain('Healthy');
    // Sent over the stream too: still one log row for it.
    await expect.poll(() => page.locator(`[part="log-row"][data-id="${record.id}"]`).count()).toBe(1);
  });

  it('shows two targets that differ only by cluster next to plain ones, and checks each at its own URL', async () => {
    const { page, events } = await open({ token: 'secret-token' }, { clusterTwin: true });
    await expect.poll(() => page.getByRole('option').count()).toBe(4);
    expect(await card(page, 'eu-1/payments/ledger').innerText()).toContain('eu-1 · payments');
    expect(await card(page, 'us-1/payments/ledger').innerText()).toContain('us-1 · payments');
    const detailQueries = (path: string) => fixture!.requests.filter((r) => r.method === 'GET' && r.path === path).map((r) => r.query);
    expect(new Set(detailQueries('/api/targets/payments/ledger'))).toEqual(new Set(['?cluster=eu-1', '?cluster=us-1']));
    expect(new Set(detailQueries('/api/targets/shop/cart'))).toEqual(new Set(['']));

    for (const [key, cluster] of [['us-1/payments/ledger', 'us-1'], ['eu-1/payments/ledger', 'eu-1']] as const) {
      await card(page, key).click();
      await expect.poll(() => card(page, key).getAttribute('aria-selected')).toBe('true');
      await page.getByRole('button', { name: 'Check now' }).click();
      await expect.poll(() => page.locator('.check [role="status"]').innerText()).toContain(`${key}: on-demand check`);
      expect(fixture!.requests.filter((r) => r.method === 'POST').at(-1)).toMatchObject({ path: '/api/targets/payments/ledger/evaluate', query: `?cluster=${cluster}` });
    }
    const checked = (await events()).filter((e) => e.type === 'risk-evaluate').map((e) => (e.detail as { record: { target: { cluster?: string } } }).record.target.cluster);
    expect(checked).toEqual(['us-1', 'eu-1']);
    // Each check landed on its own card: both twins now show the on-demand (healthy) record.
    for (const key of ['eu-1/payments/ledger', 'us-1/payments/ledger']) {
      await expect.poll(() => card(page, key).locator('[part="verdict"]').innerText()).toContain('Healthy');
    }
    expect(await page.getByRole('option').count()).toBe(4);
  });

  it('shows a clear error when the token is rejected (401)', async () => {
    const { page, events } = await open({ token: 'wrong' });
    await page.getByRole('button', { name: 'Check now' }).click();
    const alert = page.locator('.check [role="alert"]');
    await expect.poll(() => alert.count()).toBe(1);
    expect(await alert.innerText()).toContain('Not authorised (401)');
    expect(fixture!.requests.find((r) => r.method === 'POST')!.authorization).toBe('Bearer wrong');
    expect((await events()).some((e) => e.type === 'risk-evaluate')).toBe(false);
  });
});

describe('server down', () => {
  it('shows a clear error state and keeps retrying without crashing', async () => {
    // A port that was just free: nothing listens there.
    const probe = await startFixtureServer({ allowedOrigin: statics.url });
    const deadUrl = probe.url;
    await probe.close();
    const { page, errors } = await open({ 'api-base': deadUrl });
    const alert = page.locator('[part="error"]');
    await expect.poll(() => alert.count()).toBe(1);
    expect(await alert.getAttribute('role')).toBe('alert');
    expect(await alert.innerText()).toContain(`cannot reach the autoheal server at ${deadUrl}`);
    await expect.poll(() => status(page).innerText()).toMatch(/Disconnected — retrying/);
    expect(await page.getByRole('button', { name: 'Retry now' }).isVisible()).toBe(true);
    expect(await page.locator('[part="target-card"]').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('says that what it shows may be out of date when the server goes away after loading', async () => {
    const { page, errors } = await open({ refresh: '1' });
    await expect.poll(() => status(page).innerText()).toContain('Live');
    await fixture!.close();
    fixture = undefined;
    await expect.poll(() => status(page).innerText()).toMatch(/Disconnected — retrying/);
    const alert = page.locator('[part="error"]');
    await expect.poll(() => alert.count(), { timeout: 5_000 }).toBe(1);
    expect(await alert.innerText()).toMatch(/What is shown below is from \d\d:\d\d:\d\d and may be out of date/);
    expect(await page.locator('[part="target-card"]').count()).toBe(3);
    expect(errors).toEqual([]);
  });
});

describe('accessibility', () => {
  it('gives every control and image an accessible name', async () => {
    const { page } = await open({ token: 'secret-token' });
    await expect.poll(() => page.locator('[part="signals"] tbody tr').count()).toBe(7);
    await logRows(page).first().getByRole('button').click();
    await expect.poll(() => logRows(page).first().locator('pre').count()).toBe(1);
    const cdp = await context!.newCDPSession(page);
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
      nodes: Array<{ ignored: boolean; role?: { value: string }; name?: { value: string } }>;
    };
    const needName = new Set(['button', 'textbox', 'spinbutton', 'option', 'listbox', 'checkbox', 'link', 'combobox', 'image', 'img', 'form', 'region']);
    const relevant = nodes.filter((node) => !node.ignored && needName.has(node.role?.value ?? ''));
    const roles = new Set(relevant.map((node) => node.role!.value));
    // The check is only meaningful if the tree has these controls at all.
    for (const role of ['button', 'spinbutton', 'option', 'listbox', 'image']) expect(roles).toContain(role);
    const unnamed = relevant.filter((node) => !node.name?.value?.trim()).map((node) => node.role!.value);
    expect(unnamed).toEqual([]);
  });

  it('reaches the target list with Tab, moves with arrows and selects with Enter', async () => {
    const { page, events } = await open();
    await expect.poll(() => page.getByRole('option').count()).toBe(3);
    let focused = '';
    for (let i = 0; i < 10 && focused !== 'option'; i += 1) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.querySelector('risk-dashboard')!.shadowRoot!.activeElement?.getAttribute('role') ?? '');
    }
    expect(focused).toBe('option');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => card(page, 'shop/cart').getAttribute('aria-selected')).toBe('true');
    expect(await card(page, 'shop/checkout').getAttribute('aria-selected')).toBe('false');
    expect((await events()).filter((e) => e.type === 'risk-target-select').map((e) => (e.detail as { key: string }).key)).toEqual(['shop/cart']);
    expect(await page.locator('#detail-heading').innerText()).toBe('shop/cart');

    // The log: arrow keys move between rows, Enter expands one.
    await logRows(page).first().getByRole('button').focus();
    await page.keyboard.press('ArrowDown');
    const second = logRows(page).nth(1);
    const activeId = () => page.evaluate(() => document.querySelector('risk-dashboard')!.shadowRoot!.activeElement?.closest('li')?.dataset.id);
    expect(await activeId()).toBe(await second.getAttribute('data-id'));
    await page.keyboard.press('Enter');
    await expect.poll(() => second.getByRole('button').getAttribute('aria-expanded')).toBe('true');
  });

  it('keeps text contrast at 4.5:1 or more for verdicts and muted text in light and dark themes', async () => {
    for (const theme of ['light', 'dark']) {
      const { page } = await open({ theme });
      await expect.poll(() => page.locator('[part="verdict"]').count()).toBeGreaterThan(3);
      const ratios = await page.evaluate(() => {
        const parse = (color: string) => (color.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
        const luminance = ([r, g, b]: number[]) => {
          const channel = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
          return 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
        };
        const contrast = (a: string, b: string) => {
          const [l1, l2] = [luminance(parse(a)), luminance(parse(b))].sort((x, y) => y - x);
          return (l1! + 0.05) / (l2! + 0.05);
        };
        const root = document.querySelector('risk-dashboard')!.shadowRoot!;
        const out: Record<string, number> = {};
        for (const selector of ['.verdict--healthy', '.verdict--at-risk', '.verdict--unknown', '.card .muted']) {
          const element = root.querySelector(selector)!;
          const style = getComputedStyle(element);
          let background = style.backgroundColor;
          // Transparent text backgrounds sit on the card's surface.
          if (background === 'rgba(0, 0, 0, 0)') background = getComputedStyle(element.closest('.card')!).backgroundColor;
          out[selector] = contrast(style.color, background);
        }
        return out;
      });
      for (const [selector, ratio] of Object.entries(ratios)) expect(ratio, `${theme} ${selector}`).toBeGreaterThanOrEqual(4.5);
      await context!.close();
      context = undefined;
      await fixture!.close();
      fixture = undefined;
    }
  });
});

describe('examples/dashboard-html', () => {
  it('works as shipped, with the server URL swapped for the fixture and the token taken from the URL fragment', async () => {
    const { readFile } = await import('node:fs/promises');
    const example = await readFile(new URL('../../../examples/dashboard-html/index.html', import.meta.url), 'utf8');
    expect(example).toContain('src="http://127.0.0.1:8080/risk-dashboard.js"');
    expect(example).toContain('api-base="http://127.0.0.1:8080"');
    fixture = await startFixtureServer({ allowedOrigin: statics.url });
    const html = example
      .replace('http://127.0.0.1:8080/risk-dashboard.js', '/risk-dashboard.js')
      .replace('api-base="http://127.0.0.1:8080"', `api-base="${fixture.url}"`);
    context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${statics.page('example.html', html)}#token=secret-token`);
    await page.getByRole('button', { name: 'Check now' }).click();
    await expect.poll(() => fixture!.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/evaluate')).map((r) => r.authorization)).toEqual(['Bearer secret-token']);
    expect(await page.locator('risk-dashboard').getAttribute('token')).toBeNull();
    expect(new URL(page.url()).hash).toBe('');
    expect(errors).toEqual([]);
  });
});

describe('phone width', () => {
  it('has no horizontal overflow at 360 px, also with a log record expanded', async () => {
    const { page } = await open({ token: 'secret-token' }, {}, { width: 360, height: 780 });
    await expect.poll(() => page.locator('[part="signals"] tbody tr').count()).toBe(7);
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBe(0);
    await logRows(page).first().getByRole('button').click();
    await expect.poll(() => logRows(page).first().locator('pre').count()).toBe(1);
    expect(await overflow()).toBe(0);
    // The layout really is one column: the detail panel sits below the list.
    const list = await page.locator('[part="target-list"]').boundingBox();
    const detail = await page.locator('[part="detail"]').boundingBox();
    expect(detail!.y).toBeGreaterThan(list!.y + list!.height - 1);
    expect(list!.width).toBeLessThanOrEqual(360);
  });
});

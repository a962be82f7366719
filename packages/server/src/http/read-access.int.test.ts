/**
 * Read access control against the real server on loopback: with `readAccess: token` every read
 * (the API, the event stream, the dashboard page) needs a read token, a session cookie or — for the
 * stream — a one-time ticket; the open routes stay open; `/metrics` follows its own token.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInMemoryRiskModel, makeDecisionRecord } from '@autoheal/core/testing';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TARGET, startTestHttpServer, type TestHttpServer } from '../../test-support/http-server.js';
import { validateConfig } from '../config/load-config.js';
import { startServer } from '../serve.js';

const VIEWER = 'viewer-token-0123456789abcdef';
const API = 'api-token-0123456789abcdef01';
const METRICS = 'metrics-token-0123456789abcd';
const READS = ['/api/info', '/api/targets', '/api/targets/prod/backend', '/api/events'];

let server: TestHttpServer | undefined;
let dashboardDir: string;
beforeAll(async () => {
  dashboardDir = await mkdtemp(path.join(tmpdir(), 'autoheal-dashboard-'));
  await writeFile(path.join(dashboardDir, 'risk-dashboard.js'), 'customElements.define("risk-dashboard", class extends HTMLElement {});');
});
afterAll(() => rm(dashboardDir, { recursive: true, force: true }));
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const closed = (extra: Record<string, unknown> = {}) => startTestHttpServer({ readAccess: 'token', viewerToken: VIEWER, apiToken: API, dashboardDir, ...extra });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** GETs `url` and, for an event stream, reads until the first event then stops. */
async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal, redirect: 'manual' });
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) return { status: response.status, text: await response.text(), headers: response.headers };
  const reader = response.body!.getReader();
  let text = '';
  while (!text.includes('event: decision')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
  }
  controller.abort();
  return { status: response.status, text, headers: response.headers };
}

/** Sends a record to the live stream every 100 ms while `run` runs, so a stream test sees one. */
async function withRecords<T>(run: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => server!.history.add(makeDecisionRecord({ target: TEST_TARGET })), 100);
  try {
    return await run();
  } finally {
    clearInterval(timer);
  }
}

describe('open reads (the default)', () => {
  it('answers every read without a token', async () => {
    server = await startTestHttpServer({ apiToken: API, dashboardDir });
    for (const route of ['/api/info', '/api/targets', '/']) expect((await get(`${server.url}${route}`)).status, route).toBe(200);
    expect((await withRecords(() => get(`${server!.url}/api/events`))).text).toContain('event: decision');
    expect(await (await fetch(`${server.url}/api/events/tickets`, { method: 'POST' })).json()).toEqual({ ticket: null, expiresAt: null });
  });
});

describe('closed reads (readAccess: token)', () => {
  it('answers 401 to anonymous reads, naming what to send, and keeps the open routes open', async () => {
    server = await closed();
    for (const route of READS) {
      const answer = await get(`${server.url}${route}`);
      expect(answer.status, route).toBe(401);
      expect(answer.headers.get('www-authenticate'), route).toBe('Bearer');
      expect(JSON.parse(answer.text).message, route).toContain('send the viewer or API token as "Authorization: Bearer <token>"');
    }
    for (const route of ['/healthz', '/readyz', '/openapi.json', '/risk-dashboard.js', '/metrics']) expect((await get(`${server.url}${route}`)).status, route).toBe(200);
    const predict = await fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(predict.status).toBe(400); // judged on its body, not refused for a token
    expect((await get(`${server.url}/api/nothing-here`)).status).toBe(404);
  });

  it('answers reads with the viewer token or the API token; only the API token mutates', async () => {
    server = await closed();
    for (const token of [VIEWER, API]) for (const route of READS.slice(0, 3)) expect((await get(`${server.url}${route}`, bearer(token))).status, `${route} ${token}`).toBe(200);
    expect((await get(`${server.url}/api/targets`, bearer('not-the-token-0123456789'))).status).toBe(401);
    const evaluate = (token: string) => fetch(`${server!.url}/api/targets/prod/backend/evaluate`, { method: 'POST', headers: bearer(token) });
    expect((await evaluate(VIEWER)).status).toBe(401);
    expect((await evaluate(API)).status).toBe(200);
    expect((await fetch(`${server.url}/api/targets/prod/backend/evaluate`, { method: 'POST' })).status).toBe(401);
  });

  it('opens the event stream with a bearer token, or with a ticket that works once', async () => {
    server = await closed();
    expect((await withRecords(() => get(`${server!.url}/api/events`, bearer(VIEWER)))).text).toContain('event: decision');
    expect((await fetch(`${server.url}/api/events/tickets`, { method: 'POST' })).status).toBe(401);
    const issued = (await (await fetch(`${server.url}/api/events/tickets`, { method: 'POST', headers: bearer(VIEWER) })).json()) as { ticket: string; expiresAt: string };
    expect(issued.ticket).not.toContain(VIEWER);

    const stream = await withRecords(() => get(`${server!.url}/api/events?ticket=${encodeURIComponent(issued.ticket)}`));
    const again = await get(`${server.url}/api/events?ticket=${encodeURIComponent(issued.ticket)}`);
    const onAnotherRoute = await get(`${server.url}/api/targets?ticket=${encodeURIComponent((await (await fetch(`${server.url}/api/events/tickets`, { method: 'POST', headers: bearer(VIEWER) })).json() as { ticket: string }).ticket)}`);

    expect(stream.status).toBe(200);
    expect(stream.text).toContain('event: decision');
    expect(again.status).toBe(401);
    expect(JSON.parse(again.text).message).toContain('a ticket from POST /api/events/tickets');
    expect(onAnotherRoute.status).toBe(401);
  });

  it('signs the dashboard page in with a token form, then reads with the session cookie until sign-out', async () => {
    server = await closed();
    const anonymous = await get(`${server.url}/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).toContain('<form method="post" action="/auth/session">');
    expect(anonymous.text).not.toContain('<risk-dashboard');

    const signIn = (token: string) => fetch(`${server!.url}/auth/session`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
    const refused = await signIn('not-the-token-0123456789');
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('That token is not valid here.');
    expect(refused.headers.get('set-cookie')).toBeNull();

    const signedIn = await signIn(VIEWER);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/');
    const setCookie = signedIn.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^autoheal_session=v1\.\d+\.[\w-]+;/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).not.toContain('Secure'); // plain HTTP here; behind TLS (or X-Forwarded-Proto: https) it is Secure
    expect(setCookie).not.toContain(VIEWER);
    const cookie = { cookie: setCookie.split(';')[0]! };

    const page = await get(`${server.url}/`, cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<risk-dashboard');
    expect(page.text).toContain('action="/auth/sign-out"');
    expect((await get(`${server.url}/api/targets`, cookie)).status).toBe(200);
    expect((await withRecords(() => get(`${server!.url}/api/events`, cookie))).text).toContain('event: decision');
    expect((await get(`${server.url}/api/targets`, { cookie: cookie.cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) })).status).toBe(401);
    // A cookie grants reads, never a mutation (a form on another site could send it).
    expect((await fetch(`${server.url}/api/targets/prod/backend/evaluate`, { method: 'POST', headers: cookie })).status).toBe(401);

    const signedOut = await fetch(`${server.url}/auth/sign-out`, { method: 'POST', headers: cookie, redirect: 'manual' });
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.get('set-cookie')).toMatch(/^autoheal_session=; Max-Age=0;/);
  });

  it('marks the session cookie Secure behind a TLS-terminating proxy', async () => {
    server = await closed();
    const signedIn = await fetch(`${server.url}/auth/session`, { method: 'POST', headers: { 'x-forwarded-proto': 'https' }, body: new URLSearchParams({ token: API }), redirect: 'manual' });
    expect(signedIn.headers.get('set-cookie')).toContain('; Secure');
  });
});

describe('/metrics', () => {
  it('stays open when reads are closed and no metrics token is set; with one, it needs that token (or a read token)', async () => {
    server = await closed();
    expect((await get(`${server.url}/metrics`)).status).toBe(200);
    await server.stop();

    server = await closed({ metricsToken: METRICS });
    const anonymous = await get(`${server.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.text).message).toContain('/metrics needs the metrics token');
    expect((await get(`${server.url}/metrics`, bearer('not-the-token-0123456789'))).status).toBe(401);
    expect((await get(`${server.url}/metrics`, bearer(METRICS))).text).toContain('autoheal_');
    expect((await get(`${server.url}/metrics`, bearer(VIEWER))).status).toBe(200);
    // The metrics token reads nothing else.
    expect((await get(`${server.url}/api/targets`, bearer(METRICS))).status).toBe(401);
  });
});

describe('autoheal serve', () => {
  it('closes reads when the config has a viewer token', async () => {
    const config = validateConfig({ server: { port: 0, dashboard: false, viewerToken: VIEWER, metricsToken: METRICS }, log: { level: 'silent' } });
    const running = await startServer(config, pino({ level: 'silent' }), { riskModel: createInMemoryRiskModel() });
    try {
      expect((await get(`${running.url}/api/info`)).status).toBe(401);
      expect((await get(`${running.url}/api/info`, bearer(VIEWER))).status).toBe(200);
      expect((await get(`${running.url}/metrics`)).status).toBe(401);
      expect((await get(`${running.url}/metrics`, bearer(METRICS))).status).toBe(200);
    } finally {
      await running.stop();
    }
  });
});

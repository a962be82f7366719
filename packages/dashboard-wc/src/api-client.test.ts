/** The API client against the fixture server, in Node (the browser tests cover the event stream). */
import { serverInfoSchema } from '@autoheal/core';
import { afterEach, describe, expect, it } from 'vitest';
import { AutohealApiError, createAutohealClient } from './api-client.js';
import { CART, FAILING_FEATURES, LEDGER, LEDGER_US, fixturePredict, startFixtureServer, type FixtureServer } from './test/fixture-server.js';

let fixture: FixtureServer | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('createAutohealClient', () => {
  it('reads info, targets and one target with its history', async () => {
    fixture = await startFixtureServer({ allowedOrigin: 'http://127.0.0.1' });
    const client = createAutohealClient({ baseUrl: `${fixture.url}/` });
    const [info, targets, detail] = await Promise.all([client.info(), client.targets(), client.target('shop', 'checkout')]);
    expect(info.featureNames).toHaveLength(7);
    // The fixture stands in for the real server: its answer follows the one declaration of the contract.
    expect(serverInfoSchema.safeParse(info).error).toBeUndefined();
    expect(targets.map((t) => t.key)).toEqual([...fixture.histories.keys()]);
    expect(detail.history.map((r) => r.id)).toEqual(fixture.histories.get('shop/checkout')!.map((r) => r.id));
    // The trailing slash of baseUrl was not doubled.
    expect(fixture.requests.every((r) => !r.path.startsWith('//'))).toBe(true);
  });

  it('reads the whole target list: the skipped Deployments and the not-opted-in count, empty from a server older than them', async () => {
    const skipped = [{ key: 'pay/ledger', target: { namespace: 'pay', kind: 'Deployment' as const, name: 'ledger' }, reason: 'invalid-overrides' as const, message: 'bad annotation', origin: 'kubernetes-discovery' }];
    fixture = await startFixtureServer({ allowedOrigin: 'http://127.0.0.1', skipped });
    const list = await createAutohealClient({ baseUrl: fixture.url }).targetList();
    expect(list.skipped).toEqual(skipped);
    expect(list.notOptedIn).toBe(3);
    expect(list.targets.map((t) => t.key)).toEqual([...fixture.histories.keys()]);
    await fixture.close();

    fixture = await startFixtureServer({ allowedOrigin: 'http://127.0.0.1' });
    expect(await createAutohealClient({ baseUrl: fixture.url }).targetList()).toMatchObject({ skipped: [], notOptedIn: 0 });
  });

  it('names a target in a cluster with ?cluster=, and keeps the plain URL for one without', async () => {
    fixture = await startFixtureServer({ allowedOrigin: 'http://127.0.0.1', token: 't0k', clusterTwin: true });
    const client = createAutohealClient({ baseUrl: fixture.url, token: 't0k' });

    const [eu, us, plain] = await Promise.all([client.target(LEDGER), client.target(LEDGER_US), client.target(CART)]);
    const checked = await client.evaluate(LEDGER_US);

    expect([eu.key, us.key, plain.key]).toEqual(['eu-1/payments/ledger', 'us-1/payments/ledger', 'shop/cart']);
    expect(checked.target).toEqual(LEDGER_US);
    const seen = fixture.requests.map((r) => `${r.method} ${r.path}${r.query}`);
    expect(seen).toEqual(
      expect.arrayContaining(['GET /api/targets/payments/ledger?cluster=eu-1', 'GET /api/targets/payments/ledger?cluster=us-1', 'GET /api/targets/shop/cart', 'POST /api/targets/payments/ledger/evaluate?cluster=us-1']),
    );
  });

  it('URL-encodes a cluster name', async () => {
    const seen: string[] = [];
    const client = createAutohealClient({
      baseUrl: 'http://autoheal.example',
      fetch: async (url) => (seen.push(String(url)), new Response('{"key":"k"}', { status: 200 })),
    });

    await client.target({ namespace: 'payments', name: 'ledger', cluster: 'us/east 1&x' });

    expect(seen).toEqual(['http://autoheal.example/api/targets/payments/ledger?cluster=us%2Feast%201%26x']);
  });

  it('sends the bearer token on evaluate and reports 401 and 403 as typed errors', async () => {
    fixture = await startFixtureServer({ allowedOrigin: 'http://127.0.0.1', token: 't0k' });
    const record = await createAutohealClient({ baseUrl: fixture.url, token: 't0k' }).evaluate('shop', 'cart');
    expect(record.target.name).toBe('cart');
    expect(fixture.requests.at(-1)!.authorization).toBe('Bearer t0k');

    const denied = await createAutohealClient({ baseUrl: fixture.url }).evaluate('shop', 'cart').catch((e: unknown) => e);
    expect(AutohealApiError.isInstance(denied)).toBe(true);
    expect(denied).toMatchObject({ status: 401, code: 'unauthorized' });
    await fixture.close();

    fixture = await startFixtureServer({ allowedOrigin: 'http://127.0.0.1', token: 't0k', readOnly: true });
    const refused = await createAutohealClient({ baseUrl: fixture.url, token: 't0k' }).evaluate('shop', 'cart').catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 403, code: 'read-only' });
  });

  it('sends the token with the reads too (a server with closed reads needs it), and no header without one', async () => {
    fixture = await startFixtureServer({ allowedOrigin: 'http://127.0.0.1' });
    await createAutohealClient({ baseUrl: fixture.url, token: 'v13w3r' }).targets();
    await createAutohealClient({ baseUrl: fixture.url, token: 'v13w3r' }).info();
    await createAutohealClient({ baseUrl: fixture.url }).targets();
    expect(fixture.requests.map((r) => [r.path, r.authorization])).toEqual([
      ['/api/targets', 'Bearer v13w3r'],
      ['/api/info', 'Bearer v13w3r'],
      ['/api/targets', undefined],
    ]);
  });

  it('returns predictions and carries the field errors of a 400', async () => {
    fixture = await startFixtureServer({ allowedOrigin: 'http://127.0.0.1' });
    const client = createAutohealClient({ baseUrl: fixture.url });
    expect(await client.predict(FAILING_FEATURES)).toEqual(fixturePredict(FAILING_FEATURES));
    const error = await client.predict({ ...FAILING_FEATURES, cpu_usage_pct: -1, http_5xx_error_rate: null }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: 'invalid-request' });
    expect((error as AutohealApiError).fields).toEqual([
      { path: 'cpu_usage_pct', message: 'must be >= 0 (percent of one core)' },
      { path: 'http_5xx_error_rate', message: 'must be a number' },
    ]);
  });

  it('reports an unreachable server as a network error with status 0', async () => {
    fixture = await startFixtureServer({ allowedOrigin: 'http://127.0.0.1' });
    const url = fixture.url;
    await fixture.close();
    fixture = undefined;
    const error = await createAutohealClient({ baseUrl: url }).targets().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0, code: 'network' });
    expect((error as Error).message).toContain(`cannot reach the autoheal server at ${url}`);
  });

  it('reports a server that never answers as a timeout', async () => {
    const { createServer } = await import('node:net');
    const sockets: Array<{ destroy(): void }> = [];
    // Accepts connections and never says anything.
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const error = await createAutohealClient({ baseUrl: `http://127.0.0.1:${port}` })
        .targets(AbortSignal.timeout(200))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 0, code: 'timeout' });
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

describe('the self-contained bundle', () => {
  it('registers <risk-dashboard> and contains neither zod nor bare imports', async () => {
    const { readFile } = await import('node:fs/promises');
    const path = await import('node:path');
    const { TEST_BUNDLE_DIR } = await import('./test/paths.js');
    // Built by the global setup with the same esbuild options as dist/risk-dashboard.js.
    const bundle = await readFile(path.join(TEST_BUNDLE_DIR, 'risk-dashboard.js'), 'utf8');
    expect(bundle).toContain('risk-dashboard');
    expect(bundle).toMatch(/customElements\.define/);
    expect(bundle).not.toMatch(/\bzod\b/);
    // A browser cannot resolve bare specifiers such as "lit": everything must be inside.
    expect(bundle).not.toMatch(/^import\s|\bimport\s*\(?\s*["'](?!\.)/m);
  });
});

/**
 * The HTTP behaviour of the feature source against small local servers that answer like
 * Prometheus would: retries on 503, none on 400, auth and extra headers, path prefix, timeouts,
 * aborts, and the error when nothing answers.
 */
import { AdapterError, AutohealError, ConfigError, type TargetRef } from '@autoheal/core';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../test-support/prometheus-helpers.js';
import { createPrometheusFeatureSource } from './prometheus-feature-source.js';

const backend: TargetRef = { namespace: 'prod', kind: 'Deployment', name: 'backend' };

interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** Starts a server whose handler gets the n-th request (0-based) and everything seen so far. */
async function startFakePrometheus(handler: (request: SeenRequest, index: number, res: ServerResponse) => void): Promise<{ url: string; seen: SeenRequest[] }> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = { method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '', headers: req.headers, body };
      seen.push(request);
      handler(request, seen.length - 1, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** A successful vector answer with one series for prod/backend. */
function vectorAnswer(res: ServerResponse, value: string): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { namespace: 'prod', deployment: 'backend' }, value: [1, value] }] } }));
}

// Own queries (one grouped query each), so the HTTP behaviour is tested apart from the signal bundles.
const oneFeature = { featureNames: ['memory_usage_bytes'], queries: { memory_usage_bytes: 'my_memory{ {{selector}} }' } };

describe('Prometheus HTTP behaviour', () => {
  it('retries a 503 and uses the answer that follows', async () => {
    const fake = await startFakePrometheus((_request, index, res) => {
      if (index === 0) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'starting' }));
        return;
      }
      vectorAnswer(res, '1234');
    });
    const source = createPrometheusFeatureSource({ url: fake.url, retryBaseDelayMs: 10, ...oneFeature });
    const observation = await source.collect(backend);
    await source.close();
    expect(observation.values.memory_usage_bytes).toBe(1234);
    expect(fake.seen).toHaveLength(2);
  });

  it('gives up after the retry bound and reports the feature missing with the status', async () => {
    const fake = await startFakePrometheus((_request, _index, res) => {
      res.writeHead(502).end('bad gateway');
    });
    const source = createPrometheusFeatureSource({ url: fake.url, retries: 2, retryBaseDelayMs: 5, featureNames: ['memory_usage_bytes', 'unavailable_replicas'], queries: { memory_usage_bytes: 'my_memory', unavailable_replicas: 'vector(1)' } });
    // Every query fails: the collection as a whole fails.
    const error = await source.collect(backend).catch((caught: unknown) => caught);
    await source.close();
    expect(fake.seen).toHaveLength(6); // 2 queries x (1 + 2 retries)
    expect(AdapterError.isInstance(error)).toBe(true);
    // One hint, the HTTP client's for the status (the collection adds none of its own on top).
    expect((error as Error).message).toMatch(/^\[autoheal\] \[prometheus\] every query to Prometheus at http:\/\/127\.0\.0\.1:\d+ failed.*HTTP 502.*is failing or overloaded; it was retried\.$/);
  });

  it('does not retry a 400 and names the feature and its query', async () => {
    const fake = await startFakePrometheus((request, _index, res) => {
      if (new URLSearchParams(request.body).get('query')?.includes('broken(')) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error: unexpected end of input' }));
        return;
      }
      vectorAnswer(res, '7');
    });
    const source = createPrometheusFeatureSource({
      url: fake.url,
      featureNames: ['memory_usage_bytes', 'cpu_usage_pct'],
      queries: { memory_usage_bytes: 'my_memory', cpu_usage_pct: 'broken(' },
    });
    const observation = await source.collect(backend);
    await source.close();
    expect(fake.seen).toHaveLength(2);
    expect(observation.values.memory_usage_bytes).toBe(7);
    expect(observation.values.cpu_usage_pct).toBeNull();
    expect(observation.missing).toEqual([
      { feature: 'cpu_usage_pct', kind: 'failed', reason: expect.stringMatching(/^query of cpu_usage_pct failed: .*bad_data: parse error.*Query: broken\($/) },
    ]);
  });

  it('sends bearer auth, extra headers and the path prefix, as a POST form', async () => {
    const fake = await startFakePrometheus((_request, _index, res) => vectorAnswer(res, '1'));
    const source = createPrometheusFeatureSource({
      url: `${fake.url}/`,
      pathPrefix: '/prometheus/',
      auth: { type: 'bearer', token: 's3cret-token' },
      headers: { 'X-Scope-OrgID': 'tenant-1' },
      ...oneFeature,
    });
    await source.collect(backend);
    await source.close();
    const [request] = fake.seen;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/prometheus/api/v1/query');
    expect(request?.headers.authorization).toBe('Bearer s3cret-token');
    expect(request?.headers['x-scope-orgid']).toBe('tenant-1');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(request?.body);
    expect(form.get('query')).toBe('my_memory{ namespace="prod" }');
    expect(Number(form.get('time'))).toBeGreaterThan(1_600_000_000);
  });

  it('sends basic auth with GET when asked', async () => {
    const fake = await startFakePrometheus((_request, _index, res) => vectorAnswer(res, '1'));
    const source = createPrometheusFeatureSource({ url: fake.url, method: 'GET', auth: { type: 'basic', username: 'reader', password: 'pw' }, ...oneFeature });
    await source.collect(backend);
    await source.close();
    expect(fake.seen[0]?.method).toBe('GET');
    expect(fake.seen[0]?.headers.authorization).toBe(`Basic ${Buffer.from('reader:pw').toString('base64')}`);
  });

  it('does not put credentials in errors', async () => {
    const fake = await startFakePrometheus((_request, _index, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'unauthorized', error: 'bad token' }));
    });
    const source = createPrometheusFeatureSource({ url: fake.url, auth: { type: 'bearer', token: 's3cret-token' }, ...oneFeature });
    const error = await source.collect(backend).catch((caught: unknown) => caught);
    await source.close();
    expect((error as Error).message).toMatch(/Check the auth option/);
    expect((error as Error).message).not.toContain('s3cret-token');
  });

  it('honours timeoutMs', async () => {
    const fake = await startFakePrometheus(() => {
      // never answers
    });
    const source = createPrometheusFeatureSource({ url: fake.url, timeoutMs: 200, retries: 0, ...oneFeature });
    const started = Date.now();
    const error = await source.collect(backend).catch((caught: unknown) => caught);
    await source.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect((error as Error).message).toMatch(/timed out after 200 ms/);
  });

  it('stops when the caller aborts', async () => {
    const fake = await startFakePrometheus(() => {
      // never answers
    });
    const source = createPrometheusFeatureSource({ url: fake.url, ...oneFeature });
    const controller = new AbortController();
    const pending = source.collect(backend, { signal: controller.signal }).catch((caught: unknown) => caught);
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    const error = await pending;
    await source.close();
    expect(AutohealError.isInstance(error) && error.code).toBe('ABORTED');
  });

  it('says where it looked when nothing listens', async () => {
    const port = await freePort();
    const source = createPrometheusFeatureSource({ url: `http://127.0.0.1:${port}`, retries: 1, retryBaseDelayMs: 5 });
    const error = await source.collect(backend).catch((caught: unknown) => caught);
    await source.close();
    expect(AdapterError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(`Is Prometheus running at http://127.0.0.1:${port}?`);
  });

  it('pings /-/ready, and falls back to buildinfo', async () => {
    const fake = await startFakePrometheus((request, _index, res) => {
      if (request.path === '/-/ready') res.writeHead(404).end();
      else res.writeHead(200).end('{}');
    });
    const source = createPrometheusFeatureSource({ url: fake.url });
    await source.ping();
    await source.close();
    expect(fake.seen.map((request) => request.path)).toEqual(['/-/ready', '/api/v1/status/buildinfo']);
  });

  it('rejects invalid options with a ConfigError naming the field', () => {
    expect(() => createPrometheusFeatureSource({ url: 'not a url' })).toThrow(ConfigError);
    expect(() => createPrometheusFeatureSource({ url: 'not a url' })).toThrow(/^\[autoheal\] \[prometheus\] invalid Prometheus feature source options: url: must be an http\(s\) URL/);
    expect(() => createPrometheusFeatureSource({ url: 'http://127.0.0.1:9090', rateWindow: '2 minutes' })).toThrow(/rateWindow: must be a PromQL duration/);
    expect(() => createPrometheusFeatureSource({ url: 'http://127.0.0.1:9090', featureNames: ['custom'] })).toThrow(/no query for feature "custom"/);
  });
});

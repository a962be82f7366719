import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rawRequest, startTestApi, type TestApi } from '../../test-support/api-test-harness.js';
import { upstreamAnnotation } from './service-proxy.js';

let testApi: TestApi;
let upstream: http.Server;
let upstreamUrl: string;

beforeEach(async () => {
  testApi = await startTestApi();
  // The upstream echoes what it received, so tests can see exactly what was forwarded.
  upstream = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      response.writeHead(Number(request.headers['x-want-status'] ?? 200), { 'content-type': 'text/plain', 'x-upstream': 'yes' });
      response.end(JSON.stringify({ method: request.method, url: request.url, headers: request.headers, body }));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await testApi.close();
  await new Promise((resolve) => upstream.close(resolve));
});

async function createService(annotations: Record<string, string>): Promise<void> {
  const core = testApi.kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedService({
    namespace: 'prod',
    body: { metadata: { name: 'web', annotations }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] } },
  });
}

describe('services proxy', () => {
  it('forwards method, path, query, body and end-to-end headers, but not credentials or hop-by-hop headers', async () => {
    await createService({ [upstreamAnnotation]: upstreamUrl });
    const response = await fetch(`${testApi.url}/api/v1/namespaces/prod/services/web:8080/proxy/api/predict?x=1`, {
      method: 'POST',
      headers: { authorization: 'Bearer alice', 'x-custom': 'kept', 'x-want-status': '207', connection: 'keep-alive', 'content-type': 'text/plain' },
      body: 'payload',
    });
    expect(response.status).toBe(207);
    expect(response.headers.get('x-upstream')).toBe('yes');
    const echoed = (await response.json()) as { headers: Record<string, string> };
    expect(echoed).toMatchObject({ method: 'POST', url: '/api/predict?x=1', body: 'payload' });
    expect(echoed.headers['x-custom']).toBe('kept');
    expect(echoed.headers.authorization).toBeUndefined();
  });

  it('accepts http:name:port, a named port and the bare name', async () => {
    await createService({ [upstreamAnnotation]: upstreamUrl });
    for (const reference of ['http:web:8080', 'web:http', 'web']) {
      const response = await rawRequest(testApi.url, 'GET', `/api/v1/namespaces/prod/services/${reference}/proxy/healthz`);
      expect(response.status).toBe(200);
      expect(response.body.url).toBe('/healthz');
    }
  });

  it('works through client-node', async () => {
    await createService({ [upstreamAnnotation]: upstreamUrl });
    const core = testApi.kubeConfig.makeApiClient(CoreV1Api);
    const answer = await core.connectGetNamespacedServiceProxyWithPath({ name: 'web:8080', namespace: 'prod', path: 'metrics' });
    expect(answer).toContain('"url":"/metrics"');
  });

  it('answers 404 for an unknown service and 503 for a missing port, upstream or endpoint', async () => {
    const unknown = await rawRequest(testApi.url, 'GET', '/api/v1/namespaces/prod/services/ghost:80/proxy/');
    expect(unknown.body).toMatchObject({ code: 404, reason: 'NotFound', message: 'services "ghost" not found' });

    await createService({});
    const noUpstream = await rawRequest(testApi.url, 'GET', '/api/v1/namespaces/prod/services/web:8080/proxy/');
    expect(noUpstream.body).toMatchObject({ code: 503, reason: 'ServiceUnavailable', message: 'no endpoints available for service "web"' });
    const noPort = await rawRequest(testApi.url, 'GET', '/api/v1/namespaces/prod/services/web:9999/proxy/');
    expect(noPort.body).toMatchObject({ code: 503, message: 'no service port 9999 found for service "web"' });

    const core = testApi.kubeConfig.makeApiClient(CoreV1Api);
    await core.patchNamespacedService(
      { name: 'web', namespace: 'prod', body: [{ op: 'add', path: '/metadata/annotations', value: { [upstreamAnnotation]: upstreamUrl } }] },
    );
    await core.createNamespacedEndpoints({ namespace: 'prod', body: { metadata: { name: 'web' }, subsets: [{ notReadyAddresses: [{ ip: '10.0.0.9' }] }] } });
    const notReady = await rawRequest(testApi.url, 'GET', '/api/v1/namespaces/prod/services/web:8080/proxy/');
    expect(notReady.body).toMatchObject({ code: 503, message: 'no endpoints available for service "web"' });
  });

  it('answers 503 when the upstream refuses the connection', async () => {
    await new Promise((resolve) => upstream.close(resolve));
    upstream = http.createServer();
    await createService({ [upstreamAnnotation]: upstreamUrl });
    const refused = await rawRequest(testApi.url, 'GET', '/api/v1/namespaces/prod/services/web:8080/proxy/');
    expect(refused.body).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
    expect(refused.body.message).toContain('error trying to reach service');
  });
});

import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './sandbox.js';

async function call(sandbox: Sandbox, method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

describe('startSandbox (virtual time) and its control API', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ time: 'virtual', seed: 9 });
    sandbox.advance(30_000);
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('writes a kubeconfig that @kubernetes/client-node can use', async () => {
    expect(existsSync(sandbox.kubeconfigPath)).toBe(true);
    expect(readFileSync(sandbox.kubeconfigPath, 'utf8')).toContain(sandbox.url);
    const config = new KubeConfig();
    config.loadFromFile(sandbox.kubeconfigPath);
    const deployments = await config.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: 'prod' });
    expect(deployments.items.map((deployment) => deployment.metadata?.name).sort()).toEqual(['backend', 'frontend']);
    const backend = deployments.items.find((deployment) => deployment.metadata?.name === 'backend');
    expect(backend?.status?.readyReplicas).toBe(3);
    const pods = await config.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'prod', labelSelector: 'app=backend' });
    expect(pods.items).toHaveLength(3);
  });

  it('serves /metrics as Prometheus text, identical to scrape()', async () => {
    const response = await fetch(sandbox.metricsUrl);
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await response.text();
    expect(text).toBe(sandbox.renderMetrics());
    expect(text).toContain('# HELP kube_pod_container_status_restarts_total [STABLE] The number of container restarts per container.');
    expect(text).toContain('# TYPE container_cpu_usage_seconds_total counter');
    const lines = text.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(lines).toHaveLength(sandbox.scrape().length);
  });

  it('injects and clears a fault over HTTP', async () => {
    const injected = await call(sandbox, 'POST', '/sandbox/faults', { namespace: 'prod', deployment: 'backend', type: 'cache-bloat', strength: 0.5 });
    expect(injected.status).toBe(201);
    expect(injected.json.faults).toEqual([expect.objectContaining({ type: 'cache-bloat', strength: 0.5, active: true })]);
    await call(sandbox, 'POST', '/sandbox/advance', { milliseconds: 120_000 });
    const state = await call(sandbox, 'GET', '/sandbox/state');
    const backend = state.json.deployments.find((deployment: any) => deployment.name === 'backend');
    expect(backend.cacheBytes).toBeGreaterThan(10 * 1024 * 1024);
    const cleared = await call(sandbox, 'DELETE', '/sandbox/faults/prod/backend');
    expect(cleared.status).toBe(200);
    const after = await call(sandbox, 'GET', '/sandbox/state');
    expect(after.json.deployments.find((deployment: any) => deployment.name === 'backend').faults).toEqual([]);
  });

  it('answers bad bodies with 400 naming the field and the fix', async () => {
    const bad = await call(sandbox, 'POST', '/sandbox/faults', { namespace: 'prod', deployment: 'backend', type: 'disk-full', strength: 3 });
    expect(bad.status).toBe(400);
    expect(bad.json.issues.map((issue: any) => issue.path).sort()).toEqual(['strength', 'type']);
    expect(bad.json.error).toContain('type: must be one of memory-leak, cache-bloat, cpu-saturation, bad-release');
    expect(bad.json.error).toContain('strength: must be at most 1');
    const notJson = await call(sandbox, 'POST', '/sandbox/load', '{oops');
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toContain('must be JSON');
    const badLoad = await call(sandbox, 'POST', '/sandbox/load', { namespace: 'prod', deployment: 'backend', requestsPerSecond: -5 });
    expect(badLoad.status).toBe(400);
    expect(badLoad.json.error).toContain('requestsPerSecond: must be 0 or more');
    const missing = await call(sandbox, 'POST', '/sandbox/faults', { namespace: 'prod', deployment: 'nope', type: 'memory-leak' });
    expect(missing.status).toBe(404);
  });

  it('changes the load over HTTP', async () => {
    const response = await call(sandbox, 'POST', '/sandbox/load', { namespace: 'prod', deployment: 'frontend', requestsPerSecond: 5 });
    expect(response.status).toBe(200);
    const state = await call(sandbox, 'GET', '/sandbox/state');
    expect(state.json.deployments.find((deployment: any) => deployment.name === 'frontend').meanRequestsPerSecond).toBe(5);
  });

  it('simulates Deployments created through the API like the configured ones', async () => {
    const config = new KubeConfig();
    config.loadFromFile(sandbox.kubeconfigPath);
    await config.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace: 'prod',
      body: {
        metadata: { name: 'worker' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'worker' } },
          strategy: { type: 'Recreate' },
          template: { metadata: { labels: { app: 'worker' } }, spec: { containers: [{ name: 'worker', image: 'registry.local/worker:2.0.0' }] } },
        },
      },
    });
    sandbox.advance(20_000);
    const worker = sandbox.store.get('apps/deployments', 'prod', 'worker') as any;
    expect(worker.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
    const series = sandbox.scrape().filter((sample) => sample.name === 'container_cpu_usage_seconds_total' && sample.labels['pod']?.startsWith('worker-'));
    expect(series).toHaveLength(2);

    // Recreate: the old pods go before any new pod starts.
    sandbox.simulation.setImage('prod', 'worker', 'registry.local/worker:2.1.0');
    sandbox.advance(1000);
    const images = sandbox.store.list('/pods', 'prod').items
      .filter((pod: any) => pod.metadata.name.startsWith('worker-'))
      .map((pod: any) => pod.spec.containers[0].image);
    expect(new Set(images).size).toBeLessThanOrEqual(1);
    sandbox.advance(30_000);
    expect((sandbox.store.get('apps/deployments', 'prod', 'worker') as any).status).toMatchObject({ updatedReplicas: 2, availableReplicas: 2 });
  });

  it('rejects invalid options naming the field', async () => {
    await expect(startSandbox({ port: -1 })).rejects.toThrow(/port: must be 0 \(any free port\) or a port number/);
    await expect(startSandbox({ time: 'fast' as never })).rejects.toThrow(/time: must be "real" or "virtual"/);
  });
});

describe('startSandbox (real time)', () => {
  it('reconciles API writes promptly and refuses advance()', async () => {
    const sandbox = await startSandbox({ tickMs: 200, deployments: [{ namespace: 'web', name: 'shop', replicas: 1 }] });
    try {
      expect(() => sandbox.advance(1000)).toThrow('needs virtual time');
      const advance = await call(sandbox, 'POST', '/sandbox/advance', { milliseconds: 1000 });
      expect(advance.status).toBe(409);
      const patched = await fetch(`${sandbox.url}/apis/apps/v1/namespaces/web/deployments/shop/scale`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ spec: { replicas: 2 } }),
      });
      expect(patched.status).toBe(200);
      // The controller reacts to the write without waiting for a tick.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(sandbox.store.list('/pods', 'web').items).toHaveLength(2);
    } finally {
      await sandbox.close();
    }
  });

  it('reports a failing background step to onError and keeps serving', async () => {
    const errors: unknown[] = [];
    const sandbox = await startSandbox({ tickMs: 100, deployments: [{ namespace: 'web', name: 'shop', replicas: 1 }] }, { onError: (error) => errors.push(error) });
    try {
      (sandbox.simulation as { tick: (dtMs: number) => void }).tick = () => {
        throw new Error('simulated step failure');
      };
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(errors.length).toBeGreaterThanOrEqual(2);
      expect(String(errors[0])).toContain('simulated step failure');
      expect((await fetch(`${sandbox.url}/version`)).status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });
});

/**
 * The ConfigMap circuit store against the sandbox API server: two processes (two stores) racing for
 * the last slot, the window shared and kept, unreadable data failing closed.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../test-support/test-cluster.js';
import { createKubernetesCircuitStore } from './circuit-store.js';

let cluster: TestCluster;
let core: CoreV1Api;
let counter = 0;

beforeAll(async () => {
  cluster = await startTestCluster([]);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(cluster.kubeconfigPath);
  core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'autoheal' } } }).catch(() => undefined);
});

afterAll(async () => {
  await cluster?.close();
});

/** Two stores on one ConfigMap, as two processes have. */
function twoProcesses() {
  counter += 1;
  const name = `breaker-${counter}`;
  const make = () => createKubernetesCircuitStore({ kubeconfigPath: cluster.kubeconfigPath, namespace: 'autoheal', name });
  return { name, a: make(), b: make() };
}

const T = Date.parse('2026-01-01T00:00:00Z');
const limits = { maxActions: 2, windowMs: 600_000 };

describe('ConfigMap circuit store', () => {
  it('starts empty, creates the ConfigMap with the first slot, and another process reads it', async () => {
    const { a, b, name } = twoProcesses();

    await expect(a.read()).resolves.toEqual([]);
    await expect(a.take({ at: T, target: 'prod/web', holder: 'replica-a', step: 'restart' }, limits)).resolves.toMatchObject({ taken: true });

    await expect(b.read()).resolves.toEqual([{ at: T, target: 'prod/web', holder: 'replica-a', step: 'restart' }]);
    const configMap = await core.readNamespacedConfigMap({ name, namespace: 'autoheal' });
    expect(configMap.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'autoheal' });
  });

  it('lets exactly one of two processes racing for the last slot take it', async () => {
    const { a, b } = twoProcesses();
    await a.take({ at: T, target: 'prod/one', holder: 'replica-a' }, limits);

    const results = await Promise.all([
      a.take({ at: T + 1, target: 'prod/two', holder: 'replica-a' }, limits),
      b.take({ at: T + 1, target: 'prod/three', holder: 'replica-b' }, limits),
    ]);

    expect(results.filter((result) => result.taken)).toHaveLength(1);
    expect(await a.read()).toHaveLength(2);
  });

  it('counts only the window, but a forced step is always recorded', async () => {
    const { a } = twoProcesses();
    await a.take({ at: T, target: 'prod/one', holder: 'a' }, limits);
    await a.take({ at: T + 1, target: 'prod/two', holder: 'a' }, limits);

    const full = await a.take({ at: T + 2, target: 'prod/three', holder: 'a' }, limits);
    const forced = await a.take({ at: T + 3, target: 'prod/three', holder: 'a' }, { ...limits, force: true });
    const later = await a.take({ at: T + 600_001, target: 'prod/four', holder: 'a' }, limits);

    expect(full).toMatchObject({ taken: false, slots: [{ target: 'prod/one' }, { target: 'prod/two' }] });
    expect(forced.taken).toBe(true);
    expect(later).toMatchObject({ taken: true });
  });

  it('fails (so the breaker fails closed) on unreadable data, saying how to fix it', async () => {
    const { a, name } = twoProcesses();
    await core.createNamespacedConfigMap({ namespace: 'autoheal', body: { metadata: { name }, data: { slots: 'not json' } } });

    await expect(a.read()).rejects.toThrow(/ConfigMap autoheal\/breaker-\d+ holds unreadable data under "slots" .*fix it or delete the ConfigMap/);
    await expect(a.take({ at: T, target: 'prod/web', holder: 'a' }, limits)).rejects.toThrow(/unreadable data/);
  });
});

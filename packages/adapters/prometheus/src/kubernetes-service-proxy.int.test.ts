/**
 * Prometheus read through the Kubernetes API's service proxy: a real Prometheus scrapes the
 * sandbox, and the source is given only the sandbox's kubeconfig and a service reference. The
 * sandbox API forwards `services/prometheus-operated:9090/proxy/...` to Prometheus' loopback port,
 * named by the Service's `sandbox.autoheal.dev/upstream` annotation.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AdapterError, type TargetRef } from '@autoheal/core';
import { loadAllYaml } from '@kubernetes/client-node';
import { createApiServer, createObjectStore, isPrometheusAvailable, kubeconfigYaml, startPrometheus, startSandbox, type ApiServer, type RunningPrometheus, type Sandbox } from '@autoheal/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForQuery } from '../test-support/prometheus-helpers.js';
import { createPrometheusFeatureSource, type PrometheusFeatureSourceOptions } from './prometheus-feature-source.js';

const upstreamAnnotation = 'sandbox.autoheal.dev/upstream';
const backend: TargetRef = { namespace: 'prod', kind: 'Deployment', name: 'backend' };
const frontend: TargetRef = { namespace: 'prod', kind: 'Deployment', name: 'frontend' };
const prometheusService = { namespace: 'monitoring', name: 'prometheus-operated', port: 9090 };
const RATE_WINDOW = '5s';

const prometheusBinary = process.env.PROMETHEUS_BIN;
const available = isPrometheusAvailable(prometheusBinary);
if (!available) console.warn('[autoheal] [prometheus] skipping the service-proxy integration tests: no prometheus binary (install Debian "prometheus" or set PROMETHEUS_BIN)');

let sandbox: Sandbox;
let prometheus: RunningPrometheus;

/** A Service in the sandbox store; `upstream` makes the sandbox proxy forward its ports there. */
function createService(store: Sandbox['store'], namespace: string, name: string, upstream: string | undefined): void {
  store.create('/services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, ...(upstream ? { annotations: { [upstreamAnnotation]: upstream } } : {}) },
    spec: { selector: { app: name }, ports: [{ name: 'web', port: 9090, targetPort: 9090 }] },
  });
}

function ensureNamespace(store: Sandbox['store'], name: string): void {
  try {
    store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: {}, status: { phase: 'Active' } });
  } catch {
    // Already there.
  }
}

/** Options of a source that knows only the sandbox kubeconfig and a service reference. */
function proxied(extra: Partial<PrometheusFeatureSourceOptions> = {}): PrometheusFeatureSourceOptions {
  return { service: prometheusService, kubeconfigPath: sandbox.kubeconfigPath, rateWindow: RATE_WINDOW, retries: 0, ...extra } as PrometheusFeatureSourceOptions;
}

/** The error a collection through `options` throws (every query fails the same way). */
async function collectionError(options: PrometheusFeatureSourceOptions): Promise<AdapterError> {
  const source = createPrometheusFeatureSource(options);
  try {
    await source.collect(backend);
  } catch (error) {
    return error as AdapterError;
  } finally {
    await source.close();
  }
  throw new Error('the collection did not fail');
}

beforeAll(async () => {
  if (!available) return;
  sandbox = await startSandbox({
    time: 'real',
    tickMs: 500,
    deployments: [
      { namespace: 'prod', name: 'backend', replicas: 3, requestsPerSecond: 120 },
      { namespace: 'prod', name: 'frontend', replicas: 2, requestsPerSecond: 40 },
    ],
  });
  prometheus = await startPrometheus({ scrapeTargets: [new URL(sandbox.url).host], scrapeIntervalSeconds: 1, ...(prometheusBinary ? { binary: prometheusBinary } : {}) });
  ensureNamespace(sandbox.store, 'monitoring');
  createService(sandbox.store, 'monitoring', 'prometheus-operated', prometheus.url);
  createService(sandbox.store, 'monitoring', 'prometheus-unready', undefined);
  await waitForQuery(prometheus.url, 'count_over_time(up[1m])', (values) => (values[0] ?? 0) >= 7);
}, 60_000);

afterAll(async () => {
  await prometheus?.close();
  await sandbox?.close();
});


/**
 * Same structure, and numbers equal to 12 significant digits: Prometheus may sum the same series in
 * another order from one query to the next, which changes the last bit of a float.
 */
function expectSameValues(actual: unknown, expected: unknown): void {
  const round = (value: unknown): unknown => {
    if (typeof value === 'number') return Number.isFinite(value) ? Number(value.toPrecision(12)) : value;
    if (Array.isArray(value)) return value.map(round);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, round(v)]));
    return value;
  };
  expect(round(actual)).toEqual(round(expected));
}

describe.runIf(available)('Prometheus through the Kubernetes service proxy (sandbox)', () => {
  it('collects the same features as a direct query at the same evaluation time', async () => {
    const evaluationTime = Date.now() - 3000; // Older than the last scrape, which may still be ingesting between the two queries.
    const clock = { now: () => evaluationTime, sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };
    const direct = createPrometheusFeatureSource({ url: prometheus.url, rateWindow: RATE_WINDOW, clock });
    const throughApi = createPrometheusFeatureSource(proxied({ clock }));
    try {
      expect(throughApi.client.baseUrl).toBe(`${sandbox.url}/api/v1/namespaces/monitoring/services/prometheus-operated:9090/proxy`);
      const [viaProxy, viaDirect] = await Promise.all([throughApi.collectMany([backend, frontend]), direct.collectMany([backend, frontend])]);
      expectSameValues(viaProxy.map((observation) => observation.values), viaDirect.map((observation) => observation.values));
      // Real data, not two identical empty answers.
      expect(viaProxy[0]?.values.ready_replica_ratio).toBe(1);
      expect(viaProxy[0]?.values.memory_usage_bytes).toBeGreaterThan(0);
      expect(viaProxy[0]?.values.cpu_usage_pct).toBeGreaterThan(0);
    } finally {
      await direct.close();
      await throughApi.close();
    }
  });

  it('reads the same history with collectRange', async () => {
    const end = Date.now() - 3000; // Older than the last scrape, which may still be ingesting between the two queries.
    const direct = createPrometheusFeatureSource({ url: prometheus.url, rateWindow: RATE_WINDOW });
    const throughApi = createPrometheusFeatureSource(proxied());
    try {
      const [viaProxy, viaDirect] = await Promise.all([throughApi.collectRange(backend, end - 10_000, end, 1), direct.collectRange(backend, end - 10_000, end, 1)]);
      expectSameValues(viaProxy.series, viaDirect.series);
      expect(viaProxy.series.memory_usage_bytes?.some(([, value]) => value !== null)).toBe(true);
    } finally {
      await direct.close();
      await throughApi.close();
    }
  });

  it('answers ping through the proxy', async () => {
    const source = createPrometheusFeatureSource(proxied());
    try {
      await expect(source.ping()).resolves.toBeUndefined();
    } finally {
      await source.close();
    }
  });

  it('says a service without ready endpoints has none (503)', async () => {
    const error = await collectionError(proxied({ service: { ...prometheusService, name: 'prometheus-unready' } }));
    expect(AdapterError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/^\[autoheal\] \[prometheus\] /);
    expect(error.message).toContain('answered 503');
    expect(error.message).toContain('Service monitoring/prometheus-unready has no ready endpoints');
  });

  it('says an unknown service does not exist (404)', async () => {
    const error = await collectionError(proxied({ service: { ...prometheusService, name: 'ghost' } }));
    expect(error.message).toContain('answered 404: services "ghost" not found');
    expect(error.message).toContain('There is no service monitoring/ghost');
  });

  it('says the service has no such port', async () => {
    const error = await collectionError(proxied({ service: { ...prometheusService, port: 9091 } }));
    expect(error.message).toContain('Service monitoring/prometheus-operated has no port 9091');
    expect(error.message).not.toContain('There is no service');
  });
});

describe.runIf(available)('Prometheus through an RBAC-enforcing Kubernetes API (sandbox)', () => {
  const serviceAccount = 'system:serviceaccount:autoheal:autoheal';
  let api: ApiServer;
  let kubeconfig: string;
  let store: ReturnType<typeof createObjectStore>;

  beforeAll(async () => {
    if (!available) return;
    const clock = { now: () => Date.now() };
    store = createObjectStore({ clock });
    for (const name of ['monitoring', 'autoheal']) store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: {}, status: { phase: 'Active' } });
    createService(store, 'monitoring', 'prometheus-operated', prometheus.url);
    // The service account may read services but not proxy to them, so RBAC applies to it.
    store.create('rbac.authorization.k8s.io/roles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'viewer', namespace: 'monitoring' }, rules: [{ apiGroups: [''], resources: ['services'], verbs: ['get'] }] });
    store.create('rbac.authorization.k8s.io/rolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'viewer', namespace: 'monitoring' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'viewer' },
      subjects: [{ kind: 'ServiceAccount', name: 'autoheal', namespace: 'autoheal' }],
    });
    api = createApiServer({ store, clock, exec: async () => ({ stdout: '', stderr: '', exitCode: 0 }), enforceRbac: true });
    const url = await api.listen(0, '127.0.0.1');
    // `as` in the kubeconfig makes client-node send Impersonate-User, which the sandbox honours.
    kubeconfig = kubeconfigYaml(url, { token: 'ignored' }).replace('token: ignored', `token: ignored\n      as: ${serviceAccount}`);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('names the missing permission and the rule to add (403)', async () => {
    const error = await collectionError({ service: prometheusService, kubeconfigYaml: kubeconfig, retries: 0 });
    expect(error.message).toContain('answered 403');
    expect(error.message).toContain(serviceAccount);
    expect(error.message).toContain('needs "get" on "services/proxy" for "prometheus-operated:9090" in namespace "monitoring"');
    expect(error.message).toContain('resourceNames: ["prometheus-operated:9090"]');
  });

  it('is allowed by the manifests/components/prometheus-service-proxy Role and RoleBinding', async () => {
    const componentFile = fileURLToPath(new URL('../../../../manifests/components/prometheus-service-proxy/rbac.yaml', import.meta.url));
    for (const object of loadAllYaml(await readFile(componentFile, 'utf8')) as Array<{ kind: string }>) {
      store.create(object.kind === 'Role' ? 'rbac.authorization.k8s.io/roles' : 'rbac.authorization.k8s.io/rolebindings', object as never);
    }
    const source = createPrometheusFeatureSource({ service: prometheusService, kubeconfigYaml: kubeconfig, rateWindow: RATE_WINDOW, retries: 0 });
    try {
      const samples = await source.client.query('up');
      expect(samples.length).toBeGreaterThan(0);
      // The default method through the proxy is GET: RBAC would check a POST as "create".
      const post = createPrometheusFeatureSource({ service: prometheusService, kubeconfigYaml: kubeconfig, method: 'POST', retries: 0 });
      await expect(post.client.query('up')).rejects.toThrow('needs "create" on "services/proxy"');
      await post.close();
    } finally {
      await source.close();
    }
  });
});

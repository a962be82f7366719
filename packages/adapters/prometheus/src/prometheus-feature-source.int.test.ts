/**
 * Against a real Prometheus (the Debian binary) scraping a fixture exporter every second: the
 * values it serves come back, NaN/Inf/empty/stale become missing, the request-volume guard holds,
 * and one collection of many targets costs one query per feature plus the guard.
 */
import type { FeatureObservation, TargetRef } from '@autoheal/core';
import { describeFeatureSourceConformance } from '@autoheal/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureDeployment, startFixtureExporter, type FixtureExporter } from '../test-support/fixture-exporter.js';
import { startPrometheus, type RunningPrometheus } from '@autoheal/sandbox';
import { startCountingProxy, waitForQuery } from '../test-support/prometheus-helpers.js';
import { defaultQueries, defaultRequestVolumeQuery } from './default-queries.js';
import { createPrometheusFeatureSource, type PrometheusFeatureSource } from './prometheus-feature-source.js';

const target = (namespace: string, name: string): TargetRef => ({ namespace, kind: 'Deployment', name });
const backend = target('prod', 'backend');
const frontend = target('prod', 'frontend');
const api = target('staging', 'api');
const quiet = target('staging', 'quiet');
const legacy = target('prod', 'legacy');
const ghost = target('prod', 'ghost');
const vanishing = target('prod', 'vanishing');
const allTargets = [backend, frontend, api, quiet, legacy, ghost, vanishing];

// The default 2m window would need 2 minutes of data before rates are exact; 1 s scrapes allow 5 s.
const RATE_WINDOW_SECONDS = 5;
const RATE_WINDOW = `${RATE_WINDOW_SECONDS}s`;

let exporter: FixtureExporter;
let prometheus: RunningPrometheus;
let source: PrometheusFeatureSource;
/** A past evaluation time, so that repeated collections see the same samples. */
let fixedEvaluationTime = 0;

function reasonFor(observation: FeatureObservation, feature: string): string | undefined {
  return observation.missing.find((entry) => entry.feature === feature)?.reason;
}

beforeAll(async () => {
  const legacyDeployment = fixtureDeployment('prod', 'legacy', 5);
  // Pods not named by the Deployment controller's scheme: only owner references find them.
  legacyDeployment.pods = ['legacy-0', 'legacy-1'];
  exporter = await startFixtureExporter([
    fixtureDeployment('prod', 'backend', 1, { cpuCoresPerPod: 0.25, memoryBytesPerPod: 50_000_000, networkBytesPerSecondPerPod: 1000, readyReplicas: 2, unavailableReplicas: 1 }),
    fixtureDeployment('prod', 'frontend', 2, { memoryBytesPerPod: Number.NaN, unavailableReplicas: Number.POSITIVE_INFINITY, requestsPerSecondPerPod: 0.01 }),
    fixtureDeployment('staging', 'api', 3, { requestsPerSecondPerPod: 10, errorsPerSecondPerPod: 2, specReplicas: 0, readyReplicas: 0 }),
    fixtureDeployment('staging', 'quiet', 4, { requestsPerSecondPerPod: 10, errorsPerSecondPerPod: 0 }),
    legacyDeployment,
    fixtureDeployment('prod', 'vanishing', 6),
  ]);
  prometheus = await startPrometheus({ scrapeTargets: [exporter.address], scrapeIntervalSeconds: 1, ...(process.env.PROMETHEUS_BIN ? { binary: process.env.PROMETHEUS_BIN } : {}) });
  // rate() divides by its whole window: wait until the data covers the (shortened) window.
  await waitForQuery(prometheus.url, 'count_over_time(up[1m])', (values) => (values[0] ?? 0) >= RATE_WINDOW_SECONDS + 2);
  source = createPrometheusFeatureSource({ url: prometheus.url, rateWindow: RATE_WINDOW });
  fixedEvaluationTime = Date.now() - 1000;
}, 60_000);

afterAll(async () => {
  await source?.close();
  await prometheus?.close();
  await exporter?.close();
});

describe('createPrometheusFeatureSource against a real Prometheus', () => {
  it('returns the values the exporter serves, grouped per Deployment', async () => {
    const observation = await source.collect(backend);
    expect(observation.missing).toEqual([]);
    // 0.25 cores per pod, averaged; the POD container's 100 cores are excluded.
    expect(Math.abs((observation.values.cpu_usage_pct ?? 0) - 25)).toBeLessThan(2.5);
    expect(observation.values.memory_usage_bytes).toBe(50_000_000); // the container="" series is excluded
    expect(Math.abs((observation.values.network_receive_bytes_per_s ?? 0) - 3000)).toBeLessThan(300);
    expect(observation.values.ready_replica_ratio).toBeCloseTo(2 / 3, 6);
    expect(observation.values.unavailable_replicas).toBe(1);
    expect(observation.values.restart_count_last_5m).toBe(0);
    expect(observation.values.http_5xx_error_rate).toBe(0);
  });

  it('counts restarts that happen after collection starts', async () => {
    const deployment = exporter.deployments.find((d) => d.name === 'backend');
    if (!deployment) throw new Error('fixture missing');
    deployment.restartsPerPod = 2;
    await waitForQuery(prometheus.url, 'max(kube_pod_container_status_restarts_total{pod=~"backend-.*"})', (values) => values[0] === 2, 10_000);
    const observation = await source.collect(backend);
    // 3 pods x 2 restarts; increase() extrapolates a little towards the window's end.
    expect(observation.values.restart_count_last_5m).toBeGreaterThanOrEqual(6);
    expect(observation.values.restart_count_last_5m).toBeLessThan(8);
  });

  it('reports NaN and +Inf as missing, naming the target and the query', async () => {
    const observation = await source.collect(frontend);
    expect(observation.values.memory_usage_bytes).toBeNull();
    expect(reasonFor(observation, 'memory_usage_bytes')).toMatch(/^NaN for prod\/frontend: avg of container_memory_working_set_bytes/);
    expect(observation.missing.find((entry) => entry.feature === 'memory_usage_bytes')?.kind).toBe('failed');
    expect(observation.values.unavailable_replicas).toBeNull();
    expect(reasonFor(observation, 'unavailable_replicas')).toMatch(/^\+Inf for prod\/frontend/);
  });

  it('reports the 5xx rate missing below minRequests, and present above it', async () => {
    const [low, errors, noErrors] = await source.collectMany([frontend, api, quiet]);
    expect(low?.values.http_5xx_error_rate).toBeNull();
    expect(low && reasonFor(low, 'http_5xx_error_rate')).toMatch(/too few requests for prod\/frontend: .* < minRequests 5/);
    expect(Math.abs((errors?.values.http_5xx_error_rate ?? 0) - 6)).toBeLessThan(0.8); // 3 pods x 2/s
    expect(noErrors?.values.http_5xx_error_rate).toBe(0); // traffic but no 5xx series: 0, not missing
  });

  it('accepts a low minRequests, which lets low-traffic rates through', async () => {
    const lenient = createPrometheusFeatureSource({ url: prometheus.url, rateWindow: RATE_WINDOW, minRequests: 0 });
    try {
      const observation = await lenient.collect(frontend);
      expect(observation.values.http_5xx_error_rate).toBe(0);
    } finally {
      await lenient.close();
    }
  });

  it('reports a Deployment scaled to zero as a missing ready ratio, not 0 or NaN', async () => {
    const observation = await source.collect(api);
    expect(observation.values.ready_replica_ratio).toBeNull();
    expect(reasonFor(observation, 'ready_replica_ratio')).toMatch(/^staging\/api is scaled to zero/);
  });

  it('reports every feature of an unknown Deployment as missing, never zero', async () => {
    const observation = await source.collect(ghost);
    expect(Object.values(observation.values).every((value) => value === null)).toBe(true);
    expect(observation.missing.map((entry) => entry.feature)).toEqual([...source.featureNames]);
    expect(reasonFor(observation, 'http_5xx_error_rate')).toMatch(/^no request series for prod\/ghost/);
    expect(new Set(observation.missing.map((entry) => entry.kind))).toEqual(new Set(['no-data']));
  });

  it('reports a series that stopped being exported (stale) as missing', async () => {
    const before = await source.collect(vanishing);
    expect(before.values.memory_usage_bytes).toBe(50_000_000);
    const deployment = exporter.deployments.find((d) => d.name === 'vanishing');
    if (!deployment) throw new Error('fixture missing');
    deployment.memoryBytesPerPod = undefined;
    await waitForQuery(prometheus.url, 'count(container_memory_working_set_bytes{pod=~"vanishing-.*",container="app"}) or vector(0)', (values) => values[0] === 0, 10_000);
    const after = await source.collect(vanishing);
    expect(after.values.memory_usage_bytes).toBeNull();
    expect(reasonFor(after, 'memory_usage_bytes')).toMatch(/^no data for prod\/vanishing/);
  });

  it('finds pods by owner references with deploymentFrom "owner"', async () => {
    const byName = await source.collect(legacy);
    expect(byName.values.cpu_usage_pct).toBeNull(); // "legacy-0" does not look like a Deployment's pod
    const byOwner = createPrometheusFeatureSource({ url: prometheus.url, rateWindow: RATE_WINDOW, deploymentFrom: 'owner' });
    try {
      const [legacyObservation, backendObservation] = await byOwner.collectMany([legacy, backend]);
      expect(Math.abs((legacyObservation?.values.cpu_usage_pct ?? 0) - 25)).toBeLessThan(2.5);
      expect(legacyObservation?.values.memory_usage_bytes).toBe(50_000_000);
      expect(Math.abs((backendObservation?.values.network_receive_bytes_per_s ?? 0) - 3000)).toBeLessThan(300);
    } finally {
      await byOwner.close();
    }
  });

  it('collects many targets with a fixed number of grouped queries: six for the seed features', async () => {
    const proxy = await startCountingProxy(prometheus.url);
    const counted = createPrometheusFeatureSource({ url: proxy.url, rateWindow: RATE_WINDOW });
    try {
      const observations = await counted.collectMany(allTargets);
      expect(observations.map((observation) => observation.target.name)).toEqual(allTargets.map((t) => t.name));
      expect(proxy.paths).toEqual(new Array(6).fill('/api/v1/query'));
      expect(counted.renderQueries(allTargets).map((query) => query.name)).toEqual(['ksm', 'http', 'cpu', 'memory', 'restarts', 'network']);
    } finally {
      await counted.close();
      await proxy.close();
    }
  });

  it('computes the seed features like the original queries, which still run (one per feature plus the guard) when given', async () => {
    const proxy = await startCountingProxy(prometheus.url);
    const clock = { now: () => fixedEvaluationTime, sleep: async () => {} };
    const original = createPrometheusFeatureSource({ url: proxy.url, clock, queries: { ...defaultQueries('pod-name', RATE_WINDOW) }, requestVolumeQuery: defaultRequestVolumeQuery('pod-name', RATE_WINDOW) });
    const bundled = createPrometheusFeatureSource({ url: prometheus.url, clock, rateWindow: RATE_WINDOW });
    try {
      const [byOriginal] = await original.collectMany([backend]);
      expect(proxy.paths).toHaveLength(8);
      const byBundles = await bundled.collect(backend);
      for (const feature of source.featureNames) {
        const expected = byOriginal?.values[feature] as number;
        expect(Math.abs((byBundles.values[feature] as number) - expected), feature).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
      }
    } finally {
      await original.close();
      await bundled.close();
      await proxy.close();
    }
  });

  it('runs a per-target query once per target with the placeholders filled in', async () => {
    const proxy = await startCountingProxy(prometheus.url);
    const perTarget = createPrometheusFeatureSource({
      url: proxy.url,
      featureNames: ['spec_replicas'],
      queries: { spec_replicas: { query: 'kube_deployment_spec_replicas{{{selector}},deployment="{{deployment}}"}', mode: 'per-target' } },
    });
    try {
      const [backendObservation, apiObservation, ghostObservation] = await perTarget.collectMany([backend, api, ghost]);
      expect(backendObservation?.values.spec_replicas).toBe(3);
      expect(apiObservation?.values.spec_replicas).toBe(0);
      expect(ghostObservation?.values.spec_replicas).toBeNull();
      expect(proxy.paths).toHaveLength(3);
    } finally {
      await perTarget.close();
      await proxy.close();
    }
  });

  it('reports a broken query as missing for its feature only, with Prometheus\' error', async () => {
    const broken = createPrometheusFeatureSource({ url: prometheus.url, rateWindow: RATE_WINDOW, queries: { cpu_usage_pct: 'sum by (namespace, deployment) (rate(' } });
    try {
      const observation = await broken.collect(backend);
      expect(observation.values.cpu_usage_pct).toBeNull();
      expect(reasonFor(observation, 'cpu_usage_pct')).toMatch(/query of cpu_usage_pct failed: .*bad_data.*Query: sum by/);
      expect(observation.values.memory_usage_bytes).toBe(50_000_000);
    } finally {
      await broken.close();
    }
  });

  it('collects every feature over a time range, from the same grouped queries run as range queries', async () => {
    const end = Date.now();
    const start = end - 4000;
    const range = await source.collectRange(backend, start, end, 1);
    expect(range.series.cpu_usage_pct).toHaveLength(5);
    const cpuValues = (range.series.cpu_usage_pct ?? []).map(([, value]) => value).filter((value): value is number => value !== null);
    expect(cpuValues.length).toBeGreaterThanOrEqual(4);
    for (const value of cpuValues) expect(Math.abs(value - 25)).toBeLessThan(3);
    expect(range.series.memory_usage_bytes?.every(([, value]) => value === 50_000_000)).toBe(true);
    // Traffic but never a 5xx: 0 at every point, not missing.
    const [quietRange] = await source.collectRangeMany([quiet], start, end, 1);
    expect(quietRange?.series.http_5xx_error_rate?.map(([, value]) => value)).toEqual([0, 0, 0, 0, 0]);
    const [ghostRange] = await source.collectRangeMany([ghost], start, end, 1);
    expect(ghostRange?.missing.map((entry) => entry.feature)).toEqual([...source.featureNames]);
  });

  it('answers ping when Prometheus is ready', async () => {
    await expect(source.ping()).resolves.toBeUndefined();
  });
});

describeFeatureSourceConformance('prometheus', async () => {
  const clock = { now: () => fixedEvaluationTime, sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };
  const conforming = createPrometheusFeatureSource({ url: prometheus.url, rateWindow: RATE_WINDOW, clock });
  return { source: conforming, target: backend, otherTargets: [api, frontend, ghost], cleanup: () => conforming.close() };
});

/**
 * Against the sandbox: a real Prometheus scrapes the simulated cluster's `/metrics` (cAdvisor and
 * kube-state-metrics look-alikes), and the adapter reads back what the simulation serves,
 * including the effect of an injected fault.
 */
import { DEFAULT_FEATURE_NAMES, FEATURE_SET_V2_NAMES, type TargetRef } from '@autoheal/core';
import { startPrometheus, startSandbox, type RunningPrometheus, type Sandbox } from '@autoheal/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForQuery } from '../test-support/prometheus-helpers.js';
import { createPrometheusFeatureSource, type PrometheusFeatureSource } from './prometheus-feature-source.js';

const backend: TargetRef = { namespace: 'prod', kind: 'Deployment', name: 'backend' };
const frontend: TargetRef = { namespace: 'prod', kind: 'Deployment', name: 'frontend' };
const idle: TargetRef = { namespace: 'shop', kind: 'Deployment', name: 'idle' };
const meshed: TargetRef = { namespace: 'shop', kind: 'Deployment', name: 'meshed' };
const RATE_WINDOW = '5s';

let sandbox: Sandbox;
let prometheus: RunningPrometheus;
let source: PrometheusFeatureSource;

/** Polls until `predicate` holds for a collection of `targets` (the simulation moves in real time). */
async function collectUntil(targets: TargetRef[], predicate: (values: Array<Record<string, number | null>>) => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const observations = await source.collectMany(targets);
    if (predicate(observations.map((observation) => observation.values)) || Date.now() > deadline) return observations;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({
    time: 'real',
    tickMs: 500,
    deployments: [
      { namespace: 'prod', name: 'backend', replicas: 3, requestsPerSecond: 120 },
      { namespace: 'prod', name: 'frontend', replicas: 2, requestsPerSecond: 40 },
      { namespace: 'shop', name: 'idle', replicas: 1, requestsPerSecond: 0 },
      { namespace: 'shop', name: 'meshed', replicas: 2, requestsPerSecond: 20, requestMetrics: 'istio' },
    ],
  });
  prometheus = await startPrometheus({ scrapeTargets: [new URL(sandbox.url).host], scrapeIntervalSeconds: 1, ...(process.env.PROMETHEUS_BIN ? { binary: process.env.PROMETHEUS_BIN } : {}) });
  await waitForQuery(prometheus.url, 'count_over_time(up[1m])', (values) => (values[0] ?? 0) >= 7);
  source = createPrometheusFeatureSource({ url: prometheus.url, rateWindow: RATE_WINDOW });
}, 60_000);

afterAll(async () => {
  await source?.close();
  await prometheus?.close();
  await sandbox?.close();
});

describe('createPrometheusFeatureSource against the sandbox', () => {
  it('reads every feature of the healthy demo Deployments', async () => {
    const [backendValues, frontendValues] = await collectUntil([backend, frontend], (values) => values.every((v) => Object.values(v).every((x) => x !== null)));
    for (const observation of [backendValues, frontendValues]) {
      expect(observation?.missing).toEqual([]);
      expect(observation?.values.ready_replica_ratio).toBe(1);
      expect(observation?.values.unavailable_replicas).toBe(0);
      expect(observation?.values.restart_count_last_5m).toBe(0);
      expect(observation?.values.cpu_usage_pct).toBeGreaterThan(0);
      expect(observation?.values.network_receive_bytes_per_s).toBeGreaterThan(0);
      expect(observation?.values.http_5xx_error_rate).toBeGreaterThanOrEqual(0);
    }
  }, 45_000);

  it('matches the memory the sandbox serves, averaged over the Deployment\'s containers', async () => {
    const served = sandbox
      .scrape()
      .filter((sample) => sample.name === 'container_memory_working_set_bytes' && sample.labels.namespace === 'prod' && sample.labels.pod?.startsWith('backend-') && sample.labels.container && sample.labels.container !== 'POD');
    expect(served.length).toBe(3);
    const servedAverage = served.reduce((sum, sample) => sum + sample.value, 0) / served.length;
    const observation = await source.collect(backend);
    // The simulation moves between its scrape and Prometheus' last one: a few percent at most.
    expect(Math.abs((observation.values.memory_usage_bytes ?? 0) - servedAverage) / servedAverage).toBeLessThan(0.1);
  });

  it('reports the 5xx rate of a Deployment without traffic as missing (too few requests)', async () => {
    const observation = await source.collect(idle);
    expect(observation.values.http_5xx_error_rate).toBeNull();
    expect(observation.missing.find((entry) => entry.feature === 'http_5xx_error_rate')?.reason).toMatch(/^too few requests for shop\/idle: 0.0 in the rate window < minRequests 5/);
    expect(observation.values.memory_usage_bytes).not.toBeNull();
  });

  it('gives the same answer with owner references as with pod names', async () => {
    const evaluationTime = Date.now() - 1000;
    const clock = { now: () => evaluationTime, sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };
    const byName = createPrometheusFeatureSource({ url: prometheus.url, rateWindow: RATE_WINDOW, clock });
    const byOwner = createPrometheusFeatureSource({ url: prometheus.url, rateWindow: RATE_WINDOW, clock, deploymentFrom: 'owner' });
    try {
      const [nameObservation, ownerObservation] = await Promise.all([byName.collectMany([backend, frontend]), byOwner.collectMany([backend, frontend])]);
      expect(ownerObservation.map((o) => o.values)).toEqual(nameObservation.map((o) => o.values));
    } finally {
      await byName.close();
      await byOwner.close();
    }
  });

  it('reads feature set v2 from the series the sandbox serves, with each workload\'s request preset', async () => {
    const v2 = createPrometheusFeatureSource({
      url: prometheus.url,
      rateWindow: RATE_WINDOW,
      featureNames: [...new Set([...DEFAULT_FEATURE_NAMES, ...FEATURE_SET_V2_NAMES])],
      // The frontend's requests as its ingress counted them; the meshed workload's from its Istio sidecars.
      targetRequestMetrics: { 'prod/frontend': 'ingress-nginx', 'shop/meshed': 'istio' },
    });
    try {
      const [b, f, m] = await v2.collectMany([backend, frontend, meshed]);
      for (const observation of [b, f, m]) {
        const values = observation!.values;
        expect(values).toMatchObject({ ready_replica_ratio: 1, unavailable_excess_ratio: 0, rollout_in_progress: 0, rollout_stalled: 0, oomkilled_pod_ratio: 0 });
        expect(values.memory_limit_ratio).toBeGreaterThan(0);
        expect(values.memory_limit_ratio).toBeLessThan(1);
        expect(values.cpu_limit_ratio).toBeGreaterThan(0);
        expect(values.cpu_throttled_ratio).toBeGreaterThanOrEqual(0);
        expect(values.release_age_minutes).toBeLessThan(5);
        expect(values.http_error_ratio).toBeLessThan(0.05);
        // The sandbox's Deployments are younger than the previous-release look-back, and Prometheus has
        // not yet scraped them for half a trend window: the trends have nothing to compare with (explained).
        expect(observation!.missing.map((entry) => [entry.feature, entry.kind])).toEqual([
          ['previous_release_error_ratio', 'no-history'],
          ['previous_release_ready_ratio', 'no-history'],
          ['http_error_ratio_rise', 'no-history'],
          ['cpu_minutes_to_limit', 'no-history'],
        ]);
      }
      // Requests per second as configured, within the sandbox's daily swing and noise.
      expect(b!.values.http_requests_per_second).toBeGreaterThan(40);
      expect(f!.values.http_requests_per_second).toBeGreaterThan(10);
      expect(m!.values.http_requests_per_second).toBeGreaterThan(5);
      expect(m!.values.http_requests_per_second).toBeLessThan(60);
    } finally {
      await v2.close();
    }
  });

  it('sees an injected bad release: crash-looping pods and unavailable replicas', async () => {
    sandbox.injectFault({ namespace: 'prod', deployment: 'frontend', type: 'bad-release', strength: 1 });
    const [after] = await collectUntil([frontend], ([values]) => (values?.restart_count_last_5m ?? 0) > 0 && (values?.unavailable_replicas ?? 0) > 0, 40_000);
    expect(after?.values.restart_count_last_5m).toBeGreaterThan(0);
    expect(after?.values.unavailable_replicas).toBeGreaterThan(0);
  }, 50_000);
});

/**
 * Feature set v2 and the request presets against a real Prometheus scraping the fixture exporter:
 * every preset's series give the same request rate and error ratio; limits, throttling, termination
 * reasons, rollout state and releases come out as the contract defines them; the collection costs a
 * fixed number of queries however many targets and presets; absences carry their kind.
 */
import { DEFAULT_FEATURE_NAMES, FEATURE_SET_V2_NAMES, explainMissing, type FeatureObservation, type TargetRef } from '@autoheal/core';
import { startPrometheus, type RunningPrometheus } from '@autoheal/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureDeployment, startFixtureExporter, type FixtureDeployment, type FixtureExporter } from '../test-support/fixture-exporter.js';
import { startCountingProxy, waitForQuery } from '../test-support/prometheus-helpers.js';
import { createPrometheusFeatureSource, type PrometheusFeatureSourceOptions } from './prometheus-feature-source.js';
import { REQUEST_PRESET_NAMES, type RequestPresetName } from './request-presets.js';

const FEATURES = [...new Set<string>([...DEFAULT_FEATURE_NAMES, ...FEATURE_SET_V2_NAMES])];
// 1 s scrapes: shortened windows so the test needs ~20 s of data.
const WINDOWS: Partial<PrometheusFeatureSourceOptions> = { rateWindow: '5s', trendWindow: '10s', priorOffset: '10s', priorWindow: '5s' };
const target = (name: string): TargetRef => ({ namespace: 'shop', kind: 'Deployment', name });
const PRESETS = REQUEST_PRESET_NAMES.filter((name): name is Exclude<RequestPresetName, 'none'> => name !== 'none');

let seed = 100;
const deployment = (name: string, overrides: Partial<FixtureDeployment> = {}, pods = 3) => fixtureDeployment('shop', name, seed++, overrides, pods);

const fleet: FixtureDeployment[] = [
  // One Deployment per preset: 10 requests/s per pod, 1 of them a 5xx.
  ...PRESETS.map((preset) => deployment(`via-${preset}`, { requestMetrics: preset, requestsPerSecondPerPod: 10, errorsPerSecondPerPod: 1 })),
  deployment('healthy', { errorsPerSecondPerPod: 0 }),
  deployment('worker', { requestMetrics: 'none' }),
  deployment('oom', { restartsPerPod: 4, lastTerminatedReason: 'OOMKilled', memoryBytesPerPod: 190_000_000 }, 2),
  deployment('leak', { memoryBytesPerPod: 100_000_000, memoryGrowthBytesPerSecond: 1_000_000 }),
  deployment('unlimited', { cpuLimitCores: undefined, cpuRequestCores: undefined, memoryLimitBytes: undefined }),
  deployment('bursty', { cpuLimitCores: undefined, cpuRequestCores: 0.1, throttledShare: 0.5 }),
  deployment('throttled', { cpuCoresPerPod: 0.5, cpuLimitCores: 0.5, throttledShare: 0.4 }),
  // Mid-rollout as Kubernetes reports it: 5 surge pods starting, 5 old ones gone (maxUnavailable), so
  // unavailableReplicas (ReplicaSets' desired 25 − available 15) is 10, twice the budget.
  deployment('rolling', { specReplicas: 20, readyReplicas: 15, unavailableReplicas: 10, updatedReplicas: 10, statusReplicas: 25, generation: 3, observedGeneration: 3, maxUnavailable: 5 }, 20),
  deployment('recreate', { unavailableReplicas: 3, readyReplicas: 0, maxUnavailable: undefined }),
  // Released (and, for newborn, created) a few seconds before the collection: set in beforeAll.
  deployment('stalled', { progressing: 'false', createdSecondsAgo: 86_400 }),
  deployment('newborn', {}),
];

let exporter: FixtureExporter;
let prometheus: RunningPrometheus;
let byName: Map<string, FeatureObservation>;
let evaluationTime = 0;
const clock = { now: () => evaluationTime, sleep: async () => {} };
const options = (extra: Partial<PrometheusFeatureSourceOptions> = {}): PrometheusFeatureSourceOptions => ({
  url: prometheus.url,
  featureNames: FEATURES,
  ...WINDOWS,
  clock,
  targetRequestMetrics: Object.fromEntries(fleet.map((d) => [`shop/${d.name}`, d.requestMetrics])),
  ...extra,
});

beforeAll(async () => {
  exporter = await startFixtureExporter(fleet);
  prometheus = await startPrometheus({ scrapeTargets: [exporter.address], scrapeIntervalSeconds: 1, ...(process.env.PROMETHEUS_BIN ? { binary: process.env.PROMETHEUS_BIN } : {}) });
  // The previous-release window reaches 15 s back; the trend needs 10 s.
  await waitForQuery(prometheus.url, 'count_over_time(up[1m])', (values) => (values[0] ?? 0) >= 20, 60_000);
  // A young release now: the previous-release window (10-15 s back) then measures the release before it.
  const secondsSinceStart = (Date.now() - exporter.startedAt) / 1000;
  for (const name of ['stalled', 'newborn']) (fleet.find((d) => d.name === name) as FixtureDeployment).releaseSecondsAgo = -Math.floor(secondsSinceStart - 2);
  (fleet.find((d) => d.name === 'newborn') as FixtureDeployment).createdSecondsAgo = -Math.floor(secondsSinceStart - 2);
  const scraped = exporter.scrapes;
  while (exporter.scrapes < scraped + 3) await new Promise((resolve) => setTimeout(resolve, 200));
  evaluationTime = Date.now() - 500;
  const source = createPrometheusFeatureSource(options());
  byName = new Map((await source.collectMany(fleet.map((d) => target(d.name)))).map((observation) => [observation.target.name, observation]));
  await source.close();
}, 90_000);

afterAll(async () => {
  await prometheus?.close();
  await exporter?.close();
});

const values = (name: string) => byName.get(name)?.values ?? {};
const kinds = (name: string) => Object.fromEntries((byName.get(name)?.missing ?? []).map((entry) => [entry.feature, entry.kind]));

describe('request presets', () => {
  for (const preset of PRESETS) {
    it(`${preset}: 30 requests/s with a 10% error ratio; the seed 5xx rate from the same series`, () => {
      const v = values(`via-${preset}`);
      expect(Math.abs((v.http_requests_per_second ?? 0) - 30)).toBeLessThan(4);
      expect(Math.abs((v.http_error_ratio ?? 0) - 0.1)).toBeLessThan(0.02);
      expect(Math.abs((v.http_5xx_error_rate ?? 0) - 3)).toBeLessThan(0.6);
    });
  }

  it('requests without errors are an error ratio of 0, not missing', () => {
    expect(values('healthy')).toMatchObject({ http_error_ratio: 0, http_5xx_error_rate: 0 });
  });

  it('a workload without request metrics (preset none) reports them not-configured, which does not blind the verdict', () => {
    const observation = byName.get('worker') as FeatureObservation;
    expect(kinds('worker')).toMatchObject({ http_error_ratio: 'not-configured', http_requests_per_second: 'not-configured', http_5xx_error_rate: 'not-configured' });
    expect(explainMissing(observation, ['http_error_ratio', 'http_5xx_error_rate']).unexplained).toEqual([]);
  });

  it('a plain-string 5xx query keeps the request-volume rule: no 5xx series with traffic is 0, not missing', async () => {
    const source = createPrometheusFeatureSource({
      url: prometheus.url,
      ...WINDOWS,
      clock,
      queries: { http_5xx_error_rate: 'sum by (namespace, deployment) (label_replace(rate(flask_http_request_total{status=~"5..",{{selector}}}[5s]), "deployment", "$1", "pod", "^(.+)-[^-]+-[^-]+$"))' },
    });
    try {
      const [healthy, failing] = await source.collectMany([target('healthy'), target('via-flask')]);
      expect(healthy?.values.http_5xx_error_rate).toBe(0);
      expect(Math.abs((failing?.values.http_5xx_error_rate ?? 0) - 3)).toBeLessThan(0.6);
    } finally {
      await source.close();
    }
  });
});

describe('feature set v2', () => {
  it('memory: working set over the limit, and minutes to the limit at the current slope', () => {
    expect(values('oom').memory_limit_ratio).toBeCloseTo(0.95, 6);
    expect(values('healthy')).toMatchObject({ memory_minutes_to_limit: 60 });
    // 100 MB + 1 MB/s against 200 MB: under two minutes left.
    expect(values('leak').memory_minutes_to_limit).toBeGreaterThan(0);
    expect(values('leak').memory_minutes_to_limit).toBeLessThan(2);
  });

  it('CPU: usage over the limit, over the request without one, and the throttled share', () => {
    expect(Math.abs((values('healthy').cpu_limit_ratio ?? 0) - 0.25)).toBeLessThan(0.03);
    expect(Math.abs((values('bursty').cpu_limit_ratio ?? 0) - 2.5)).toBeLessThan(0.3);
    expect(Math.abs((values('throttled').cpu_throttled_ratio ?? 0) - 0.4)).toBeLessThan(0.06);
    expect(values('healthy').cpu_throttled_ratio).toBe(0);
  });

  it('no limits: the limit ratios are missing as no-limit (explained), not 0', () => {
    expect(kinds('unlimited')).toMatchObject({ memory_limit_ratio: 'no-limit', memory_minutes_to_limit: 'no-limit', cpu_limit_ratio: 'no-limit', cpu_throttled_ratio: 'no-limit' });
    // A CPU request but no limit: no CFS quota, so no throttling to count.
    expect(kinds('bursty')).toMatchObject({ cpu_throttled_ratio: 'no-limit' });
  });

  it('restarts per pod, and the share of pods last OOM-killed that restarted in the window', () => {
    // The counters stand still in this fixture: no restart in the window, so no OOM-killed restart either.
    expect(values('oom')).toMatchObject({ restarts_per_pod: 0, oomkilled_pod_ratio: 0, error_exit_pod_ratio: 0 });
  });

  it('a 20-replica rolling update inside its maxUnavailable is a rollout, not an excess (its surge pods do not count)', () => {
    expect(values('rolling')).toMatchObject({ rollout_in_progress: 1, unavailable_excess_ratio: 0, ready_replica_ratio: 0.75, unavailable_replicas: 10 });
    expect(values('healthy')).toMatchObject({ rollout_in_progress: 0, rollout_stalled: 0 });
  });

  it('Recreate (no maxUnavailable): every replica short of available is an excess', () => {
    expect(values('recreate')).toMatchObject({ unavailable_excess_ratio: 1, ready_replica_ratio: 0 });
  });

  it('a stalled rollout, a release age, and the previous release measured before a young release', () => {
    expect(values('stalled').rollout_stalled).toBe(1);
    expect(values('stalled').release_age_minutes).toBeLessThan(2);
    expect(values('stalled').previous_release_ready_ratio).toBe(1);
    expect(Math.abs((values('stalled').previous_release_error_ratio ?? 1) - 0)).toBeLessThan(1e-9);
    expect(values('healthy').release_age_minutes).toBeGreaterThan(119);
    expect(kinds('healthy')).toMatchObject({ previous_release_error_ratio: 'not-applicable', previous_release_ready_ratio: 'not-applicable' });
    expect(kinds('newborn')).toMatchObject({ previous_release_error_ratio: 'no-history', previous_release_ready_ratio: 'no-history' });
  });

  it('costs ten queries for every seed and v2 feature, whatever the number of targets and presets', async () => {
    const proxy = await startCountingProxy(prometheus.url);
    const source = createPrometheusFeatureSource({ ...options(), url: proxy.url });
    try {
      const many = [...fleet.map((d) => target(d.name)), ...Array.from({ length: 200 }, (_, i): TargetRef => ({ namespace: `ns-${i % 7}`, kind: 'Deployment', name: `absent-${i}` }))];
      await source.collectMany(many);
      expect(proxy.paths).toEqual(new Array(10).fill('/api/v1/query'));
    } finally {
      await source.close();
      await proxy.close();
    }
  });

  it('a Deployment Prometheus knows nothing about: every feature missing, none explained', async () => {
    const source = createPrometheusFeatureSource(options());
    try {
      const ghost = await source.collect(target('ghost'));
      expect(Object.values(ghost.values).every((value) => value === null)).toBe(true);
      expect(explainMissing(ghost, FEATURES).explained).toEqual([]);
    } finally {
      await source.close();
    }
  });
});

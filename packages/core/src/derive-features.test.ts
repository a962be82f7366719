import { describe, expect, it } from 'vitest';
import { CPU_MINUTES_TO_LIMIT_CAP, DEFAULT_FEATURE_WINDOWS, FEATURE_SET_V2_NAMES, MEMORY_MINUTES_TO_LIMIT_CAP, RELEASE_AGE_MINUTES_CAP } from './feature-set-v2.js';
import { DEFAULT_FEATURE_NAMES } from './features.js';
import { deriveFeatures, type BaseSignalReading, type DeriveContext } from './derive-features.js';

const AT = Date.parse('2026-06-01T12:00:00Z');
const context: DeriveContext = { at: AT, key: 'prod/backend', windows: { ...DEFAULT_FEATURE_WINDOWS }, requestMetrics: true };
const minutesAgo = (minutes: number) => AT / 1000 - minutes * 60;

/** A healthy 4-replica Deployment, released 10 minutes ago, 3 hours old. */
const healthy: BaseSignalReading['values'] = {
  spec_replicas: 4,
  ready_replicas: 4,
  unavailable_replicas: 0,
  available_replicas: 4,
  max_unavailable: 1,
  deployment_created: minutesAgo(180),
  release_created: minutesAgo(10),
  requests_per_second: 100,
  prior_requests_per_second: 100,
  prior_ready_ratio: 1,
  memory_working_set_avg: 200e6,
  memory_limit_ratio_max: 0.4,
  cpu_usage_pct_avg: 25,
  cpu_limit_ratio_max: 0.5,
  cpu_limit_ratio_max_earlier: 0.5,
  cpu_throttled_ratio_max: 0.01,
  restarts_sum: 0,
  network_receive_rate_sum: 1e5,
};

function derive(values: BaseSignalReading['values'], features: readonly string[], extra: Partial<DeriveContext> & { failed?: BaseSignalReading['failed'] } = {}) {
  const { failed, ...rest } = extra;
  return deriveFeatures({ values, ...(failed ? { failed } : {}) }, { ...context, ...rest }, features);
}

describe('deriveFeatures: a healthy workload', () => {
  it('gives every seed and v2 feature a value within its range', () => {
    const { values, missing } = derive(healthy, [...DEFAULT_FEATURE_NAMES, ...FEATURE_SET_V2_NAMES]);
    expect(missing).toEqual([]);
    expect(values).toMatchObject({
      restart_count_last_5m: 0,
      cpu_usage_pct: 25,
      memory_usage_bytes: 200e6,
      ready_replica_ratio: 1,
      unavailable_replicas: 0,
      network_receive_bytes_per_s: 1e5,
      http_5xx_error_rate: 0,
      http_error_ratio: 0,
      http_requests_per_second: 100,
      unavailable_excess_ratio: 0,
      restarts_per_pod: 0,
      oomkilled_pod_ratio: 0,
      error_exit_pod_ratio: 0,
      memory_limit_ratio: 0.4,
      memory_minutes_to_limit: MEMORY_MINUTES_TO_LIMIT_CAP,
      cpu_limit_ratio: 0.5,
      cpu_throttled_ratio: 0.01,
      rollout_in_progress: 0,
      rollout_stalled: 0,
      previous_release_error_ratio: 0,
      previous_release_ready_ratio: 1,
      http_error_ratio_rise: 0,
      cpu_minutes_to_limit: CPU_MINUTES_TO_LIMIT_CAP,
    });
    expect(values.release_age_minutes).toBeCloseTo(10, 9);
  });
});

describe('deriveFeatures: scale-free signals', () => {
  it('the error ratio is errors over requests; the seed 5xx rate stays absolute', () => {
    const { values } = derive({ ...healthy, requests_per_second: 5000, errors_per_second: 5 }, ['http_error_ratio', 'http_5xx_error_rate']);
    expect(values).toEqual({ http_error_ratio: 0.001, http_5xx_error_rate: 5 });
  });

  it('one pod short of available inside the rollout\'s maxUnavailable is no excess; beyond it, the excess share', () => {
    expect(derive({ ...healthy, spec_replicas: 20, available_replicas: 19, max_unavailable: 5 }, ['unavailable_excess_ratio']).values.unavailable_excess_ratio).toBe(0);
    expect(derive({ ...healthy, spec_replicas: 20, available_replicas: 12, max_unavailable: 5 }, ['unavailable_excess_ratio']).values.unavailable_excess_ratio).toBe(0.15);
    // Recreate has no maxUnavailable series: every pod short of available is excess.
    const { max_unavailable: _drop, ...recreate } = healthy;
    expect(derive({ ...recreate, available_replicas: 2 }, ['unavailable_excess_ratio']).values.unavailable_excess_ratio).toBe(0.5);
  });

  it('surge pods still starting in a rolling update are no excess (the Deployment\'s unavailableReplicas counts them)', () => {
    // 59 desired, maxSurge 15, maxUnavailable 14: 74 pods, 45 available, unavailableReplicas 29 (as the sandbox and Kubernetes report it).
    const rolling = { ...healthy, spec_replicas: 59, available_replicas: 45, unavailable_replicas: 29, max_unavailable: 14 };
    expect(derive(rolling, ['unavailable_excess_ratio']).values.unavailable_excess_ratio).toBe(0);
    // More available than desired (a scale-down in progress) is no excess either.
    expect(derive({ ...healthy, available_replicas: 6 }, ['unavailable_excess_ratio']).values.unavailable_excess_ratio).toBe(0);
  });

  it('restarts and termination reasons are per desired replica', () => {
    const { values } = derive({ ...healthy, restarts_sum: 6, restarts_current_sum: 6, oomkilled_restarted_pods: 2, error_restarted_pods: 1 }, ['restarts_per_pod', 'oomkilled_pod_ratio', 'error_exit_pod_ratio']);
    expect(values).toEqual({ restarts_per_pod: 1.5, oomkilled_pod_ratio: 0.5, error_exit_pod_ratio: 0.25 });
  });

  it('counts the restarts of the pods that exist now: a replaced ReplicaSet\'s restarts no longer count', () => {
    // 12 restarts in the window, all of pods a rollback replaced: the seed sum keeps them, restarts per pod does not.
    const { values } = derive({ ...healthy, restarts_sum: 12 }, ['restart_count_last_5m', 'restarts_per_pod']);
    expect(values).toEqual({ restart_count_last_5m: 12, restarts_per_pod: 0 });
    expect(derive({ ...healthy, restarts_sum: 12, restarts_current_sum: 2 }, ['restarts_per_pod']).values.restarts_per_pod).toBe(0.5);
  });

  it('memory minutes to the limit come from the slowest-headroom container, capped', () => {
    expect(derive({ ...healthy, memory_seconds_to_limit_min: 300 }, ['memory_minutes_to_limit']).values.memory_minutes_to_limit).toBe(5);
    expect(derive({ ...healthy, memory_seconds_to_limit_min: 86_400 }, ['memory_minutes_to_limit']).values.memory_minutes_to_limit).toBe(MEMORY_MINUTES_TO_LIMIT_CAP);
  });

  it('CPU is judged against the limit, or the request of containers without one', () => {
    const { cpu_limit_ratio_max: _drop, ...noLimit } = healthy;
    expect(derive({ ...noLimit, cpu_request_ratio_max: 1.7 }, ['cpu_limit_ratio']).values.cpu_limit_ratio).toBe(1.7);
    expect(derive({ ...healthy, cpu_request_ratio_max: 1.2 }, ['cpu_limit_ratio']).values.cpu_limit_ratio).toBe(1.2);
  });

  it('a rollout in progress and a stalled rollout are flags; the release age is capped', () => {
    const { values } = derive({ ...healthy, rollout_in_progress: 3, progress_stalled: 1, release_created: minutesAgo(10_000) }, ['rollout_in_progress', 'rollout_stalled', 'release_age_minutes']);
    expect(values).toEqual({ rollout_in_progress: 1, rollout_stalled: 1, release_age_minutes: RELEASE_AGE_MINUTES_CAP });
  });

  it('the previous release window measures the release before a young one', () => {
    const { values } = derive({ ...healthy, prior_requests_per_second: 10, prior_errors_per_second: 0.2, prior_ready_ratio: 0.75 }, ['previous_release_error_ratio', 'previous_release_ready_ratio']);
    expect(values).toEqual({ previous_release_error_ratio: 0.02, previous_release_ready_ratio: 0.75 });
  });
});

describe('deriveFeatures: trends', () => {
  it('the error ratio\'s rise is measured against the workload\'s own look-back, whatever the release\'s age', () => {
    const released = { ...healthy, release_created: minutesAgo(600) };
    // Always 2% failing: no rise. Climbing from 0.1% to 2%: the difference, before any objective is breached.
    expect(derive({ ...released, errors_per_second: 2, prior_errors_per_second: 2 }, ['http_error_ratio_rise']).values.http_error_ratio_rise).toBe(0);
    // 12,000 requests now, 90,000 in the look-back: two standard errors of the difference at 2% come off.
    const noise = 2 * Math.sqrt(0.02 * 0.98 * (1 / 12_000 + 1 / 90_000));
    expect(derive({ ...released, errors_per_second: 2, prior_errors_per_second: 0.1 }, ['http_error_ratio_rise']).values.http_error_ratio_rise).toBeCloseTo(0.019 - noise, 9);
    // The same shares at 0.4 req/s (48 requests now, 360 before): counting explains the difference, no rise.
    expect(derive({ ...released, requests_per_second: 0.4, errors_per_second: 0.008, prior_requests_per_second: 0.4, prior_errors_per_second: 0.0004 }, ['http_error_ratio_rise']).values.http_error_ratio_rise).toBe(0);
    // Fewer errors than before is no rise (0), not a negative risk.
    expect(derive({ ...released, errors_per_second: 0, prior_errors_per_second: 3 }, ['http_error_ratio_rise']).values.http_error_ratio_rise).toBe(0);
  });

  it('the error ratio\'s rise is missing (explained kinds) without a current ratio, a young Deployment or no look-back', () => {
    const one = (values: BaseSignalReading['values']) => derive(values, ['http_error_ratio_rise']).missing[0]?.kind;
    expect(one({ ...healthy, requests_per_second: 0.01 })).toBe('low-traffic');
    expect(one({ ...healthy, deployment_created: minutesAgo(20) })).toBe('no-history');
    const { prior_requests_per_second: _drop, ...noLookBack } = healthy;
    expect(one(noLookBack)).toBe('no-history');
    expect(one({ ...healthy, prior_requests_per_second: 0.001 })).toBe('low-traffic');
    expect(derive(healthy, ['http_error_ratio_rise'], { failed: { prior_requests_per_second: 'timeout' } }).missing[0]?.kind).toBe('failed');
  });

  it('CPU minutes to the limit extrapolate the ratio\'s climb over the slope\'s span, capped; 0 at the limit', () => {
    // 0.5 → 0.75 in five minutes: 0.05 a minute, 0.25 of headroom left: five minutes.
    expect(derive({ ...healthy, cpu_limit_ratio_max: 0.75, cpu_limit_ratio_max_earlier: 0.5 }, ['cpu_minutes_to_limit']).values.cpu_minutes_to_limit).toBeCloseTo(5, 9);
    // Falling or flat: the cap. Slow: the cap too.
    expect(derive({ ...healthy, cpu_limit_ratio_max: 0.4, cpu_limit_ratio_max_earlier: 0.5 }, ['cpu_minutes_to_limit']).values.cpu_minutes_to_limit).toBe(CPU_MINUTES_TO_LIMIT_CAP);
    expect(derive({ ...healthy, cpu_limit_ratio_max: 0.501, cpu_limit_ratio_max_earlier: 0.5 }, ['cpu_minutes_to_limit']).values.cpu_minutes_to_limit).toBe(CPU_MINUTES_TO_LIMIT_CAP);
    expect(derive({ ...healthy, cpu_limit_ratio_max: 1.02, cpu_limit_ratio_max_earlier: 0.5 }, ['cpu_minutes_to_limit']).values.cpu_minutes_to_limit).toBe(0);
    // Against the request when there is no limit, as cpu_limit_ratio.
    const { cpu_limit_ratio_max: _a, cpu_limit_ratio_max_earlier: _b, ...requestOnly } = healthy;
    expect(derive({ ...requestOnly, cpu_request_ratio_max: 0.8, cpu_request_ratio_max_earlier: 0.6 }, ['cpu_minutes_to_limit']).values.cpu_minutes_to_limit).toBeCloseTo(5, 9);
  });

  it('CPU minutes to the limit: containers younger than the span are no-history; no limit is no-limit; a failure is failed', () => {
    const { cpu_limit_ratio_max_earlier: _drop, ...fresh } = healthy;
    expect(derive(fresh, ['cpu_minutes_to_limit']).missing).toEqual([expect.objectContaining({ feature: 'cpu_minutes_to_limit', kind: 'no-history' })]);
    const { cpu_limit_ratio_max: _a, cpu_limit_ratio_max_earlier: _b, ...noLimit } = healthy;
    expect(derive(noLimit, ['cpu_minutes_to_limit']).missing[0]?.kind).toBe('no-limit');
    expect(derive(healthy, ['cpu_minutes_to_limit'], { failed: { cpu_limit_ratio_max_earlier: 'timeout' } }).missing[0]?.kind).toBe('failed');
  });
});

describe('deriveFeatures: missing values say why, with a kind', () => {
  const kinds = (result: ReturnType<typeof derive>) => Object.fromEntries(result.missing.map((entry) => [entry.feature, entry.kind]));

  it('no pod running: pod-level signals are no-data, Deployment-level ones are present', () => {
    const down = { spec_replicas: 4, ready_replicas: 0, unavailable_replicas: 4, available_replicas: 0, max_unavailable: 1, release_created: minutesAgo(3) };
    const result = derive(down, ['ready_replica_ratio', 'unavailable_excess_ratio', 'memory_limit_ratio', 'cpu_throttled_ratio', 'http_error_ratio', 'restarts_per_pod', 'memory_usage_bytes']);
    expect(result.values).toMatchObject({ ready_replica_ratio: 0, unavailable_excess_ratio: 0.75 });
    expect(kinds(result)).toEqual({ memory_limit_ratio: 'no-data', cpu_throttled_ratio: 'no-data', http_error_ratio: 'no-data', restarts_per_pod: 'no-data', memory_usage_bytes: 'no-data' });
  });

  it('requests exist but none failed: the ratio and the 5xx rate are 0, not missing', () => {
    expect(derive({ ...healthy, requests_per_second: 3 }, ['http_error_ratio', 'http_5xx_error_rate']).values).toEqual({ http_error_ratio: 0, http_5xx_error_rate: 0 });
  });

  it('too few requests is low-traffic; an idle service has a 5xx rate of 0 only with minRequests 0', () => {
    expect(kinds(derive({ ...healthy, requests_per_second: 0.01 }, ['http_error_ratio', 'http_5xx_error_rate']))).toEqual({ http_error_ratio: 'low-traffic', http_5xx_error_rate: 'low-traffic' });
    const idle = derive({ ...healthy, requests_per_second: 0 }, ['http_error_ratio', 'http_5xx_error_rate'], { windows: { ...DEFAULT_FEATURE_WINDOWS, minRequests: 0 } });
    expect(idle.values.http_5xx_error_rate).toBe(0);
    expect(kinds(idle)).toEqual({ http_error_ratio: 'low-traffic' });
  });

  it('no request metrics configured: the request signals are not-configured', () => {
    const result = derive(healthy, ['http_error_ratio', 'http_requests_per_second', 'http_5xx_error_rate', 'previous_release_error_ratio'], { requestMetrics: false });
    expect(new Set(Object.values(kinds(result)))).toEqual(new Set(['not-configured']));
  });

  it('usage without a limit is no-limit; a limit without throttling series is plain no-data', () => {
    const { memory_limit_ratio_max: _m, cpu_limit_ratio_max: _c, cpu_throttled_ratio_max: _t, ...unlimited } = healthy;
    expect(kinds(derive(unlimited, ['memory_limit_ratio', 'memory_minutes_to_limit', 'cpu_limit_ratio', 'cpu_throttled_ratio']))).toEqual({
      memory_limit_ratio: 'no-limit',
      memory_minutes_to_limit: 'no-limit',
      cpu_limit_ratio: 'no-limit',
      cpu_throttled_ratio: 'no-limit',
    });
    const { cpu_throttled_ratio_max: _only, ...limitedNoCfs } = healthy;
    expect(kinds(derive(limitedNoCfs, ['cpu_throttled_ratio']))).toEqual({ cpu_throttled_ratio: 'no-data' });
  });

  it('the previous-release window: not-applicable for an old release, no-history for a young Deployment', () => {
    expect(kinds(derive({ ...healthy, release_created: minutesAgo(16) }, ['previous_release_error_ratio', 'previous_release_ready_ratio']))).toEqual({
      previous_release_error_ratio: 'not-applicable',
      previous_release_ready_ratio: 'not-applicable',
    });
    expect(kinds(derive({ ...healthy, deployment_created: minutesAgo(20) }, ['previous_release_error_ratio']))).toEqual({ previous_release_error_ratio: 'no-history' });
  });

  it('a failed query is failed, also for sparse signals that would otherwise read 0', () => {
    const failed = { errors_per_second: 'query of http failed: timeout', oomkilled_restarted_pods: 'query of restarts failed: bad_data' };
    const result = derive(healthy, ['http_error_ratio', 'oomkilled_pod_ratio', 'restarts_per_pod'], { failed });
    expect(kinds(result)).toEqual({ http_error_ratio: 'failed', oomkilled_pod_ratio: 'failed' });
    expect(result.missing[0]?.reason).toBe('query of http failed: timeout');
    expect(result.values.restarts_per_pod).toBe(0);
  });

  it('a Deployment scaled to zero has no ready ratio (0/0 is not a measurement)', () => {
    expect(kinds(derive({ ...healthy, spec_replicas: 0, ready_replicas: 0 }, ['ready_replica_ratio', 'unavailable_excess_ratio']))).toEqual({ ready_replica_ratio: 'no-data', unavailable_excess_ratio: 'no-data' });
  });

  it('refuses a feature it cannot derive, naming the ones it can', () => {
    expect(() => derive(healthy, ['queue_depth'])).toThrow(/no derivation for feature "queue_depth"; derivable: restart_count_last_5m/);
  });
});

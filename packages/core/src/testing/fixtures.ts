/** Ready-made values for tests of packages that consume DecisionRecords (Slack, dashboard, server). */
import type { DecisionRecord } from '../decision.js';
import type { FeatureVector } from '../features.js';

/** A complete, healthy vector of the seven default features. */
export const HEALTHY_FEATURES: Readonly<FeatureVector> = Object.freeze({
  restart_count_last_5m: 0,
  cpu_usage_pct: 20,
  memory_usage_bytes: 150_000_000,
  ready_replica_ratio: 1,
  unavailable_replicas: 0,
  network_receive_bytes_per_s: 12_000,
  http_5xx_error_rate: 0,
});

/** A complete vector of the default features that the default in-memory model scores at risk (about 0.98). */
export const AT_RISK_FEATURES: Readonly<FeatureVector> = Object.freeze({
  ...HEALTHY_FEATURES,
  restart_count_last_5m: 4,
  ready_replica_ratio: 0.5,
  unavailable_replicas: 2,
  http_5xx_error_rate: 0.5,
});

/**
 * A complete, healthy vector of feature set v2 (`FEATURE_SET_V2_NAMES`): a big service with its usual
 * background error ratio, an old release, no rollout, no earlier release in the window (`null`).
 * Spread it and change what a case is about, so each test shows only its difference.
 */
export const HEALTHY_FEATURES_V2: Readonly<FeatureVector> = Object.freeze({
  http_error_ratio: 0.001,
  http_requests_per_second: 5000,
  ready_replica_ratio: 1,
  unavailable_excess_ratio: 0,
  restarts_per_pod: 0,
  oomkilled_pod_ratio: 0,
  error_exit_pod_ratio: 0,
  memory_limit_ratio: 0.4,
  memory_minutes_to_limit: 60,
  cpu_limit_ratio: 0.3,
  cpu_throttled_ratio: 0,
  rollout_in_progress: 0,
  rollout_stalled: 0,
  release_age_minutes: 1440,
  previous_release_error_ratio: null,
  previous_release_ready_ratio: null,
  http_error_ratio_rise: 0,
  cpu_minutes_to_limit: 60,
});

/**
 * A valid DecisionRecord (a healthy target, decision `none`), with `overrides` applied on top
 * (shallowly: pass whole nested objects such as `ladder` or `assessment` to change them).
 *
 * @example
 * const record = makeDecisionRecord({ decision: 'handoff', summary: 'prod/backend: handoff' });
 */
export function makeDecisionRecord(overrides: Partial<DecisionRecord> = {}): DecisionRecord {
  const base: DecisionRecord = {
    id: '0lx1b2c3d-000001-fixture',
    target: { namespace: 'prod', kind: 'Deployment', name: 'backend' },
    time: '2026-01-01T00:00:00.000Z',
    features: { ...HEALTHY_FEATURES },
    missing: [],
    assessment: {
      probability: 0.05,
      threshold: 0.5,
      verdict: 'healthy',
      model: { name: 'in-memory', version: '0.0.0-in-memory' },
      contributions: [{ feature: 'restart_count_last_5m', value: 0, contribution: 0 }],
      missingFeatures: [],
    },
    decision: 'none',
    ladder: { attempt: 0, maxAttempts: 3, nextStep: 'restart' },
    circuit: { open: false, actionsInWindow: 0, maxActions: 5 },
    dryRun: false,
    summary: 'prod/backend: healthy (risk 0.05 < 0.50), nothing to do',
    durationMs: 3,
  };
  return { ...base, ...overrides };
}

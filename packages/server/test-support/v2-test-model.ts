/**
 * A small feature-set-v2 model file for server tests, beside the shipped models/risk-v2.onnx: the
 * ONNX adapter's `buildV2TreeModel` (three hand-checkable trees, `feature_set: v2`, threshold 0.4),
 * written to `fixtures/risk-v2-test.onnx`; the adapter's tests check the file still equals the builder's
 * output. Its probabilities: sigmoid(-0.5 + error ratio > 5% ? 2.5 : -1.0 + ready ratio < 0.75 or
 * missing ? 2.5 : -0.5 + restarts per pod > 0.5 ? 2.0 : -0.3).
 */
import { fileURLToPath } from 'node:url';

/** The fixture's path. */
export const V2_TEST_MODEL = fileURLToPath(new URL('./fixtures/risk-v2-test.onnx', import.meta.url));
/** The threshold its metadata recommends. */
export const V2_TEST_THRESHOLD = 0.4;

/** A healthy v2 body: a big service with its usual background error ratio, no rollout. */
export const HEALTHY_V2 = {
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
  previous_release_error_ratio: 0.001,
  previous_release_ready_ratio: 1,
};

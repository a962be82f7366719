/**
 * The monotone constraints of model v2, one decision per feature of feature set v2. A harmful signal
 * may only raise the risk, a protective one only lower it; a neutral one is context and stays free.
 * They follow core's `FEATURE_SET_V2` directions. Five features the trees may not split on at all
 * ({@link V2_NO_SPLIT}): the absolute request rate, and the four that say "a release is young".
 */
import { FEATURE_SET_V2_NAMES, type FeatureSetV2Name } from '@autoheal/core';
import type { MonotoneDirection } from './gbdt.js';

/** Direction and the reason for it, per v2 feature. */
export const V2_MONOTONE: Readonly<Record<FeatureSetV2Name, { direction: MonotoneDirection; why: string }>> = Object.freeze({
  http_error_ratio: { direction: 1, why: 'more of the requests failing is never better' },
  http_requests_per_second: { direction: 0, why: 'volume is context, not a judgement (and it is not split on: see V2_NO_SPLIT)' },
  ready_replica_ratio: { direction: -1, why: 'more ready replicas is never worse (and it is not split on: see V2_NO_SPLIT)' },
  unavailable_excess_ratio: { direction: 1, why: 'more pods down than the rollout allows is never better' },
  restarts_per_pod: { direction: 1, why: 'more restarts per pod is never better' },
  oomkilled_pod_ratio: { direction: 1, why: 'more pods OOM-killed is never better' },
  error_exit_pod_ratio: { direction: 1, why: 'more pods exiting with an error is never better' },
  memory_limit_ratio: { direction: 1, why: 'less headroom before the memory limit is never better' },
  memory_minutes_to_limit: { direction: -1, why: 'more time before the limit at the current slope is never worse' },
  cpu_limit_ratio: { direction: 1, why: 'a CPU closer to (or past) its limit is never better' },
  cpu_throttled_ratio: { direction: 1, why: 'more throttled periods is never better' },
  rollout_in_progress: { direction: 0, why: 'a rollout is routine (and it is not split on: see V2_NO_SPLIT)' },
  rollout_stalled: { direction: 1, why: 'a rollout past its progress deadline is never better' },
  release_age_minutes: { direction: 0, why: 'how young the release is says nothing by itself (and it is not split on: see V2_NO_SPLIT)' },
  previous_release_error_ratio: { direction: 0, why: 'history, not the present (and it is not split on: see V2_NO_SPLIT)' },
  previous_release_ready_ratio: { direction: 0, why: 'history, not the present (and it is not split on: see V2_NO_SPLIT)' },
  http_error_ratio_rise: { direction: 1, why: 'errors climbing further above the workload\'s own baseline is never better' },
  cpu_minutes_to_limit: { direction: -1, why: 'more time before the CPU limit at the current climb is never worse (and it is not split on: see V2_NO_SPLIT)' },
});

/**
 * Features the trees may not split on (they stay inputs of the model):
 *
 * - `http_requests_per_second` is absolute (it grows with the service): splitting on it would make
 *   risk depend on size again.
 * - `rollout_in_progress`, `release_age_minutes` and the two previous-release features (present only
 *   within 15 minutes of a release) all say "a release is young". In the catalogue three of the seven
 *   fault families arrive with a release, so a young release with nothing wrong yet is positive far
 *   more often than in a real cluster, where most releases are fine; trained on them the model
 *   flagged healthy rolling updates (a 0.95 risk for a 9-minute-old release with every signal
 *   healthy). Without them it judges a release by its effects (errors, exits, restarts, readiness
 *   beyond the rollout's budget), which appear within a scrape or two of a bad release.
 * - `ready_replica_ratio` is raw: a healthy rolling update of a big service is 75% ready by design
 *   (maxUnavailable 25%), and the validation fold's highest healthy scores were such rollouts. What
 *   the trees should learn from is readiness beyond the rollout's budget (`unavailable_excess_ratio`);
 *   a ready ratio that breaks the objective (< 0.5) still fires the detection trees.
 * - `cpu_minutes_to_limit` reads a traffic step as a climb for five minutes (its two-point slope
 *   spans the step): trained on it with surges that all saturate, the model scored a healthy big
 *   service after a traffic swing 0.996. The diagnosis still reads it, to scale a surge that builds
 *   before it saturates.
 */
export const V2_NO_SPLIT: readonly FeatureSetV2Name[] = ['http_requests_per_second', 'rollout_in_progress', 'release_age_minutes', 'previous_release_error_ratio', 'previous_release_ready_ratio', 'cpu_minutes_to_limit', 'ready_replica_ratio'];

/** The directions in `FEATURE_SET_V2_NAMES` order. */
export function v2MonotoneDirections(): MonotoneDirection[] {
  return FEATURE_SET_V2_NAMES.map((name) => V2_MONOTONE[name].direction);
}

/**
 * Missing is not one thing. A signal can be absent because nothing can be seen (a failed query, a
 * misconfigured exporter: the verdict must be `unknown`), or because of a fact that other,
 * authoritative signals state: no container is running, so there is no memory series; no request
 * metrics are configured for the workload; the containers set no memory limit. The second kind is
 * *explained*: it must not blind the decision, and the model receives the value as missing (NaN).
 *
 * The rules per feature are {@link MISSING_RULES}. An absence is explained only when its kind is one
 * the feature accepts and the rule's condition holds on values that are themselves present; an
 * unexplained missing feature still makes the verdict `unknown` (`verdictFor`). Query failures are
 * never explained.
 */
import type { FeatureObservation, FeatureVector } from './features.js';

/**
 * Why a value is missing, as the source reports it (`FeatureObservation.missing[].kind`):
 * - `no-data`: no series in the window (stale, never scraped, no pod). The default when a source gives no kind.
 * - `failed`: the query failed, or returned NaN, ±Inf or more than one series.
 * - `low-traffic`: fewer requests than `minRequests` in the window: a ratio of so few is noise.
 * - `not-configured`: no request metrics are configured for this workload (request preset `none`).
 * - `no-limit`: the containers set no limit (and, for CPU, no request) to measure against; the source
 *   saw the usage series but no limit series.
 * - `not-applicable`: the previous-release window overlaps the current release (the release is older
 *   than the look-back), so it would not measure the previous release.
 * - `no-history`: the Deployment (or, for a trend, its containers) is younger than the look-back the
 *   feature compares with, or Prometheus has not kept that far back.
 */
export type MissingKind = 'no-data' | 'failed' | 'low-traffic' | 'not-configured' | 'no-limit' | 'not-applicable' | 'no-history';

/** Every missing kind (for schemas). */
export const MISSING_KINDS = ['no-data', 'failed', 'low-traffic', 'not-configured', 'no-limit', 'not-applicable', 'no-history'] as const satisfies readonly MissingKind[];

/** One way an absence can be explained. */
export interface MissingRule {
  /** The absence this rule explains. */
  kind: MissingKind;
  /** A condition on other features that must hold (on present, finite values); none = the kind alone explains it. */
  when?: { feature: string; holds: (value: number) => boolean; words: string };
  /** Why this absence does not blind the decision, in words (shown in the record). */
  because: string;
}

/** An absence the rules explained, as recorded in the assessment. */
export interface ExplainedMissing {
  feature: string;
  kind: MissingKind;
  /** Why it does not blind the decision. */
  because: string;
  /** The present features the explanation rests on (empty when the source's report alone explains it). */
  by: string[];
}

/** No ready replica: the Deployment status (kube-state-metrics) says the workload is down. */
const WHEN_DOWN = { feature: 'ready_replica_ratio', holds: (value: number) => value === 0, words: 'ready_replica_ratio is 0' };

const down = (what: string): MissingRule => ({
  kind: 'no-data',
  when: WHEN_DOWN,
  because: `no replica is ready, so there is no ${what} to measure; the Deployment status says what is wrong`,
});
const lowTraffic: MissingRule = { kind: 'low-traffic', because: 'too few requests in the window to judge a ratio; the request count itself was measured' };
const notConfigured: MissingRule = { kind: 'not-configured', because: 'no request metrics are configured for this workload' };

/**
 * Which absences are explained, per feature (seed and v2). A feature not listed (the Deployment-level
 * signals from kube-state-metrics: ready ratio, unavailable replicas, rollout state, release age) is
 * authoritative: its absence is never explained.
 */
export const MISSING_RULES: Readonly<Record<string, readonly MissingRule[]>> = Object.freeze({
  // The seven seed features: pod-level series vanish when no pod runs.
  restart_count_last_5m: [down('container')],
  cpu_usage_pct: [down('running container')],
  memory_usage_bytes: [down('running container')],
  network_receive_bytes_per_s: [down('running pod')],
  http_5xx_error_rate: [down('request series'), lowTraffic, notConfigured],
  // Feature set v2.
  http_error_ratio: [down('request series'), lowTraffic, notConfigured],
  http_requests_per_second: [down('request series'), notConfigured],
  restarts_per_pod: [down('container')],
  oomkilled_pod_ratio: [down('container')],
  error_exit_pod_ratio: [down('container')],
  memory_limit_ratio: [down('running container'), { kind: 'no-limit', because: 'the containers set no memory limit: there is no headroom to measure' }],
  memory_minutes_to_limit: [down('running container'), { kind: 'no-limit', because: 'the containers set no memory limit: there is no limit to reach' }],
  cpu_limit_ratio: [down('running container'), { kind: 'no-limit', because: 'the containers set neither a CPU limit nor a request to measure against' }],
  cpu_throttled_ratio: [down('running container'), { kind: 'no-limit', because: 'the containers have no CPU limit, so they are never throttled' }],
  previous_release_error_ratio: [
    { kind: 'not-applicable', because: 'the current release is older than the look-back: the window would measure the current release' },
    { kind: 'no-history', because: 'the Deployment is younger than the look-back: there was no previous release to measure' },
    { kind: 'no-data', when: { feature: 'previous_release_ready_ratio', holds: (value) => value === 0, words: 'previous_release_ready_ratio is 0' }, because: 'no replica was ready in the previous-release window, so nothing served requests' },
    lowTraffic,
    notConfigured,
  ],
  previous_release_ready_ratio: [
    { kind: 'not-applicable', because: 'the current release is older than the look-back: the window would measure the current release' },
    { kind: 'no-history', because: 'the Deployment is younger than the look-back: there was no previous release to measure' },
  ],
  http_error_ratio_rise: [
    down('request series'),
    lowTraffic,
    notConfigured,
    { kind: 'no-history', because: 'there is no request history of the look-back to compare with (a young Deployment, or Prometheus has not kept it); the current error ratio is judged on its own' },
  ],
  cpu_minutes_to_limit: [
    down('running container'),
    { kind: 'no-limit', because: 'the containers set neither a CPU limit nor a request to measure against' },
    { kind: 'no-history', because: 'the containers are younger than the slope\'s span (a rollout or a restart): the current CPU ratio is judged on its own' },
  ],
});

/**
 * Splits the `missing` features of an observation into explained and unexplained ones. A source that
 * gives no kind reports `no-data`. A rule's condition must hold on a present, finite value: an
 * explanation resting on something that cannot be seen explains nothing.
 *
 * @example
 * const { explained, unexplained } = explainMissing(observation, ['memory_usage_bytes']);
 * // ready_replica_ratio 0 -> explained: [{ feature: 'memory_usage_bytes', kind: 'no-data', by: ['ready_replica_ratio'], because: '...' }]
 */
export function explainMissing(
  observation: Pick<FeatureObservation, 'values' | 'missing'>,
  missing: readonly string[],
): { explained: ExplainedMissing[]; unexplained: string[] } {
  const explained: ExplainedMissing[] = [];
  const unexplained: string[] = [];
  for (const feature of missing) {
    const kind = observation.missing.find((entry) => entry.feature === feature)?.kind ?? 'no-data';
    const rule = (MISSING_RULES[feature] ?? []).find((candidate) => candidate.kind === kind && conditionHolds(candidate, observation.values));
    if (rule) explained.push({ feature, kind, because: rule.when ? `${rule.because} (${rule.when.words})` : rule.because, by: rule.when ? [rule.when.feature] : [] });
    else unexplained.push(feature);
  }
  return { explained, unexplained };
}

function conditionHolds(rule: MissingRule, values: FeatureVector): boolean {
  if (!rule.when) return true;
  const value = values[rule.when.feature];
  return typeof value === 'number' && Number.isFinite(value) && rule.when.holds(value);
}

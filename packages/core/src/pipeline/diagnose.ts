/**
 * Diagnosis: the most likely cause of a target's trouble, with its evidence, and the step that
 * addresses it — named before the ladder picks a step. Pure: a table of rules over the look's
 * features (feature set v2 where the source provides it) and the episode so far.
 *
 * Why: the fixed ladder climbs restart → cache clear → rollback one re-check at a time, so the most
 * common real failure, a bad release, waits two re-checks (minutes of errors) for the only step that
 * helps; a CPU-starved workload gets a rolling restart that takes capacity away. The signals usually
 * say which it is. When no rule is confident (or the source has only the seven seed signals), the
 * diagnosis is `unclear` and the configured ladder runs in its order, exactly as before.
 *
 * The rules, first match wins:
 * 1. bad release — the current release is minutes old, the window before it was healthy, and the
 *    trouble (errors, crashing pods, unavailable replicas beyond the rollout's budget, a stalled
 *    rollout) started with it → roll back first. When the window before had too little traffic for
 *    an error ratio, its readiness alone is the baseline, and only crashing or unavailable pods count
 *    as trouble (errors now have nothing to be compared with). Not after a restart this episode: a rollout restart
 *    is a new ReplicaSet too, so the "current release" would be autoheal's own restart and rolling
 *    it back undoes the restart instead of a release. It also needs the previous-release features,
 *    which read 15–30 min back: a Deployment (or a Prometheus) younger than that has no evidence, and
 *    the rule does not guess (the ladder runs);
 * 2. memory — OOM kills, memory at its limit, or the limit reached within minutes at the current
 *    slope (not while pods crash: restarts make the slope) → restart (with its scale-up);
 * 3. CPU — pegged at its limit or throttled, while no pod crashes (start-up bursts throttle) → scale out;
 * 4. cache — errors with memory held high without OOM kills or crashes, or memory still high after a restart
 *    this episode (a restart does not shrink a cache that outlives pods) → clear the cache;
 * 5. outside the pods — requests fail beyond the objective's share while every replica is ready, none
 *    exits or is OOM-killed, CPU is not saturated and memory neither grows nor sits high, and no
 *    release is new: nothing a restart, a cache clear or a rollback changes is in trouble (a failing
 *    dependency, a downstream outage) → no step: the target is handed off to a human. In the outcome
 *    benchmark every failing dependency got restart, cache clear and rollback, all wrong (91 steps).
 */
import type { FeatureVector } from '../features.js';
import type { HealingState, HealStepKind } from '../healing.js';
import type { Diagnosis, DiagnosisCause } from '../decision.js';
import { MEMORY_MINUTES_TO_LIMIT_CAP, RESTART_WINDOW_SECONDS } from '../feature-set-v2.js';

/** The thresholds of the rules. Physical limits, not fitted values; see each for why. */
export const DIAGNOSIS_RULES = Object.freeze({
  /** A release younger than this is "new": the previous-release window (15 min ending 15 min ago) still describes the one before it. */
  recentReleaseMinutes: 15,
  /**
   * The window before the release served at most this share of errors (the availability objective's):
   * healthy by its objective. Not a tighter bound: a workload whose dependency always fails 1–2% of
   * calls was healthy before its release too (measured: in the outcome benchmark a 17-replica service
   * at 1.99% background errors read 2.0x% before its bad release, and got a restart and a cache clear
   * before the rollback, 4.5 breach-minutes, where the same release without the background got the
   * rollback first and none). What points at the release is the errors' rise, `troubleErrorRise`.
   */
  previousHealthyErrorRatio: 0.05,
  /** …with at least this ready ratio. */
  previousHealthyReadyRatio: 0.9,
  /**
   * A new release serving more errors than this fails where the one before did not… Not up to the
   * objective's 5%: that is where the outage is already on, and the rule only runs once the model
   * says the target is at risk, which it may say while a fresh release's errors still climb.
   */
  troubleErrorRatio: 0.02,
  /**
   * …and at least this much (points of ratio) above the window before it, so a workload that always
   * fails about 2% is judged against its own level. Only a point: a bad release's first look comes
   * while its errors still climb (measured: requiring two points above the window before delayed one
   * bad release of the outcome benchmark's to a restart and a cache clear before its rollback).
   */
  troubleErrorRise: 0.01,
  /** Memory within this fraction of its limit is at the limit. */
  memoryAtLimitRatio: 0.92,
  /** Reaching the limit within this many minutes at the current slope is a leak about to OOM. */
  memoryMinutesToLimit: 10,
  /** CPU at this fraction of its limit (or request) is saturated. */
  cpuSaturatedRatio: 0.9,
  /** Throttled in this share of CFS periods is saturated. */
  cpuThrottledRatio: 0.3,
  /**
   * CPU reaching its limit within this many minutes at its climb (`cpu_minutes_to_limit`) is a surge
   * building: more replicas before it saturates, not a restart.
   */
  cpuMinutesToLimit: 10,
  /** …from at least this share of the limit (a climb from idle is noise, not a surge). */
  cpuClimbingRatio: 0.5,
  /**
   * Errors this far above the workload's own ratio 15–30 min ago, beyond counting noise
   * (`http_error_ratio_rise`), are rising: with a growing working set that is a cache filling up, not
   * a leak (a leak fails nothing until its OOM kill). Half a point: the outcome benchmark's weakest
   * caches were flagged at 0.5–1% errors, where the held-high rule's 2% never matched and a restart
   * (which does not empty a shared cache) went first.
   */
  errorRise: 0.005,
  /** Errors above this share with memory held above `cacheMemoryRatio` and no OOM kills look like a bloated cache. */
  cacheErrorRatio: 0.02,
  cacheMemoryRatio: 0.6,
  /**
   * Requests failing beyond this share with healthy pods point outside them: the availability
   * objective's error bound (5%), where users already feel it. Background errors of a healthy
   * workload (0.2–2% in the sandbox's catalogue) stay below it.
   */
  outsideErrorRatio: 0.05,
  /**
   * …with every replica ready. Not the 90% a healthy window before a release has to meet: a CPU
   * saturation begins with overloaded 503s and one pod failing its readiness while the CPU rate
   * (a 2-minute window) still lags below its bound (the outcome benchmark's cpu-saturation/0.9/large/1:
   * 6% errors, 91% ready, CPU at 32% 12 s after the onset), and that is not a dependency.
   */
  outsideReadyRatio: 1,
});

type Values = Readonly<Record<string, number | null | undefined>>;

/** `memory_minutes_to_limit` at its cap: no growth over the trend window (see feature set v2). */
const MEMORY_FLAT_MINUTES = MEMORY_MINUTES_TO_LIMIT_CAP;

const value = (values: Values, name: string): number | undefined => {
  const v = values[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};
/** Pods are exiting with errors (crashing, not OOM-killed) in the last minutes. */
const crashing = (values: Values) => (value(values, 'error_exit_pod_ratio') ?? 0) > 0;
/** Requests fail more than they did 15–30 minutes ago, by at least `errorRise`. */
const errorsRising = (values: Values) => (value(values, 'http_error_ratio_rise') ?? 0) >= DIAGNOSIS_RULES.errorRise;
/**
 * A cache filling up: errors rising while the working set grows, with pods that are not fresh — no
 * container restarted in the last 5 minutes and the current ReplicaSet older than that. Fresh pods
 * (a rollout restart, autoheal's own included, or a crash) refill their working set and fail
 * requests while they start, so after one the same two signs say nothing about a cache (the outcome
 * benchmark's leaks, relapsing after their first restart, were sent to a cache clear, then a rollback).
 */
const cacheFilling = (values: Values) => {
  const toLimit = value(values, 'memory_minutes_to_limit');
  const growing = toLimit !== undefined && toLimit < MEMORY_FLAT_MINUTES;
  const restarted = (value(values, 'restarts_per_pod') ?? 0) > 0 || (value(values, 'oomkilled_pod_ratio') ?? 0) > 0;
  const freshReplicaSet = (value(values, 'release_age_minutes') ?? Number.POSITIVE_INFINITY) < RESTART_WINDOW_SECONDS / 60;
  return errorsRising(values) && growing && !restarted && !freshReplicaSet;
};
const percent = (ratio: number) => `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)}%`;
const minutes = (m: number) => (m < 1 ? 'under a minute' : `${Math.round(m)} min`);

interface Rule {
  cause: Exclude<DiagnosisCause, 'unclear'>;
  /** Absent: no step of the ladder addresses the cause. */
  step?: HealStepKind;
  /** The evidence when the rule matches, else undefined. */
  match(values: Values, state: HealingState): string[] | undefined;
}

const R = DIAGNOSIS_RULES;

const RULES: readonly Rule[] = [
  {
    cause: 'bad-release',
    step: 'rollback',
    match(values, state) {
      // The youngest ReplicaSet may be the restart this episode took, not a release (see above).
      if ((state.steps ?? []).includes('restart')) return undefined;
      const age = value(values, 'release_age_minutes');
      const previousErrors = value(values, 'previous_release_error_ratio');
      const previousReady = value(values, 'previous_release_ready_ratio');
      if (age === undefined || age > R.recentReleaseMinutes || previousReady === undefined) return undefined;
      // The window before had too little traffic for an error ratio (or the workload has no request
      // metrics): its readiness is still evidence, so pods that crash or stay unavailable now still
      // point at the release; errors now cannot be compared with anything, so they do not count.
      if (previousReady < R.previousHealthyReadyRatio || (previousErrors !== undefined && previousErrors > R.previousHealthyErrorRatio)) return undefined;
      const trouble: string[] = [];
      const errors = value(values, 'http_error_ratio');
      if (previousErrors !== undefined && errors !== undefined && errors > Math.max(R.troubleErrorRatio, previousErrors + R.troubleErrorRise)) trouble.push(`${percent(errors)} of requests fail`);
      const crashing = value(values, 'error_exit_pod_ratio');
      if (crashing !== undefined && crashing > 0) trouble.push(`${percent(crashing)} of pods exit with errors`);
      const excess = value(values, 'unavailable_excess_ratio');
      if (excess !== undefined && excess > 0) trouble.push(`${percent(excess)} of replicas unavailable beyond the rollout's budget`);
      if (value(values, 'rollout_stalled') === 1) trouble.push('the rollout stopped progressing');
      if (trouble.length === 0) return undefined;
      return [
        `the current release is ${minutes(age)} old`,
        `before it: ${previousErrors === undefined ? 'errors not measured (too little traffic)' : `${percent(previousErrors)} errors`}, ${percent(previousReady)} ready`,
        `now: ${trouble.join(', ')}`,
      ];
    },
  },
  {
    cause: 'memory',
    step: 'restart',
    match(values) {
      const evidence: string[] = [];
      const oom = value(values, 'oomkilled_pod_ratio');
      if (oom !== undefined && oom > 0) evidence.push(`${percent(oom)} of pods were OOM-killed in the last 5 min`);
      const atLimit = value(values, 'memory_limit_ratio');
      if (atLimit !== undefined && atLimit >= R.memoryAtLimitRatio) evidence.push(`memory at ${percent(atLimit)} of its limit`);
      // A container that exits restarts its working set from zero, and its replacement's warm-up
      // climbs: while pods crash, the slope measures the restarts, not a leak (the demo's bad
      // release projected its 39%-full pods to the limit "in 1 min").
      // Requests failing more and more while the working set grows is a cache filling up: it fails
      // requests long before memory runs out, and a restart does not empty a shared cache.
      const toLimit = value(values, 'memory_minutes_to_limit');
      if (toLimit !== undefined && toLimit <= R.memoryMinutesToLimit && !crashing(values) && !cacheFilling(values)) evidence.push(`the limit is reached in ${minutes(toLimit)} at the current slope`);
      return evidence.length > 0 ? evidence : undefined;
    },
  },
  {
    cause: 'cpu-saturation',
    step: 'scale',
    match(values) {
      // Pods that crash and start again burn their start-up CPU in bursts that throttle (the demo's
      // crash-looping release: throttled in 33% of periods at 30% of its limit); more replicas of a
      // crashing release are not the remedy.
      if (crashing(values)) return undefined;
      const evidence: string[] = [];
      const cpu = value(values, 'cpu_limit_ratio');
      if (cpu !== undefined && cpu >= R.cpuSaturatedRatio) evidence.push(`CPU at ${percent(cpu)} of its limit`);
      const throttled = value(values, 'cpu_throttled_ratio');
      if (throttled !== undefined && throttled >= R.cpuThrottledRatio) evidence.push(`throttled in ${percent(throttled)} of CPU periods`);
      // A surge that builds: warned before it saturates, the remedy is the same.
      const toLimit = value(values, 'cpu_minutes_to_limit');
      if (evidence.length === 0 && cpu !== undefined && cpu >= R.cpuClimbingRatio && toLimit !== undefined && toLimit <= R.cpuMinutesToLimit) {
        evidence.push(`CPU at ${percent(cpu)} of its limit and climbing: the limit is reached in ${minutes(toLimit)} at the current climb`);
      }
      return evidence.length > 0 ? evidence : undefined;
    },
  },
  {
    cause: 'cache',
    step: 'cache',
    match(values, state) {
      const errors = value(values, 'http_error_ratio');
      const memory = value(values, 'memory_limit_ratio');
      const oom = value(values, 'oomkilled_pod_ratio');
      // A bloated cache slows and fails requests; it does not make pods exit (that is a crash).
      if (errors === undefined || memory === undefined || (oom ?? 0) > 0 || crashing(values)) return undefined;
      // Held high with errors, or still filling up: errors rising above the workload's own baseline
      // while the working set grows (caught before memory is high, 39–55% of the limit in the
      // outcome benchmark, and before errors reach 2%).
      const rise = value(values, 'http_error_ratio_rise');
      const filling = cacheFilling(values);
      if (!filling && (errors < R.cacheErrorRatio || memory < R.cacheMemoryRatio)) return undefined;
      const evidence =
        memory >= R.cacheMemoryRatio
          ? [`${percent(errors)} of requests fail`, `memory held at ${percent(memory)} of its limit without OOM kills`]
          : [`${percent(errors)} of requests fail, ${percent(rise ?? 0)} more than 15–30 min ago`, `memory growing at ${percent(memory)} of its limit without OOM kills`];
      if ((state.steps ?? []).includes('restart')) evidence.push('a restart this episode did not bring memory down');
      return evidence;
    },
  },
  {
    cause: 'outside-pods',
    match(values, state) {
      const errors = value(values, 'http_error_ratio');
      const ready = value(values, 'ready_replica_ratio');
      const memory = value(values, 'memory_limit_ratio');
      const toLimit = value(values, 'memory_minutes_to_limit');
      const age = value(values, 'release_age_minutes');
      const cpu = value(values, 'cpu_limit_ratio');
      // Every signal must be there and calm: a missing one is no evidence that the pods are fine.
      if (errors === undefined || ready === undefined || memory === undefined || toLimit === undefined || age === undefined || cpu === undefined) return undefined;
      // A ratio of counts: every replica ready reads as 1 (a small tolerance for float arithmetic).
      if (errors <= R.outsideErrorRatio || ready < R.outsideReadyRatio - 1e-9) return undefined;
      if ((value(values, 'oomkilled_pod_ratio') ?? 0) > 0 || crashing(values) || (value(values, 'restarts_per_pod') ?? 0) > 0) return undefined;
      if (value(values, 'rollout_in_progress') === 1 || value(values, 'rollout_stalled') === 1) return undefined;
      if (memory >= R.cacheMemoryRatio || toLimit < MEMORY_FLAT_MINUTES || cpu >= R.cpuSaturatedRatio || (value(values, 'cpu_throttled_ratio') ?? 0) >= R.cpuThrottledRatio) return undefined;
      // A release minutes old may be the cause, and a rollback is a step: ruled out only by an old
      // release or by a rollback this episode already took (or had refused). After autoheal's own
      // restart the "release" is that restart, whose age says nothing about the release before it.
      const rolledBack = [...(state.steps ?? []), ...(state.skipped ?? [])].includes('rollback');
      if (age <= R.recentReleaseMinutes && !rolledBack) return undefined;
      return [
        `${percent(errors)} of requests fail while ${percent(ready)} of replicas are ready`,
        'no pod restarts, exits or is OOM-killed',
        `CPU at ${percent(cpu)} of its limit, memory flat at ${percent(memory)}`,
        age > R.recentReleaseMinutes ? `the release is ${minutes(age)} old` : 'the rollback this episode did not help',
      ];
    },
  },
];

/**
 * Names the most likely cause of the trouble, its evidence, and the step that addresses it.
 *
 * @example
 * diagnose({ release_age_minutes: 3, previous_release_error_ratio: 0, previous_release_ready_ratio: 1, http_error_ratio: 0.4 }, { attempt: 0 });
 * // { cause: 'bad-release', step: 'rollback', summary: 'rollback first: the current release is 3 min old; …', … }
 */
export function diagnose(values: FeatureVector | Values, state: HealingState): Diagnosis {
  const crashLoop = crashing(values) ? ({ crashLoop: true } as const) : {};
  for (const rule of RULES) {
    const evidence = rule.match(values, state);
    if (!evidence) continue;
    if (rule.step === undefined) return { cause: rule.cause, evidence, summary: `no step can help, a human is needed: ${evidence.join('; ')}`, ...crashLoop };
    return { cause: rule.cause, step: rule.step, evidence, summary: `${rule.step} first: ${evidence.join('; ')}`, ...crashLoop };
  }
  return { cause: 'unclear', evidence: [], summary: 'no confident diagnosis: the ladder in its order', ...crashLoop };
}

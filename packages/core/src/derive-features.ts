/**
 * From per-Deployment aggregates ("base signals") to feature values, for the seven seed features and
 * feature set v2. One pure function, shared by every producer: the Prometheus adapter fetches the
 * base signals with a fixed number of grouped queries, the trainer computes them from recorded
 * samples, and both call {@link deriveFeatures}, so a feature's arithmetic, caps and missing rules
 * exist once.
 *
 * A base signal is either *dense* (a series per Deployment whenever there is data) or *sparse*
 * (a series only when the fact holds, e.g. a rollout in progress, an OOM-killed pod): a sparse
 * signal's absence reads as 0 (or the cap) when its *anchor* — a dense signal from the same
 * exporter — is present, and as missing otherwise. That is how "nothing to report" stays distinct
 * from nothing seen at all.
 */
import { featureDefinition, type FeatureVector } from './features.js';
import {
  CPU_MINUTES_TO_LIMIT_CAP,
  cpuSlopeSeconds,
  MEMORY_MINUTES_TO_LIMIT_CAP,
  RELEASE_AGE_MINUTES_CAP,
  type FeatureWindows,
} from './feature-set-v2.js';
import type { MissingKind } from './missing-explanations.js';

/** The per-Deployment aggregates the features are derived from. */
export const BASE_SIGNALS = Object.freeze({
  spec_replicas: 'max of kube_deployment_spec_replicas',
  ready_replicas: 'max of kube_deployment_status_replicas_ready',
  unavailable_replicas: 'max of kube_deployment_status_replicas_unavailable',
  available_replicas: 'max of kube_deployment_status_replicas_available',
  max_unavailable: 'max of kube_deployment_spec_strategy_rollingupdate_max_unavailable (absent for Recreate: budget 0)',
  rollout_in_progress: 'sparse: present while generation > observed generation, updated < desired or replicas > updated',
  progress_stalled: 'sparse: present while the Progressing condition is False',
  deployment_created: 'sparse: max of kube_deployment_created (unix seconds), present only when younger than the previous-release look-back',
  release_created: 'creation time (unix seconds) of the newest ReplicaSet with desired replicas > 0',
  requests_per_second: 'sum of rate(requests[W]) over the Deployment\'s request series',
  errors_per_second: 'sparse (anchor requests_per_second): sum of rate(5xx requests[W])',
  prior_requests_per_second: 'sum of rate(requests[priorWindow] offset priorOffset): the request rate in the previous-release window',
  prior_errors_per_second: 'sparse (anchor prior_requests_per_second): sum of rate(5xx requests[priorWindow] offset priorOffset)',
  prior_ready_ratio: 'max of avg_over_time(kube_deployment_status_replicas_ready) / max of avg_over_time(kube_deployment_spec_replicas > 0), over the previous-release window',
  memory_working_set_avg: 'avg of container_memory_working_set_bytes over the workload containers (the seed feature)',
  memory_limit_ratio_max: 'max over containers of working set / memory limit',
  memory_seconds_to_limit_min: 'sparse (anchor memory_limit_ratio_max): min over growing containers of (limit - working set) / deriv(working set[T])',
  cpu_usage_pct_avg: 'avg of rate(container_cpu_usage_seconds_total[W]) * 100 over the workload containers (the seed feature)',
  cpu_limit_ratio_max: 'max over containers with a CPU limit of CPU used / limit',
  cpu_request_ratio_max: 'max over containers without a CPU limit of CPU used / request',
  cpu_throttled_ratio_max: 'max over containers of rate(throttled periods[W]) / rate(periods[W])',
  cpu_limit_ratio_max_earlier: 'cpu_limit_ratio_max as it was half the trend window ago (offset on the usage and the limits)',
  cpu_request_ratio_max_earlier: 'cpu_request_ratio_max as it was half the trend window ago (offset on the usage and the requests)',
  restarts_sum: 'sum of increase(kube_pod_container_status_restarts_total[5m]) (the seed feature)',
  restarts_current_sum: 'sparse (anchor restarts_sum): the same sum over the containers that exist now (and on the instant series)',
  oomkilled_restarted_pods: 'sparse (anchor restarts_sum): pods with a container restarted in 5m whose last termination was OOMKilled',
  error_restarted_pods: 'sparse (anchor restarts_sum): pods with a container restarted in 5m whose last termination was Error',
  network_receive_rate_sum: 'sum of rate(container_network_receive_bytes_total[W]) (the seed feature)',
} as const);

export type BaseSignalName = keyof typeof BASE_SIGNALS;

/** Every base signal name. */
export const BASE_SIGNAL_NAMES = Object.freeze(Object.keys(BASE_SIGNALS) as BaseSignalName[]);

/** What a source read for one Deployment: values, and the signals whose query failed (with why). */
export interface BaseSignalReading {
  values: Partial<Record<BaseSignalName, number>>;
  failed?: Partial<Record<BaseSignalName, string>>;
}

/** What the derivation needs besides the reading. */
export interface DeriveContext {
  /** Evaluation time, epoch ms (the release age is measured from it). */
  at: number;
  /** `namespace/name`, for the reasons. */
  key: string;
  windows: FeatureWindows;
  /** Whether request metrics are configured for this workload (request preset not `none`). */
  requestMetrics: boolean;
}

/** Derived features: values (`null` = missing) and why each missing one is missing. */
export interface DerivedFeatures {
  values: FeatureVector;
  missing: Array<{ feature: string; reason: string; kind: MissingKind }>;
}

/** The base signals each derivable feature reads (a source fetches only these). */
export const FEATURE_BASE_SIGNALS: Readonly<Record<string, readonly BaseSignalName[]>> = Object.freeze({
  restart_count_last_5m: ['restarts_sum'],
  cpu_usage_pct: ['cpu_usage_pct_avg'],
  memory_usage_bytes: ['memory_working_set_avg'],
  ready_replica_ratio: ['spec_replicas', 'ready_replicas'],
  unavailable_replicas: ['unavailable_replicas'],
  network_receive_bytes_per_s: ['network_receive_rate_sum'],
  http_5xx_error_rate: ['requests_per_second', 'errors_per_second'],
  http_error_ratio: ['requests_per_second', 'errors_per_second'],
  http_requests_per_second: ['requests_per_second'],
  unavailable_excess_ratio: ['spec_replicas', 'available_replicas', 'max_unavailable'],
  restarts_per_pod: ['restarts_sum', 'restarts_current_sum', 'spec_replicas'],
  oomkilled_pod_ratio: ['restarts_sum', 'spec_replicas', 'oomkilled_restarted_pods'],
  error_exit_pod_ratio: ['restarts_sum', 'spec_replicas', 'error_restarted_pods'],
  memory_limit_ratio: ['memory_limit_ratio_max', 'memory_working_set_avg'],
  memory_minutes_to_limit: ['memory_limit_ratio_max', 'memory_working_set_avg', 'memory_seconds_to_limit_min'],
  cpu_limit_ratio: ['cpu_limit_ratio_max', 'cpu_request_ratio_max', 'cpu_usage_pct_avg'],
  cpu_throttled_ratio: ['cpu_throttled_ratio_max', 'cpu_limit_ratio_max', 'cpu_usage_pct_avg'],
  rollout_in_progress: ['spec_replicas', 'rollout_in_progress'],
  rollout_stalled: ['spec_replicas', 'progress_stalled'],
  release_age_minutes: ['release_created'],
  previous_release_error_ratio: ['release_created', 'deployment_created', 'prior_requests_per_second', 'prior_errors_per_second'],
  previous_release_ready_ratio: ['release_created', 'deployment_created', 'prior_ready_ratio'],
  http_error_ratio_rise: ['requests_per_second', 'errors_per_second', 'deployment_created', 'prior_requests_per_second', 'prior_errors_per_second'],
  cpu_minutes_to_limit: ['cpu_limit_ratio_max', 'cpu_request_ratio_max', 'cpu_usage_pct_avg', 'cpu_limit_ratio_max_earlier', 'cpu_request_ratio_max_earlier'],
});

/** Whether {@link deriveFeatures} knows how to compute `feature`. */
export function isDerivableFeature(feature: string): boolean {
  return Object.hasOwn(FEATURE_BASE_SIGNALS, feature);
}

type Outcome = { value: number } | { missing: string; kind: MissingKind };

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/**
 * Derives `featureNames` (each must be {@link isDerivableFeature}) for one Deployment. Values are
 * clamped to each feature's documented range; every missing value has a reason and a kind.
 *
 * @example
 * deriveFeatures({ values: { spec_replicas: 4, ready_replicas: 0 } }, context, ['ready_replica_ratio']);
 * // { values: { ready_replica_ratio: 0 }, missing: [] }
 */
export function deriveFeatures(reading: BaseSignalReading, context: DeriveContext, featureNames: readonly string[]): DerivedFeatures {
  const { values: base, failed = {} } = reading;
  const { key, windows } = context;

  /** A dense signal: its value, or why it is missing. */
  const read = (signal: BaseSignalName): Outcome => {
    const failure = failed[signal];
    if (failure !== undefined) return { missing: failure, kind: 'failed' };
    const value = base[signal];
    if (value === undefined) return { missing: `no data for ${key}: ${BASE_SIGNALS[signal]}`, kind: 'no-data' };
    if (!Number.isFinite(value)) return { missing: `${Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf'} for ${key}: ${BASE_SIGNALS[signal]}`, kind: 'failed' };
    return { value };
  };
  /** A sparse signal: absent reads as `absent` (its anchor was checked by the caller). */
  const sparse = (signal: BaseSignalName, absent: number): Outcome => {
    const failure = failed[signal];
    if (failure !== undefined) return { missing: failure, kind: 'failed' };
    const value = base[signal];
    return value === undefined ? { value: absent } : read(signal);
  };
  const chain = (...steps: Array<() => Outcome>): Outcome[] => {
    const results: Outcome[] = [];
    for (const step of steps) {
      const result = step();
      results.push(result);
      if ('missing' in result) break;
    }
    return results;
  };
  /** Runs steps in order; the first missing one is the answer, else `compute` of their values. */
  const all = (steps: Array<() => Outcome>, compute: (...values: number[]) => number | Outcome): Outcome => {
    const results = chain(...steps);
    const firstMissing = results.find((result) => 'missing' in result);
    if (firstMissing) return firstMissing;
    const computed = compute(...results.map((result) => (result as { value: number }).value));
    return typeof computed === 'number' ? { value: computed } : computed;
  };
  const notConfigured: Outcome = { missing: `no request metrics are configured for ${key} (request preset none)`, kind: 'not-configured' };
  const perSpec = (spec: number) => Math.max(spec, 1);

  /**
   * A traffic-dependent value: missing when no request metrics are configured or found, and below
   * minRequests requests in the rate window (a ratio from so little traffic is noise). `idleIsZero`:
   * with minRequests 0 an idle service has a 5xx rate of 0 (the seed rule), but no error ratio (0/0).
   */
  const http = (idleIsZero: boolean, compute: (requestsPerSecond: number, errorsPerSecond: number) => number): Outcome => {
    if (!context.requestMetrics) return notConfigured;
    const requests = requestRate();
    if ('missing' in requests) return requests;
    const count = requests.value * windows.rateWindowSeconds;
    if (count < windows.minRequests || (requests.value === 0 && !idleIsZero)) {
      return { missing: `too few requests for ${key}: ${count.toFixed(1)} in the rate window < minRequests ${windows.minRequests} (a ratio from so little traffic is noise)`, kind: 'low-traffic' };
    }
    return all([() => sparse('errors_per_second', 0)], (errors) => compute(requests.value, errors));
  };
  const requestRate = (): Outcome => {
    if (!context.requestMetrics) return notConfigured;
    const requests = read('requests_per_second');
    if ('missing' in requests && requests.kind === 'no-data') return { missing: `no request series for ${key} (the request preset found no data)`, kind: 'no-data' };
    return requests;
  };

  /** The previous-release window is valid while the release is younger than its offset. */
  const previousRelease = (compute: () => Outcome): Outcome => {
    const created = read('release_created');
    if ('missing' in created) return created;
    const ageSeconds = context.at / 1000 - created.value;
    if (ageSeconds > windows.priorOffsetSeconds) {
      return { missing: `the current release of ${key} is ${Math.round(ageSeconds / 60)} min old, older than the ${windows.priorOffsetSeconds / 60} min look-back: the window would measure the current release`, kind: 'not-applicable' };
    }
    const deploymentCreated = base.deployment_created;
    if (deploymentCreated !== undefined && Number.isFinite(deploymentCreated) && deploymentCreated > context.at / 1000 - windows.priorOffsetSeconds - windows.priorWindowSeconds) {
      return { missing: `${key} is younger than the ${(windows.priorOffsetSeconds + windows.priorWindowSeconds) / 60} min previous-release look-back`, kind: 'no-history' };
    }
    return compute();
  };

  const derivations: Record<string, () => Outcome> = {
    restart_count_last_5m: () => read('restarts_sum'),
    cpu_usage_pct: () => read('cpu_usage_pct_avg'),
    memory_usage_bytes: () => read('memory_working_set_avg'),
    ready_replica_ratio: () =>
      all([() => read('spec_replicas'), () => read('ready_replicas')], (spec, ready) =>
        spec > 0 ? clamp(ready / spec, 0, 1) : { missing: `${key} is scaled to zero: a ready ratio of 0/0 is not a measurement`, kind: 'no-data' },
      ),
    unavailable_replicas: () => read('unavailable_replicas'),
    network_receive_bytes_per_s: () => read('network_receive_rate_sum'),
    http_5xx_error_rate: () => http(true, (_requests, errors) => errors),
    http_error_ratio: () => http(false, (requests, errors) => clamp(errors / requests, 0, 1)),
    http_requests_per_second: requestRate,
    // Desired minus *available*, not the Deployment's unavailableReplicas: that one is the ReplicaSets'
    // desired sum minus available, so during a rolling update it also counts the surge pods still
    // starting and reaches maxSurge + maxUnavailable on a healthy rollout (29 of 59 in the sandbox, as
    // in Kubernetes). The controller only promises available >= desired - maxUnavailable (the
    // `Available` condition's rule); a shortfall beyond that is what this feature measures.
    unavailable_excess_ratio: () =>
      all([() => read('spec_replicas'), () => read('available_replicas'), () => sparse('max_unavailable', 0)], (spec, available, budget) =>
        spec > 0 ? clamp((spec - available - budget) / spec, 0, 1) : { missing: `${key} is scaled to zero`, kind: 'no-data' },
      ),
    // The pods that exist now: once a rollback or a rollout has replaced a crash-looping ReplicaSet, its
    // restarts (still inside the 5-minute window) say nothing about the pods serving now. Measured: in
    // the demo the re-check after a rollback that had fixed the workload (ready 1.00, no 5xx) scored
    // 0.49 on the old pods' 12 restarts, and the ladder sent a hand-off for a workload already healthy.
    restarts_per_pod: () =>
      all([() => read('restarts_sum'), () => read('spec_replicas'), () => sparse('restarts_current_sum', 0)], (_all, spec, current) => current / perSpec(spec)),
    oomkilled_pod_ratio: () =>
      all([() => read('restarts_sum'), () => read('spec_replicas'), () => sparse('oomkilled_restarted_pods', 0)], (_restarts, spec, pods) => clamp(pods / perSpec(spec), 0, 1)),
    error_exit_pod_ratio: () =>
      all([() => read('restarts_sum'), () => read('spec_replicas'), () => sparse('error_restarted_pods', 0)], (_restarts, spec, pods) => clamp(pods / perSpec(spec), 0, 1)),
    memory_limit_ratio: () => limited(read('memory_limit_ratio_max'), read('memory_working_set_avg'), 'a memory limit'),
    memory_minutes_to_limit: () => {
      const ratio = limited(read('memory_limit_ratio_max'), read('memory_working_set_avg'), 'a memory limit');
      if ('missing' in ratio) return ratio;
      return all([() => sparse('memory_seconds_to_limit_min', MEMORY_MINUTES_TO_LIMIT_CAP * 60)], (seconds) => clamp(seconds / 60, 0, MEMORY_MINUTES_TO_LIMIT_CAP));
    },
    cpu_limit_ratio: () => cpuRatio('cpu_limit_ratio_max', 'cpu_request_ratio_max'),
    cpu_minutes_to_limit: () => {
      const now = cpuRatio('cpu_limit_ratio_max', 'cpu_request_ratio_max');
      if ('missing' in now) return now;
      if (now.value >= 1) return { value: 0 };
      const earlier = cpuRatio('cpu_limit_ratio_max_earlier', 'cpu_request_ratio_max_earlier');
      if ('missing' in earlier) {
        // Every container younger than the slope's span (a rollout, a restart): no slope to measure yet.
        return earlier.kind === 'failed' ? earlier : { missing: `no CPU ratio of ${key} from ${cpuSlopeSeconds(windows) / 60} min ago: its containers are younger than the slope's span`, kind: 'no-history' };
      }
      const perMinute = (now.value - earlier.value) / (cpuSlopeSeconds(windows) / 60);
      return { value: perMinute > 0 ? clamp((1 - now.value) / perMinute, 0, CPU_MINUTES_TO_LIMIT_CAP) : CPU_MINUTES_TO_LIMIT_CAP };
    },
    cpu_throttled_ratio: () => {
      const throttled = read('cpu_throttled_ratio_max');
      if ('value' in throttled) return { value: clamp(throttled.value, 0, 1) };
      if (throttled.kind === 'failed') return throttled;
      // Without a CPU quota cAdvisor counts no CFS periods: then no throttling can happen.
      const hasLimit = read('cpu_limit_ratio_max');
      if ('value' in hasLimit || hasLimit.kind === 'failed') return throttled;
      return limited(throttled, read('cpu_usage_pct_avg'), 'a CPU limit');
    },
    rollout_in_progress: () => all([() => read('spec_replicas'), () => sparse('rollout_in_progress', 0)], (_spec, rolling) => (rolling > 0 ? 1 : 0)),
    rollout_stalled: () => all([() => read('spec_replicas'), () => sparse('progress_stalled', 0)], (_spec, stalled) => (stalled > 0 ? 1 : 0)),
    release_age_minutes: () => all([() => read('release_created')], (created) => clamp((context.at / 1000 - created) / 60, 0, RELEASE_AGE_MINUTES_CAP)),
    previous_release_error_ratio: () =>
      previousRelease(() => {
        if (!context.requestMetrics) return notConfigured;
        return all([() => read('prior_requests_per_second')], (requestsPerSecond) => {
          const requests = requestsPerSecond * windows.priorWindowSeconds;
          if (requests < windows.minRequests || requests === 0) {
            return { missing: `too few requests for ${key} in the previous-release window: ${requests.toFixed(1)} < minRequests ${windows.minRequests}`, kind: 'low-traffic' };
          }
          const errors = sparse('prior_errors_per_second', 0);
          return 'value' in errors ? clamp(errors.value / requestsPerSecond, 0, 1) : errors;
        });
      }),
    previous_release_ready_ratio: () => previousRelease(() => all([() => read('prior_ready_ratio')], (ratio) => clamp(ratio, 0, 1))),
    http_error_ratio_rise: () => {
      let currentRequestsPerSecond = Number.NaN;
      const current = http(false, (requests, errors) => {
        currentRequestsPerSecond = requests;
        return clamp(errors / requests, 0, 1);
      });
      if ('missing' in current) return current;
      const lookBack = windows.priorOffsetSeconds + windows.priorWindowSeconds;
      const deploymentCreated = base.deployment_created;
      if (deploymentCreated !== undefined && Number.isFinite(deploymentCreated) && deploymentCreated > context.at / 1000 - lookBack) {
        return { missing: `${key} is younger than the ${lookBack / 60} min look-back of its error ratio's baseline`, kind: 'no-history' };
      }
      const priorRequests = read('prior_requests_per_second');
      if ('missing' in priorRequests) {
        // Prometheus has not kept (or never had) the look-back: a baseline is context, its absence no alarm.
        return priorRequests.kind === 'failed' ? priorRequests : { missing: `no request history of ${key} ${windows.priorOffsetSeconds / 60}–${lookBack / 60} min ago to compare the error ratio with`, kind: 'no-history' };
      }
      const count = priorRequests.value * windows.priorWindowSeconds;
      if (count < windows.minRequests || count === 0) {
        return { missing: `too few requests for ${key} in the baseline window: ${count.toFixed(1)} < minRequests ${windows.minRequests}`, kind: 'low-traffic' };
      }
      const priorErrors = sparse('prior_errors_per_second', 0);
      if ('missing' in priorErrors) return priorErrors;
      const before = clamp(priorErrors.value / priorRequests.value, 0, 1);
      // Only the rise counting cannot explain: two standard errors of the difference of two observed
      // shares (at the higher of the two, so a baseline of 0 is no licence), from the requests each
      // window counted. 2 errors in 32 requests after 1% is noise at 0.3 req/s, and news at 300.
      const share = Math.max(current.value, before);
      const noise = 2 * Math.sqrt((share * (1 - share) * (1 / (currentRequestsPerSecond * windows.rateWindowSeconds) + 1 / count)));
      return { value: clamp(current.value - before - noise, 0, 1) };
    },
  };

  /** The CPU ratio against the limit, or the request for containers without one (the higher when both). */
  function cpuRatio(limitSignal: BaseSignalName, requestSignal: BaseSignalName): Outcome {
    const limitRatio = read(limitSignal);
    const requestRatio = read(requestSignal);
    for (const outcome of [limitRatio, requestRatio]) if ('missing' in outcome && outcome.kind === 'failed') return outcome;
    const present = [limitRatio, requestRatio].flatMap((outcome) => ('value' in outcome ? [Math.max(0, outcome.value)] : []));
    if (present.length > 0) return { value: Math.max(...present) };
    return limited(limitRatio, read('cpu_usage_pct_avg'), 'a CPU limit or request');
  }

  /** A ratio against a limit: missing `no-limit` when the usage is seen but no limit is. */
  function limited(ratio: Outcome, usage: Outcome, what: string): Outcome {
    if ('value' in ratio) return { value: Math.max(0, ratio.value) };
    if (ratio.kind !== 'no-data') return ratio;
    if ('value' in usage) return { missing: `the containers of ${key} set no ${what.replace(/^an? /, '')}: usage is measured but there is nothing to divide by`, kind: 'no-limit' };
    return usage.kind === 'failed' ? usage : ratio;
  }

  const values: FeatureVector = {};
  const missing: DerivedFeatures['missing'] = [];
  for (const feature of featureNames) {
    const derive = derivations[feature];
    if (!derive) throw new Error(`[autoheal] [features] no derivation for feature "${feature}"; derivable: ${Object.keys(FEATURE_BASE_SIGNALS).join(', ')}`);
    const outcome = derive();
    if ('value' in outcome) {
      const max = featureDefinition(feature)?.max;
      values[feature] = max === undefined ? outcome.value : Math.min(outcome.value, max);
    } else {
      values[feature] = null;
      missing.push({ feature, reason: outcome.missing, kind: outcome.kind });
    }
  }
  return { values, missing };
}

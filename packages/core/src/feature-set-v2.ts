/**
 * Feature set v2: signals that mean the same on any workload. Ratios against the workload's own
 * size, limits and rollout budget instead of absolute bytes, requests per second and replica counts,
 * plus the rollout state and the health of the release before the current one.
 *
 * This file is the contract every producer and consumer shares: the Prometheus adapter computes these
 * features with PromQL, the trainer computes them from recorded samples with the same definitions,
 * model v2 is trained on them in {@link FEATURE_SET_V2_NAMES} order, and the dashboard and the
 * diagnosis read them by name. How each value is derived from per-Deployment aggregates is in
 * `derive-features.ts`; which absences are explained (and so do not blind the verdict) is in
 * `missing-explanations.ts`.
 *
 * The seven seed features (`features.ts`) are unchanged and still collected beside these.
 */
import type { FeatureDefinition } from './features.js';

/** The v2 feature names, in the fixed order model v2 takes them. Never reorder: append. */
export const FEATURE_SET_V2_NAMES = [
  'http_error_ratio',
  'http_requests_per_second',
  'ready_replica_ratio',
  'unavailable_excess_ratio',
  'restarts_per_pod',
  'oomkilled_pod_ratio',
  'error_exit_pod_ratio',
  'memory_limit_ratio',
  'memory_minutes_to_limit',
  'cpu_limit_ratio',
  'cpu_throttled_ratio',
  'rollout_in_progress',
  'rollout_stalled',
  'release_age_minutes',
  'previous_release_error_ratio',
  'previous_release_ready_ratio',
  // Appended after the first v2 models shipped (trends: a fault that builds is seen building).
  'http_error_ratio_rise',
  'cpu_minutes_to_limit',
] as const;

/**
 * How many features the first v2 models took. A model trained before features were appended takes
 * the first N names of {@link FEATURE_SET_V2_NAMES} (N at least this): it still loads, and a source
 * collects only what it takes. See {@link featureSetNamesFor}.
 */
export const FEATURE_SET_V2_FIRST_LENGTH = 16;

export type FeatureSetV2Name = (typeof FEATURE_SET_V2_NAMES)[number];

/** The identifier a model's metadata uses to name the feature set it takes. */
export const FEATURE_SET_V2_ID = 'autoheal/v2';

/** `memory_minutes_to_limit` is capped here: no growth, or growth that would take longer, reads as this. */
export const MEMORY_MINUTES_TO_LIMIT_CAP = 60;
/** `cpu_minutes_to_limit` is capped here, like the memory one. */
export const CPU_MINUTES_TO_LIMIT_CAP = 60;
/**
 * How far apart the two CPU ratios of `cpu_minutes_to_limit`'s slope are: half the trend window (5 min
 * by default), long enough for a surge that builds to show above the rate window's noise and short
 * enough to warn before a ten-minute climb reaches the limit.
 */
export function cpuSlopeSeconds(windows: Pick<FeatureWindows, 'trendWindowSeconds'>): number {
  return Math.round(windows.trendWindowSeconds / 2);
}
/** `release_age_minutes` is capped here (a day): older releases are all "old". */
export const RELEASE_AGE_MINUTES_CAP = 1440;
/** Range of the restart windows (`increase(...[5m])`), part of the definitions, not configurable. */
export const RESTART_WINDOW_SECONDS = 300;

/**
 * The windows the definitions depend on. Sources and the trainer must use the same values for their
 * numbers to mean the same thing; the defaults are what model v2 is trained on.
 */
export interface FeatureWindows {
  /** Range of `rate()` for requests, errors, CPU, throttling and network. @default 120 (`2m`) */
  rateWindowSeconds: number;
  /** Range of the least-squares slope (`deriv`) of the memory working set; half of it is the span of the CPU slope. @default 600 (`10m`) */
  trendWindowSeconds: number;
  /** How far back the previous-release window ends (`offset`). @default 900 (`15m`) */
  priorOffsetSeconds: number;
  /** Length of the previous-release window. @default 900 (`15m`) */
  priorWindowSeconds: number;
  /** Fewer requests than this in a window make its error ratios (and the seed 5xx rate) missing. @default 5 */
  minRequests: number;
}

/** The default windows (production: 15–30 s scrapes). */
export const DEFAULT_FEATURE_WINDOWS: Readonly<FeatureWindows> = Object.freeze({
  rateWindowSeconds: 120,
  trendWindowSeconds: 600,
  priorOffsetSeconds: 900,
  priorWindowSeconds: 900,
  minRequests: 5,
});

/** What a v2 feature is, where it comes from, and how it is computed. */
export interface FeatureContract extends FeatureDefinition {
  /** The metrics it is computed from (cAdvisor, kube-state-metrics, the app's request metrics). */
  sources: readonly string[];
  /** The PromQL idea, per Deployment (`W` = rate window, `T` = trend window; the exact queries are in the Prometheus adapter). */
  promql: string;
  /** When a value is capped, the cap (values beyond it read as the cap). */
  cap?: number;
}

const ratio = { unit: 'ratio', min: 0, max: 1 } as const;
const flag = { unit: '0 or 1', min: 0, max: 1 } as const;
const requestMetrics = 'the request preset\'s counter (flask_http_request_total, http_requests_total, http_server_request_duration_seconds_count, nginx_ingress_controller_requests, istio_requests_total, response_total)';

/** Definitions of the v2 features. */
export const FEATURE_SET_V2: Readonly<Record<FeatureSetV2Name, FeatureContract>> = Object.freeze({
  http_error_ratio: {
    name: 'http_error_ratio',
    description: 'Share of the requests served in the rate window that failed with a 5xx status (0 when requests were served and none failed). Missing below minRequests requests.',
    ...ratio,
    direction: 'harmful',
    sources: [requestMetrics],
    promql: 'sum(rate(errors[W])) / sum(rate(requests[W]))',
  },
  http_requests_per_second: {
    name: 'http_requests_per_second',
    description: 'Requests per second over the rate window, summed over the Deployment: the volume beside the error ratio (how much to trust it). Absolute, so it is context, not a judgement.',
    unit: 'requests per second',
    min: 0,
    direction: 'neutral',
    sources: [requestMetrics],
    promql: 'sum(rate(requests[W]))',
  },
  ready_replica_ratio: {
    name: 'ready_replica_ratio',
    description: 'Ready replicas divided by desired replicas, in [0, 1]; missing when scaled to zero. The same definition as the seed feature.',
    ...ratio,
    direction: 'protective',
    sources: ['kube_deployment_status_replicas_ready', 'kube_deployment_spec_replicas'],
    promql: 'clamp(max(kube_deployment_status_replicas_ready) / max(kube_deployment_spec_replicas > 0), 0, 1)',
  },
  unavailable_excess_ratio: {
    name: 'unavailable_excess_ratio',
    description: 'Desired replicas not available, beyond what the rollout itself allows (its maxUnavailable; 0 for Recreate), over desired replicas: 0 during a normal rolling update, > 0 when fewer pods are available than the strategy guarantees. Counted from available replicas, not from the Deployment\'s unavailableReplicas, which also counts the surge pods a rolling update is still starting.',
    ...ratio,
    direction: 'harmful',
    sources: ['kube_deployment_spec_replicas', 'kube_deployment_status_replicas_available', 'kube_deployment_spec_strategy_rollingupdate_max_unavailable'],
    promql: 'clamp((max(kube_deployment_spec_replicas) - max(kube_deployment_status_replicas_available) - (max(kube_deployment_spec_strategy_rollingupdate_max_unavailable) or 0)) / max(kube_deployment_spec_replicas > 0), 0, 1)',
  },
  restarts_per_pod: {
    name: 'restarts_per_pod',
    description: 'Container restarts in the last 5 minutes per desired replica, over the pods that exist now (the restarts of a ReplicaSet a rollback or rollout replaced no longer count).',
    unit: 'restarts per pod',
    min: 0,
    direction: 'harmful',
    sources: ['kube_pod_container_status_restarts_total', 'kube_deployment_spec_replicas'],
    promql: 'sum(increase(kube_pod_container_status_restarts_total[5m]) and on (namespace, pod, container) kube_pod_container_status_restarts_total) / clamp_min(max(kube_deployment_spec_replicas), 1)',
  },
  oomkilled_pod_ratio: {
    name: 'oomkilled_pod_ratio',
    description: 'Share of desired replicas with a container that restarted in the last 5 minutes and was last terminated as OOMKilled.',
    ...ratio,
    direction: 'harmful',
    sources: ['kube_pod_container_status_last_terminated_reason', 'kube_pod_container_status_restarts_total', 'kube_deployment_spec_replicas'],
    promql: 'count(pods with last_terminated_reason{reason="OOMKilled"} and increase(restarts[5m]) > 0) / clamp_min(spec_replicas, 1)',
  },
  error_exit_pod_ratio: {
    name: 'error_exit_pod_ratio',
    description: 'Share of desired replicas with a container that restarted in the last 5 minutes and was last terminated with an error exit (reason Error).',
    ...ratio,
    direction: 'harmful',
    sources: ['kube_pod_container_status_last_terminated_reason', 'kube_pod_container_status_restarts_total', 'kube_deployment_spec_replicas'],
    promql: 'count(pods with last_terminated_reason{reason="Error"} and increase(restarts[5m]) > 0) / clamp_min(spec_replicas, 1)',
  },
  memory_limit_ratio: {
    name: 'memory_limit_ratio',
    description: 'Memory working set over the container\'s memory limit, the highest over the Deployment\'s containers: the headroom before an OOM kill. Missing (explained) when no container sets a limit.',
    unit: 'ratio',
    min: 0,
    direction: 'harmful',
    sources: ['container_memory_working_set_bytes', 'kube_pod_container_resource_limits{resource="memory"}'],
    promql: 'max(container_memory_working_set_bytes / on (namespace, pod, container) kube_pod_container_resource_limits{resource="memory"})',
  },
  memory_minutes_to_limit: {
    name: 'memory_minutes_to_limit',
    description: `Minutes until the first container reaches its memory limit at the working set's current least-squares slope over the trend window (the idea of predict_linear), the lowest over the containers; ${MEMORY_MINUTES_TO_LIMIT_CAP} (the cap) when nothing grows or the limit is further away; 0 at the limit.`,
    unit: 'minutes',
    min: 0,
    max: MEMORY_MINUTES_TO_LIMIT_CAP,
    cap: MEMORY_MINUTES_TO_LIMIT_CAP,
    direction: 'protective',
    sources: ['container_memory_working_set_bytes', 'kube_pod_container_resource_limits{resource="memory"}'],
    promql: 'min(clamp_min(limit - working_set, 0) / (deriv(container_memory_working_set_bytes[T]) > 0)) / 60, capped',
  },
  cpu_limit_ratio: {
    name: 'cpu_limit_ratio',
    description: 'CPU used over the container\'s CPU limit (its request when it has no limit), the highest over the containers; above 1 is possible against a request. Missing (explained) when a container sets neither.',
    unit: 'ratio',
    min: 0,
    direction: 'harmful',
    sources: ['container_cpu_usage_seconds_total', 'kube_pod_container_resource_limits{resource="cpu"}', 'kube_pod_container_resource_requests{resource="cpu"}'],
    promql: 'max(rate(container_cpu_usage_seconds_total[W]) / on (namespace, pod, container) (limits{resource="cpu"} or requests{resource="cpu"}))',
  },
  cpu_throttled_ratio: {
    name: 'cpu_throttled_ratio',
    description: 'Share of CFS periods in which the container was throttled, the highest over the containers. Missing (explained) when no container has a CPU limit: without a quota there is no throttling to count.',
    ...ratio,
    direction: 'harmful',
    sources: ['container_cpu_cfs_throttled_periods_total', 'container_cpu_cfs_periods_total'],
    promql: 'max(rate(container_cpu_cfs_throttled_periods_total[W]) / clamp_min(rate(container_cpu_cfs_periods_total[W]), 1e-9))',
  },
  rollout_in_progress: {
    name: 'rollout_in_progress',
    description: '1 while a rollout is under way: the controller has not observed the latest generation, fewer replicas are updated than desired, or old replicas are still running; else 0.',
    ...flag,
    direction: 'neutral',
    sources: ['kube_deployment_metadata_generation', 'kube_deployment_status_observed_generation', 'kube_deployment_status_replicas_updated', 'kube_deployment_status_replicas', 'kube_deployment_spec_replicas'],
    promql: '(generation > observed_generation) or (updated_replicas < spec_replicas) or (status_replicas > updated_replicas)',
  },
  rollout_stalled: {
    name: 'rollout_stalled',
    description: '1 when the Deployment\'s Progressing condition is False (ProgressDeadlineExceeded: the rollout stopped making progress); else 0.',
    ...flag,
    direction: 'harmful',
    sources: ['kube_deployment_status_condition{condition="Progressing",status="false"}'],
    promql: 'max(kube_deployment_status_condition{condition="Progressing",status="false"}) == 1',
  },
  release_age_minutes: {
    name: 'release_age_minutes',
    description: `Minutes since the current release's ReplicaSet was created (the newest ReplicaSet that still has desired replicas), capped at ${RELEASE_AGE_MINUTES_CAP}. After a rollback to an older ReplicaSet this is that ReplicaSet's age.`,
    unit: 'minutes',
    min: 0,
    max: RELEASE_AGE_MINUTES_CAP,
    cap: RELEASE_AGE_MINUTES_CAP,
    direction: 'neutral',
    sources: ['kube_replicaset_created', 'kube_replicaset_spec_replicas', 'kube_replicaset_owner'],
    promql: '(time() - max(kube_replicaset_created and on (namespace, replicaset) kube_replicaset_spec_replicas > 0)) / 60, capped',
  },
  previous_release_error_ratio: {
    name: 'previous_release_error_ratio',
    description: 'The error ratio in a fixed window that ended before the current release: requests and 5xx over [priorWindow] ending priorOffset ago. Only a measure of the previous release while the current one is younger than priorOffset; missing (explained) otherwise, or when the Deployment is younger than the look-back.',
    ...ratio,
    direction: 'neutral',
    sources: [requestMetrics, 'kube_replicaset_created', 'kube_deployment_created'],
    promql: 'sum(increase(errors[15m] offset 15m)) / sum(increase(requests[15m] offset 15m)), when release_age_minutes <= 15',
  },
  previous_release_ready_ratio: {
    name: 'previous_release_ready_ratio',
    description: 'The average ready ratio in the same window that ended before the current release; the same validity rule as previous_release_error_ratio.',
    ...ratio,
    direction: 'neutral',
    sources: ['kube_deployment_status_replicas_ready', 'kube_deployment_spec_replicas', 'kube_replicaset_created', 'kube_deployment_created'],
    promql: 'avg_over_time(kube_deployment_status_replicas_ready[15m] offset 15m) / avg_over_time(kube_deployment_spec_replicas[15m] offset 15m), when release_age_minutes <= 15',
  },
  http_error_ratio_rise: {
    name: 'http_error_ratio_rise',
    description: 'How far the error ratio of the rate window rose above the workload\'s own error ratio over [priorWindow] ending priorOffset ago (the window of previous_release_error_ratio, but whatever the release\'s age), beyond what counting explains: minus two standard errors of the difference of the two shares (at the higher share, from the requests each window counted); 0 when it did not rise that far. A workload that always fails 2% of its requests reads 0, and so does a 0.3 req/s one whose 32 requests held 2 errors; a busy one whose errors climb from 0.1% to 2% reads about 0.018, before the 5% objective is breached. Missing (explained) with too little traffic in either window and when the Deployment is younger than the look-back.',
    ...ratio,
    direction: 'harmful',
    sources: [requestMetrics, 'kube_deployment_created'],
    promql: 'clamp_min(e - e0 - 2 * sqrt(p * (1 - p) * (1 / n + 1 / n0)), 0) with e = sum(rate(errors[W])) / sum(rate(requests[W])), e0 the same [15m] offset 15m, p = max(e, e0), n and n0 the requests each window counted',
  },
  cpu_minutes_to_limit: {
    name: 'cpu_minutes_to_limit',
    description: `Minutes until the CPU reaches its limit (its request when it has no limit) at the slope between cpu_limit_ratio half the trend window ago (5 min by default) and now; ${CPU_MINUTES_TO_LIMIT_CAP} (the cap) when it does not rise or the limit is further away; 0 at or past the limit. Missing (explained) like cpu_limit_ratio, and while the containers are younger than the slope's span.`,
    unit: 'minutes',
    min: 0,
    max: CPU_MINUTES_TO_LIMIT_CAP,
    cap: CPU_MINUTES_TO_LIMIT_CAP,
    direction: 'protective',
    sources: ['container_cpu_usage_seconds_total', 'kube_pod_container_resource_limits{resource="cpu"}', 'kube_pod_container_resource_requests{resource="cpu"}'],
    promql: '(1 - r) / ((r - r offset T/2) / (T/2 in minutes)) with r = max(rate(container_cpu_usage_seconds_total[W]) / (limit or request)), capped',
  },
});

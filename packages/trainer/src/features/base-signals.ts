/**
 * The base signals of every Deployment (see `BASE_SIGNALS` in @autoheal/core), computed from sample
 * histories with exactly the definitions of the Prometheus adapter's signal queries
 * (`packages/adapters/prometheus/src/signal-queries.ts`): the same windows, the same `rate` /
 * `increase` extrapolation, the same `deriv` least squares and `avg_over_time`, the same per-container
 * aggregation before the Deployment mapping, the same filters. The parity test runs both on the same
 * samples scraped by a real Prometheus.
 *
 * Only the pod-name mapping (`deploymentFrom: 'pod-name'`) and the named request presets are
 * implemented here; a custom PromQL pair has no JS equivalent.
 */
import {
  cpuSlopeSeconds,
  REQUEST_PRESETS,
  RESTART_WINDOW_SECONDS,
  type BaseSignalName,
  type FeatureWindows,
  type RequestPreset,
  type ResolvedRequestMetrics,
} from '@autoheal/core';
import { averageOverTime, extrapolatedCounterRate, instantValue, leastSquaresSlope } from './prometheus-functions.js';
import { deploymentOfPod } from './compute-features.js';
import type { SeriesHistory } from './sample-history.js';

/** The Deployment a ReplicaSet belongs to, from its name `<deployment>-<pod-template-hash>`. */
const REPLICA_SET_NAME = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{1,10}$/;

type Values = Partial<Record<BaseSignalName, number>>;

/** A map that creates its entries on first use. */
class Groups<T> extends Map<string, T> {
  constructor(private readonly create: () => T) {
    super();
  }
  of(key: string): T {
    let value = this.get(key);
    if (value === undefined) this.set(key, (value = this.create()));
    return value;
  }
}

const isWorkloadContainer = (labels: Readonly<Record<string, string>>) => (labels.container ?? '') !== '' && labels.container !== 'POD';
const maxInto = (map: Map<string, number>, key: string, value: number) => map.set(key, Math.max(map.get(key) ?? Number.NEGATIVE_INFINITY, value));
const sumInto = (map: Map<string, number>, key: string, value: number) => map.set(key, (map.get(key) ?? 0) + value);
const minInto = (map: Map<string, number>, key: string, value: number) => map.set(key, Math.min(map.get(key) ?? Number.POSITIVE_INFINITY, value));
/** Prometheus' regex label matchers are fully anchored. */
const matchesFully = (regex: string, value: string) => new RegExp(`^(?:${regex})$`).test(value);

/** Options of {@link computeBaseSignals}. */
export interface BaseSignalOptions {
  windows: FeatureWindows;
  /** The request metrics of a Deployment. @default the flask preset for every Deployment */
  requestMetricsOf?: (namespace: string, deployment: string) => ResolvedRequestMetrics;
}

/** `namespace/deployment` → its base signals at `at` (epoch ms). Deployments without any signal are absent. */
export function computeBaseSignals(series: readonly SeriesHistory[], at: number, options: BaseSignalOptions): Map<string, Values> {
  const { windows } = options;
  const W = windows.rateWindowSeconds * 1000;
  const R = RESTART_WINDOW_SECONDS * 1000;
  const T = windows.trendWindowSeconds * 1000;
  const priorAt = at - windows.priorOffsetSeconds * 1000;
  const P = windows.priorWindowSeconds * 1000;
  const earlierAt = at - cpuSlopeSeconds(windows) * 1000;
  const flask: ResolvedRequestMetrics = { kind: 'preset', id: 'flask', preset: REQUEST_PRESETS.flask };
  const requestMetricsOf = options.requestMetricsOf ?? (() => flask);

  const signals = new Groups<Values>(() => ({}));
  // Deployment-level kube-state-metrics: max per Deployment and metric.
  const deploymentMax = new Groups<Map<string, number>>(() => new Map());
  const priorMax = new Groups<Map<string, number>>(() => new Map());
  const replicaSetCreated = new Map<string, number[]>();
  const replicaSetScaled = new Set<string>();
  // Per container (namespace/pod/container).
  const cpuUsage = new Map<string, number>();
  const cpuLimit = new Map<string, number>();
  const cpuRequest = new Map<string, number>();
  // The same, half the trend window earlier (the `offset` of cpu_minutes_to_limit's earlier ratio).
  const cpuUsageEarlier = new Map<string, number>();
  const cpuLimitEarlier = new Map<string, number>();
  const cpuRequestEarlier = new Map<string, number>();
  const throttled = new Map<string, number>();
  const periods = new Map<string, number>();
  const workingSet = new Map<string, number>();
  const workingSetSlope = new Map<string, number>();
  const memoryLimit = new Map<string, number>();
  const restarted = new Set<string>();
  const terminated: Array<{ container: string; pod: string; reason: string }> = [];
  // Per Deployment sums and means.
  const cpuPct = new Groups<number[]>(() => []);
  const memory = new Groups<number[]>(() => []);
  const requests = new Groups<{ current: Record<'error' | 'other', number | undefined>; prior: Record<'error' | 'other', number | undefined> }>(() => ({
    current: { error: undefined, other: undefined },
    prior: { error: undefined, other: undefined },
  }));

  const deploymentOf = (namespace: string, pod: string | undefined) => (pod === undefined ? undefined : deploymentOfPod(pod));
  const containerOf = (labels: Readonly<Record<string, string>>) => `${labels.namespace}/${labels.pod}/${labels.container ?? ''}`;

  for (const s of series) {
    const { labels } = s;
    const namespace = labels.namespace;
    if (!namespace) continue;
    if (s.name.startsWith('kube_deployment_')) {
      if (!labels.deployment) continue;
      const key = `${namespace}/${labels.deployment}`;
      if (s.name === 'kube_deployment_status_condition') {
        if (labels.condition !== 'Progressing' || labels.status !== 'false') continue;
      }
      const value = instantValue(s.samples, at);
      if (value !== undefined) maxInto(deploymentMax.of(key), s.name, value);
      if (s.name === 'kube_deployment_status_replicas_ready' || s.name === 'kube_deployment_spec_replicas') {
        const average = averageOverTime(s.samples, priorAt, P);
        if (average !== undefined) maxInto(priorMax.of(key), s.name, average);
      }
      continue;
    }
    if (s.name === 'kube_replicaset_created' || s.name === 'kube_replicaset_spec_replicas') {
      const value = instantValue(s.samples, at);
      if (value === undefined || !labels.replicaset) continue;
      const rs = `${namespace}/${labels.replicaset}`;
      if (s.name === 'kube_replicaset_created') replicaSetCreated.set(rs, [...(replicaSetCreated.get(rs) ?? []), value]);
      else if (value > 0) replicaSetScaled.add(rs);
      continue;
    }
    if (requestSeries(s, namespace, at, W, priorAt, P, requestMetricsOf, requests)) continue;

    const deployment = deploymentOf(namespace, labels.pod);
    switch (s.name) {
      case 'container_cpu_usage_seconds_total': {
        if (!isWorkloadContainer(labels)) break;
        const earlier = extrapolatedCounterRate(s.samples, earlierAt, W, true);
        if (earlier !== undefined) sumInto(cpuUsageEarlier, containerOf(labels), earlier);
        const rate = extrapolatedCounterRate(s.samples, at, W, true);
        if (rate === undefined) break;
        sumInto(cpuUsage, containerOf(labels), rate);
        if (deployment) cpuPct.of(`${namespace}/${deployment}`).push(rate * 100);
        break;
      }
      case 'container_cpu_cfs_throttled_periods_total':
      case 'container_cpu_cfs_periods_total': {
        if (!isWorkloadContainer(labels)) break;
        const rate = extrapolatedCounterRate(s.samples, at, W, true);
        if (rate !== undefined) sumInto(s.name === 'container_cpu_cfs_periods_total' ? periods : throttled, containerOf(labels), rate);
        break;
      }
      case 'container_memory_working_set_bytes': {
        if (!isWorkloadContainer(labels)) break;
        const value = instantValue(s.samples, at);
        if (value !== undefined) {
          maxInto(workingSet, containerOf(labels), value);
          if (deployment) memory.of(`${namespace}/${deployment}`).push(value);
        }
        const slope = leastSquaresSlope(s.samples, at, T);
        if (slope !== undefined) maxInto(workingSetSlope, containerOf(labels), slope);
        break;
      }
      case 'kube_pod_container_resource_limits':
      case 'kube_pod_container_resource_requests': {
        const limits = s.name === 'kube_pod_container_resource_limits';
        const earlier = labels.resource === 'cpu' ? instantValue(s.samples, earlierAt) : undefined;
        if (earlier !== undefined) maxInto(limits ? cpuLimitEarlier : cpuRequestEarlier, containerOf(labels), earlier);
        const value = instantValue(s.samples, at);
        if (value === undefined) break;
        if (labels.resource === 'cpu') maxInto(limits ? cpuLimit : cpuRequest, containerOf(labels), value);
        else if (labels.resource === 'memory' && limits) maxInto(memoryLimit, containerOf(labels), value);
        break;
      }
      case 'kube_pod_container_status_restarts_total': {
        const increase = extrapolatedCounterRate(s.samples, at, R, false);
        if (increase === undefined) break;
        if (increase > 0) restarted.add(containerOf(labels));
        if (deployment) {
          const values = signals.of(`${namespace}/${deployment}`);
          values.restarts_sum = (values.restarts_sum ?? 0) + increase;
          // The containers that exist now (the adapter's `and` on the instant series).
          if (instantValue(s.samples, at) !== undefined) values.restarts_current_sum = (values.restarts_current_sum ?? 0) + increase;
        }
        break;
      }
      case 'kube_pod_container_status_last_terminated_reason': {
        const value = instantValue(s.samples, at);
        if (value !== undefined && value > 0 && (labels.reason === 'OOMKilled' || labels.reason === 'Error')) {
          terminated.push({ container: containerOf(labels), pod: `${namespace}/${labels.pod}`, reason: labels.reason });
        }
        break;
      }
      case 'container_network_receive_bytes_total': {
        const rate = extrapolatedCounterRate(s.samples, at, W, true);
        if (rate !== undefined && deployment) {
          const values = signals.of(`${namespace}/${deployment}`);
          values.network_receive_rate_sum = (values.network_receive_rate_sum ?? 0) + rate;
        }
        break;
      }
      default:
        break;
    }
  }

  const set = (key: string, signal: BaseSignalName, value: number | undefined) => {
    if (value !== undefined) signals.of(key)[signal] = value;
  };
  const byDeploymentOfContainer = (container: string): string | undefined => {
    const [namespace, pod] = container.split('/');
    const deployment = deploymentOf(namespace as string, pod);
    return deployment ? `${namespace}/${deployment}` : undefined;
  };

  // kube-state-metrics, Deployment level.
  for (const [key, max] of deploymentMax) {
    set(key, 'spec_replicas', max.get('kube_deployment_spec_replicas'));
    set(key, 'ready_replicas', max.get('kube_deployment_status_replicas_ready'));
    set(key, 'unavailable_replicas', max.get('kube_deployment_status_replicas_unavailable'));
    set(key, 'available_replicas', max.get('kube_deployment_status_replicas_available'));
    set(key, 'max_unavailable', max.get('kube_deployment_spec_strategy_rollingupdate_max_unavailable'));
    const m = (name: string) => max.get(`kube_deployment_${name}`);
    const greater = (a: number | undefined, b: number | undefined) => a !== undefined && b !== undefined && a > b;
    if (greater(m('metadata_generation'), m('status_observed_generation')) || greater(m('spec_replicas'), m('status_replicas_updated')) || greater(m('status_replicas'), m('status_replicas_updated'))) {
      set(key, 'rollout_in_progress', 1);
    }
    if (m('status_condition') === 1) set(key, 'progress_stalled', 1);
    const created = m('created');
    if (created !== undefined && created > at / 1000 - windows.priorOffsetSeconds - windows.priorWindowSeconds) set(key, 'deployment_created', created);
  }
  for (const [key, max] of priorMax) {
    const spec = max.get('kube_deployment_spec_replicas');
    const ready = max.get('kube_deployment_status_replicas_ready');
    if (spec !== undefined && spec > 0 && ready !== undefined) set(key, 'prior_ready_ratio', ready / spec);
  }
  const releases = new Map<string, number>();
  for (const [rs, created] of replicaSetCreated) {
    if (!replicaSetScaled.has(rs)) continue;
    const [namespace, name] = rs.split('/') as [string, string];
    const deployment = REPLICA_SET_NAME.exec(name)?.[1];
    if (deployment) for (const value of created) maxInto(releases, `${namespace}/${deployment}`, value);
  }
  for (const [key, created] of releases) set(key, 'release_created', created);

  // Requests: all classes, and the error class when it has series.
  for (const [key, { current, prior }] of requests) {
    if (current.error !== undefined || current.other !== undefined) set(key, 'requests_per_second', (current.other ?? 0) + (current.error ?? 0));
    set(key, 'errors_per_second', current.error);
    if (prior.error !== undefined || prior.other !== undefined) set(key, 'prior_requests_per_second', (prior.other ?? 0) + (prior.error ?? 0));
    set(key, 'prior_errors_per_second', prior.error);
  }

  // Seed averages over the workload containers' series.
  for (const [key, values] of cpuPct) set(key, 'cpu_usage_pct_avg', values.reduce((a, b) => a + b, 0) / values.length);
  for (const [key, values] of memory) set(key, 'memory_working_set_avg', values.reduce((a, b) => a + b, 0) / values.length);

  // Per container, then the Deployment's max (min for the time to the limit).
  const cpuRatios = (usages: Map<string, number>, limitsOf: Map<string, number>, requestsOf: Map<string, number>) => {
    const byLimit = new Map<string, number>();
    const byRequest = new Map<string, number>();
    for (const [container, usage] of usages) {
      const key = byDeploymentOfContainer(container);
      if (!key) continue;
      const limit = limitsOf.get(container);
      const request = requestsOf.get(container);
      if (limit !== undefined && limit > 0) maxInto(byLimit, key, usage / limit);
      else if (request !== undefined && request > 0) maxInto(byRequest, key, usage / request);
    }
    return { byLimit, byRequest };
  };
  const { byLimit: cpuLimitRatio, byRequest: cpuRequestRatio } = cpuRatios(cpuUsage, cpuLimit, cpuRequest);
  const earlierRatios = cpuRatios(cpuUsageEarlier, cpuLimitEarlier, cpuRequestEarlier);
  for (const [key, value] of earlierRatios.byLimit) set(key, 'cpu_limit_ratio_max_earlier', value);
  for (const [key, value] of earlierRatios.byRequest) set(key, 'cpu_request_ratio_max_earlier', value);
  const throttledRatio = new Map<string, number>();
  for (const [container, value] of throttled) {
    const total = periods.get(container);
    const key = byDeploymentOfContainer(container);
    if (total !== undefined && key) maxInto(throttledRatio, key, value / Math.max(total, 1e-9));
  }
  const memoryRatio = new Map<string, number>();
  const secondsToLimit = new Map<string, number>();
  for (const [container, limit] of memoryLimit) {
    const key = byDeploymentOfContainer(container);
    const used = workingSet.get(container);
    if (!key || used === undefined) continue;
    if (limit > 0) maxInto(memoryRatio, key, used / limit);
    const slope = workingSetSlope.get(container);
    if (slope !== undefined && slope > 0) minInto(secondsToLimit, key, Math.max(limit - used, 0) / slope);
  }
  const reasonPods = new Map<string, Set<string>>();
  for (const { container, pod, reason } of terminated) {
    const key = byDeploymentOfContainer(container);
    if (!key || !restarted.has(container)) continue;
    const group = `${key}\u0000${reason}`;
    reasonPods.set(group, (reasonPods.get(group) ?? new Set()).add(pod));
  }
  for (const [key, value] of cpuLimitRatio) set(key, 'cpu_limit_ratio_max', value);
  for (const [key, value] of cpuRequestRatio) set(key, 'cpu_request_ratio_max', value);
  for (const [key, value] of throttledRatio) set(key, 'cpu_throttled_ratio_max', value);
  for (const [key, value] of memoryRatio) set(key, 'memory_limit_ratio_max', value);
  for (const [key, value] of secondsToLimit) set(key, 'memory_seconds_to_limit_min', value);
  for (const [group, pods] of reasonPods) {
    const [key, reason] = group.split('\u0000') as [string, string];
    set(key, reason === 'OOMKilled' ? 'oomkilled_restarted_pods' : 'error_restarted_pods', pods.size);
  }
  return signals;
}

/**
 * Adds a request series of the Deployment's preset (current and previous-release windows) to
 * `requests`; returns whether the series was a request series of some preset (so it is not read as
 * anything else).
 */
function requestSeries(
  s: SeriesHistory,
  namespace: string,
  at: number,
  W: number,
  priorAt: number,
  P: number,
  requestMetricsOf: (namespace: string, deployment: string) => ResolvedRequestMetrics,
  requests: Groups<{ current: Record<'error' | 'other', number | undefined>; prior: Record<'error' | 'other', number | undefined> }>,
): boolean {
  const presets = Object.values(REQUEST_PRESETS) as RequestPreset[];
  if (!presets.some((preset) => preset.metric === s.name)) return false;
  for (const preset of presets) {
    if (preset.metric !== s.name || !matchesMatchers(preset.matchers, s.labels)) continue;
    const workload = preset.workload;
    const ns = workload.from === 'pod' ? namespace : s.labels[workload.namespace];
    const deployment = workload.from === 'pod' ? (s.labels.pod === undefined ? undefined : deploymentOfPod(s.labels.pod)) : s.labels[workload.deployment];
    if (!ns || !deployment) continue;
    const chosen = requestMetricsOf(ns, deployment);
    if (chosen.kind !== 'preset' || chosen.preset.metric !== preset.metric || chosen.preset.matchers !== preset.matchers) continue;
    const slot = preset.errorWhen.some(({ label, regex }) => matchesFully(regex, s.labels[label] ?? '')) ? 'error' : 'other';
    const entry = requests.of(`${ns}/${deployment}`);
    const current = extrapolatedCounterRate(s.samples, at, W, true);
    if (current !== undefined) entry.current[slot] = (entry.current[slot] ?? 0) + current;
    const prior = extrapolatedCounterRate(s.samples, priorAt, P, true);
    if (prior !== undefined) entry.prior[slot] = (entry.prior[slot] ?? 0) + prior;
  }
  return true;
}

/** Whether `labels` satisfy a preset's extra matchers (`name="value"`, comma separated). */
function matchesMatchers(matchers: string, labels: Readonly<Record<string, string>>): boolean {
  for (const matcher of matchers.split(',').filter(Boolean)) {
    const [, name, value] = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)="(.*)"\s*$/.exec(matcher) ?? [];
    if (name === undefined || labels[name] !== value) return false;
  }
  return true;
}

/**
 * The seven features, computed from sample histories with exactly the definitions the Prometheus
 * adapter queries (grouped by namespace and Deployment; the Deployment is derived from the pod name).
 * Training data computed here therefore means the same thing as what the server scores in production.
 *
 * | feature | definition |
 * |---|---|
 * | restart_count_last_5m | sum of `increase(kube_pod_container_status_restarts_total[5m])` |
 * | cpu_usage_pct | avg of `rate(container_cpu_usage_seconds_total{container!="",container!="POD"}[2m]) * 100` |
 * | memory_usage_bytes | avg of `container_memory_working_set_bytes{container!="",container!="POD"}` |
 * | ready_replica_ratio | `clamp(max(kube_deployment_status_replicas_ready) / max(kube_deployment_spec_replicas > 0), 0, 1)` |
 * | unavailable_replicas | max of `kube_deployment_status_replicas_unavailable` |
 * | network_receive_bytes_per_s | sum of `rate(container_network_receive_bytes_total[2m])` |
 * | http_5xx_error_rate | sum of `rate(flask_http_request_total{status=~"5.."}[2m])`, 0 when there is traffic but no 5xx series, missing when `sum(increase(flask_http_request_total[2m])) < 5` |
 */
import { DEFAULT_FEATURE_NAMES, type DefaultFeatureName } from '@autoheal/core';
import { extrapolatedCounterRate, instantValue } from './prometheus-functions.js';
import type { SeriesHistory } from './sample-history.js';

/** Range of the `rate()` windows (cpu, network, 5xx, request volume). */
export const RATE_WINDOW_MS = 2 * 60_000;
/** Range of the restart `increase()` window. */
export const RESTART_WINDOW_MS = 5 * 60_000;
/** Fewer requests than this in the 2-minute window make the 5xx rate missing (too few to judge). */
export const MIN_REQUESTS_FOR_ERROR_RATE = 5;

/**
 * The Deployment of a pod, from its name `<deployment>-<pod-template-hash>-<suffix>`. Both generated
 * parts use Kubernetes' safe alphabet (no vowels, no 0/1/3), the same regex the adapter uses.
 */
const POD_NAME = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{1,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/;

/** The Deployment a pod belongs to, or `undefined` when the name does not have the Deployment shape. */
export function deploymentOfPod(podName: string): string | undefined {
  return POD_NAME.exec(podName)?.[1];
}

/** The features of one Deployment at one evaluation time, plus the traffic figures the label needs. */
export interface DeploymentFeatures {
  namespace: string;
  deployment: string;
  /** Evaluation time (epoch ms). */
  at: number;
  /** Feature values; `null` = missing (no data, too few requests, replicas scaled to zero). */
  values: Record<DefaultFeatureName, number | null>;
  /** `sum(rate(flask_http_request_total[2m]))`, or `null` without request series. */
  requestsPerSecond: number | null;
  /** `sum(increase(flask_http_request_total[2m]))`, or `null` without request series. */
  requestVolume: number | null;
}

interface Accumulator {
  namespace: string;
  deployment: string;
  restarts: number[];
  cpu: number[];
  memory: number[];
  ready: number[];
  spec: number[];
  unavailable: number[];
  network: number[];
  errors: number[];
  requests: number[];
  requestIncrease: number[];
}

const sum = (values: number[]): number | null => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0));
const mean = (values: number[]): number | null => (values.length === 0 ? null : (sum(values) as number) / values.length);
const max = (values: number[]): number | null => (values.length === 0 ? null : Math.max(...values));

function isWorkloadContainer(labels: Readonly<Record<string, string>>): boolean {
  const container = labels.container ?? '';
  return container !== '' && container !== 'POD';
}

/**
 * Computes the features of every Deployment that has series in `series`, at evaluation time `at`.
 * Series without a namespace, or pod series whose pod name has no Deployment shape, are ignored
 * (as `label_replace` leaves them without a `deployment` label and `by (deployment)` groups them away).
 *
 * @returns one entry per Deployment, sorted by `namespace/deployment`.
 */
export function computeFeatures(series: readonly SeriesHistory[], at: number): DeploymentFeatures[] {
  const groups = new Map<string, Accumulator>();
  const groupOf = (namespace: string, deployment: string): Accumulator => {
    const key = `${namespace}/${deployment}`;
    let group = groups.get(key);
    if (!group) {
      group = { namespace, deployment, restarts: [], cpu: [], memory: [], ready: [], spec: [], unavailable: [], network: [], errors: [], requests: [], requestIncrease: [] };
      groups.set(key, group);
    }
    return group;
  };

  for (const s of series) {
    const namespace = s.labels.namespace;
    if (!namespace) continue;
    if (s.name.startsWith('kube_deployment_')) {
      const deployment = s.labels.deployment;
      if (!deployment) continue;
      const value = instantValue(s.samples, at);
      if (value === undefined) continue;
      const group = groupOf(namespace, deployment);
      if (s.name === 'kube_deployment_spec_replicas') group.spec.push(value);
      else if (s.name === 'kube_deployment_status_replicas_ready') group.ready.push(value);
      else if (s.name === 'kube_deployment_status_replicas_unavailable') group.unavailable.push(value);
      continue;
    }
    const deployment = s.labels.pod === undefined ? undefined : deploymentOfPod(s.labels.pod);
    if (!deployment) continue;
    switch (s.name) {
      case 'kube_pod_container_status_restarts_total': {
        const value = extrapolatedCounterRate(s.samples, at, RESTART_WINDOW_MS, false);
        if (value !== undefined) groupOf(namespace, deployment).restarts.push(value);
        break;
      }
      case 'container_cpu_usage_seconds_total': {
        if (!isWorkloadContainer(s.labels)) break;
        const value = extrapolatedCounterRate(s.samples, at, RATE_WINDOW_MS, true);
        if (value !== undefined) groupOf(namespace, deployment).cpu.push(value * 100);
        break;
      }
      case 'container_memory_working_set_bytes': {
        if (!isWorkloadContainer(s.labels)) break;
        const value = instantValue(s.samples, at);
        if (value !== undefined) groupOf(namespace, deployment).memory.push(value);
        break;
      }
      case 'container_network_receive_bytes_total': {
        const value = extrapolatedCounterRate(s.samples, at, RATE_WINDOW_MS, true);
        if (value !== undefined) groupOf(namespace, deployment).network.push(value);
        break;
      }
      case 'flask_http_request_total': {
        const rate = extrapolatedCounterRate(s.samples, at, RATE_WINDOW_MS, true);
        if (rate === undefined) break;
        const group = groupOf(namespace, deployment);
        group.requests.push(rate);
        group.requestIncrease.push(extrapolatedCounterRate(s.samples, at, RATE_WINDOW_MS, false) as number);
        if (/^5..$/.test(s.labels.status ?? '')) group.errors.push(rate);
        break;
      }
      default:
        break;
    }
  }

  const result: DeploymentFeatures[] = [];
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key) as Accumulator;
    const ready = max(g.ready);
    const spec = max(g.spec.filter((v) => v > 0));
    const requestVolume = sum(g.requestIncrease);
    const requestsPerSecond = sum(g.requests);
    let errorRate: number | null = null;
    if (requestVolume !== null && requestVolume >= MIN_REQUESTS_FOR_ERROR_RATE) {
      // Traffic but no 5xx series yet: zero errors, not an unknown.
      errorRate = sum(g.errors) ?? 0;
    }
    const values = {
      restart_count_last_5m: sum(g.restarts),
      cpu_usage_pct: mean(g.cpu),
      memory_usage_bytes: mean(g.memory),
      ready_replica_ratio: ready === null || spec === null ? null : Math.min(1, Math.max(0, ready / spec)),
      unavailable_replicas: max(g.unavailable),
      network_receive_bytes_per_s: sum(g.network),
      http_5xx_error_rate: errorRate,
    } satisfies Record<DefaultFeatureName, number | null>;
    result.push({ namespace: g.namespace, deployment: g.deployment, at, values, requestsPerSecond, requestVolume });
  }
  return result;
}

/** The feature values of `features` as an array in `DEFAULT_FEATURE_NAMES` order, missing as NaN. */
export function toFeatureArray(features: DeploymentFeatures['values']): number[] {
  return DEFAULT_FEATURE_NAMES.map((name) => features[name] ?? Number.NaN);
}

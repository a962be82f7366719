/**
 * The seed project's seven features, computed from two `scrape()` snapshots the way its PromQL
 * computes them from Prometheus (`rate`/`increase` over the window between the snapshots). Used
 * by tests to check that faults move the signals and healing moves them back, without running
 * Prometheus; the trainer can use it too.
 */
import type { MetricSample } from '../metrics/metric-families.js';

/** One deployment's signals over a window. */
export interface DeploymentSignals {
  /** `increase(kube_pod_container_status_restarts_total[window])`, summed over pods. */
  restarts: number;
  /** `rate(container_cpu_usage_seconds_total[window]) * 100`, averaged over pods (percent of a core). */
  cpuPercent: number;
  /** `avg(container_memory_working_set_bytes)` at the end of the window. */
  memoryBytes: number;
  /** `sum(rate(flask_http_request_total{status=~"5.."}[window]))` in responses per second. */
  http5xxPerSecond: number;
  /** `sum(rate(container_network_receive_bytes_total[window]))` in bytes per second. */
  networkBytesPerSecond: number;
  /** ready / desired replicas at the end of the window. */
  readyRatio: number;
  /** `kube_deployment_status_replicas_unavailable` at the end of the window. */
  unavailableReplicas: number;
}

function matches(sample: MetricSample, name: string, namespace: string, podPrefix: string): boolean {
  return sample.name === name && sample.labels['namespace'] === namespace && (sample.labels['pod'] ?? '').startsWith(podPrefix);
}

/** Per-series increase between two snapshots; a series new in `after` counts from 0, a drop is a reset. */
function increase(before: MetricSample[], after: MetricSample[], filter: (sample: MetricSample) => boolean): { total: number; series: number } {
  const previous = new Map<string, number>();
  const keyOf = (sample: MetricSample) => JSON.stringify(sample.labels);
  for (const sample of before) if (filter(sample)) previous.set(keyOf(sample), sample.value);
  let total = 0;
  let series = 0;
  for (const sample of after) {
    if (!filter(sample)) continue;
    const start = previous.get(keyOf(sample)) ?? 0;
    total += sample.value >= start ? sample.value - start : sample.value;
    series += 1;
  }
  return { total, series };
}

/**
 * Computes the signals of `namespace/deployment` between two snapshots taken `windowSeconds`
 * apart (pods are matched by the `<deployment>-` prefix, as the seed's `pod=~"backend-.*"`).
 */
export function deploymentSignals(
  before: MetricSample[],
  after: MetricSample[],
  windowSeconds: number,
  namespace: string,
  deployment: string,
): DeploymentSignals {
  const prefix = `${deployment}-`;
  const restarts = increase(before, after, (sample) => matches(sample, 'kube_pod_container_status_restarts_total', namespace, prefix));
  const cpu = increase(before, after, (sample) => matches(sample, 'container_cpu_usage_seconds_total', namespace, prefix));
  const errors = increase(before, after, (sample) => matches(sample, 'flask_http_request_total', namespace, prefix) && /^5..$/.test(sample.labels['status'] ?? ''));
  const network = increase(before, after, (sample) => matches(sample, 'container_network_receive_bytes_total', namespace, prefix));
  const memory = after.filter((sample) => matches(sample, 'container_memory_working_set_bytes', namespace, prefix));
  const deploymentValue = (name: string) =>
    after.find((sample) => sample.name === name && sample.labels['namespace'] === namespace && sample.labels['deployment'] === deployment)?.value ?? 0;
  const desired = deploymentValue('kube_deployment_spec_replicas');
  return {
    restarts: restarts.total,
    cpuPercent: cpu.series > 0 ? (cpu.total / windowSeconds / cpu.series) * 100 : 0,
    memoryBytes: memory.length > 0 ? memory.reduce((sum, sample) => sum + sample.value, 0) / memory.length : 0,
    http5xxPerSecond: errors.total / windowSeconds,
    networkBytesPerSecond: network.total / windowSeconds,
    readyRatio: desired > 0 ? deploymentValue('kube_deployment_status_replicas_ready') / desired : 1,
    unavailableReplicas: deploymentValue('kube_deployment_status_replicas_unavailable'),
  };
}

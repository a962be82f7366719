/**
 * A tiny metrics endpoint for integration tests: it serves the cAdvisor and kube-state-metrics
 * series the seed and v2 features read (limits, CFS throttling, termination reasons, rollout state,
 * ReplicaSets) and the request series of any request preset, with values the test controls
 * (including NaN, +Inf and series that disappear), so a real Prometheus can scrape it and the
 * adapter's answers can be checked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const HASH_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A deterministic pod-template-hash-like string of `length` safe characters. */
export function safeString(seed: number, length: number): string {
  let text = '';
  let state = seed * 2654435761 + 12345;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    text += HASH_ALPHABET[state % HASH_ALPHABET.length];
  }
  return text;
}

/** The state of one fixture Deployment. Counters grow at the given per-second rates. */
export interface FixtureDeployment {
  namespace: string;
  name: string;
  /** Pod names; default `<name>-<hash>-<suffix>` built by {@link fixtureDeployment}. */
  pods: string[];
  /** The ReplicaSet that owns the pods (for `kube_pod_owner`). */
  replicaSet: string;
  /** CPU cores used by each pod (the counter grows by this per second). */
  cpuCoresPerPod: number;
  /** Working set per pod; NaN or Infinity are served as `NaN` / `+Inf`; `undefined` = no series. */
  memoryBytesPerPod: number | undefined;
  restartsPerPod: number;
  networkBytesPerSecondPerPod: number;
  /** Requests per second per pod, and how many of them are 5xx. */
  requestsPerSecondPerPod: number;
  errorsPerSecondPerPod: number;
  specReplicas: number;
  readyReplicas: number;
  unavailableReplicas: number;
  /** Which request metrics the pods expose (a request preset name). */
  requestMetrics: 'flask' | 'prometheus-client' | 'opentelemetry' | 'ingress-nginx' | 'istio' | 'linkerd' | 'none';
  /** Container limits and requests; `undefined` = not set (no series, and no CFS series without a CPU limit). */
  cpuLimitCores: number | undefined;
  cpuRequestCores: number | undefined;
  memoryLimitBytes: number | undefined;
  /** Share of the CFS periods (10 per second) in which the container is throttled. */
  throttledShare: number;
  /** Working set growth per second per pod: a leak. */
  memoryGrowthBytesPerSecond: number;
  /** The containers' last termination reason (kube-state-metrics), if any. */
  lastTerminatedReason: 'OOMKilled' | 'Error' | undefined;
  /** Rollout state; `updatedReplicas`/`statusReplicas` default to `specReplicas`. */
  updatedReplicas: number | undefined;
  statusReplicas: number | undefined;
  generation: number;
  observedGeneration: number;
  /** `undefined`: the Recreate strategy (no series). */
  maxUnavailable: number | undefined;
  /** The Progressing condition's status. */
  progressing: 'true' | 'false';
  /** Seconds before the exporter started that the Deployment and its current ReplicaSet were created. */
  createdSecondsAgo: number;
  releaseSecondsAgo: number;
}

/** A fixture Deployment with healthy defaults and `pods` replicas named like Kubernetes names them. */
export function fixtureDeployment(namespace: string, name: string, seed: number, overrides: Partial<FixtureDeployment> = {}, podCount = 3): FixtureDeployment {
  const replicaSet = `${name}-${safeString(seed, 10)}`;
  const pods = Array.from({ length: podCount }, (_, i) => `${replicaSet}-${safeString(seed * 31 + i + 1, 5)}`);
  return {
    namespace,
    name,
    pods,
    replicaSet,
    cpuCoresPerPod: 0.25,
    memoryBytesPerPod: 50_000_000,
    restartsPerPod: 0,
    networkBytesPerSecondPerPod: 1000,
    requestsPerSecondPerPod: 10,
    errorsPerSecondPerPod: 0,
    specReplicas: podCount,
    readyReplicas: podCount,
    unavailableReplicas: 0,
    requestMetrics: 'flask',
    cpuLimitCores: 1,
    cpuRequestCores: 0.5,
    memoryLimitBytes: 200_000_000,
    throttledShare: 0,
    memoryGrowthBytesPerSecond: 0,
    lastTerminatedReason: undefined,
    updatedReplicas: undefined,
    statusReplicas: undefined,
    generation: 2,
    observedGeneration: 2,
    maxUnavailable: 1,
    progressing: 'true',
    createdSecondsAgo: 86_400,
    releaseSecondsAgo: 7200,
    ...overrides,
  };
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/** A running fixture exporter. Mutate `deployments` (or their fields) to change what it serves. */
export interface FixtureExporter {
  /** `127.0.0.1:<port>`, as a Prometheus scrape target. */
  address: string;
  deployments: FixtureDeployment[];
  /** Number of scrapes served. */
  scrapes: number;
  /** Epoch ms when the exporter started (the fixture's times are relative to it). */
  startedAt: number;
  close(): Promise<void>;
}

/** The request series of one pod in the preset's format (`ok` and `errors` are counter values). */
function requestLines(d: FixtureDeployment, pod: string, ok: number, errors: number): string[] {
  const ns = d.namespace;
  const withErrors = (line: (status: string, value: number) => string) => [line('200', ok), ...(d.errorsPerSecondPerPod > 0 ? [line('500', errors)] : [])];
  switch (d.requestMetrics) {
    case 'flask':
      return withErrors((status, value) => `flask_http_request_total{namespace="${ns}",pod="${pod}",method="GET",status="${status}"} ${value}`);
    case 'prometheus-client':
      return withErrors((code, value) => `http_requests_total{namespace="${ns}",pod="${pod}",handler="/",method="get",code="${code}"} ${value}`);
    case 'opentelemetry':
      return withErrors((code, value) => `http_server_request_duration_seconds_count{namespace="${ns}",pod="${pod}",http_request_method="GET",http_response_status_code="${code}"} ${value}`);
    case 'istio':
      return withErrors((code, value) => `istio_requests_total{namespace="${ns}",pod="${pod}",reporter="destination",destination_workload="${d.name}",destination_workload_namespace="${ns}",response_code="${code}"} ${value}`);
    case 'linkerd':
      return withErrors((code, value) => `response_total{namespace="${ns}",pod="${pod}",deployment="${d.name}",direction="inbound",status_code="${code}",classification="${code === '200' ? 'success' : 'failure'}"} ${value}`);
    case 'ingress-nginx':
      // The ingress controller counts per backend Service (named like the Deployment), not per pod.
      return withErrors((status, value) => `nginx_ingress_controller_requests{namespace="${ns}",ingress="${d.name}",service="${d.name}",controller_pod="ingress-nginx-0-${pod}",method="GET",status="${status}"} ${value}`);
    case 'none':
      return [];
  }
}

/** Renders the exposition text for `deployments` at `elapsedSeconds` after the exporter started (at `startedAtSeconds`). */
export function renderMetrics(deployments: readonly FixtureDeployment[], elapsedSeconds: number, startedAtSeconds = Math.floor(Date.now() / 1000 - elapsedSeconds)): string {
  const lines: string[] = [];
  for (const d of deployments) {
    const ns = d.namespace;
    for (const pod of d.pods) {
      const base = `namespace="${ns}",pod="${pod}"`;
      const app = `${base},container="app"`;
      lines.push(`container_cpu_usage_seconds_total{${app},cpu="total"} ${formatValue(d.cpuCoresPerPod * elapsedSeconds)}`);
      // cAdvisor's pod-level (container="") and pause-container series must be filtered out by the queries.
      lines.push(`container_cpu_usage_seconds_total{${base},container="POD",cpu="total"} ${formatValue(100 * elapsedSeconds)}`);
      if (d.memoryBytesPerPod !== undefined) lines.push(`container_memory_working_set_bytes{${app}} ${formatValue(d.memoryBytesPerPod + d.memoryGrowthBytesPerSecond * elapsedSeconds)}`);
      lines.push(`container_memory_working_set_bytes{${base},container=""} 999999999999`);
      lines.push(`container_network_receive_bytes_total{${base},container="",interface="eth0"} ${formatValue(d.networkBytesPerSecondPerPod * elapsedSeconds)}`);
      if (d.cpuLimitCores !== undefined) {
        lines.push(`container_cpu_cfs_periods_total{${app}} ${Math.floor(10 * elapsedSeconds)}`);
        lines.push(`container_cpu_cfs_throttled_periods_total{${app}} ${Math.floor(10 * d.throttledShare * elapsedSeconds)}`);
        lines.push(`kube_pod_container_resource_limits{${app},resource="cpu",unit="core"} ${d.cpuLimitCores}`);
      }
      if (d.cpuRequestCores !== undefined) lines.push(`kube_pod_container_resource_requests{${app},resource="cpu",unit="core"} ${d.cpuRequestCores}`);
      if (d.memoryLimitBytes !== undefined) lines.push(`kube_pod_container_resource_limits{${app},resource="memory",unit="byte"} ${d.memoryLimitBytes}`);
      lines.push(`kube_pod_container_status_restarts_total{${app}} ${d.restartsPerPod}`);
      if (d.lastTerminatedReason) lines.push(`kube_pod_container_status_last_terminated_reason{${app},reason="${d.lastTerminatedReason}"} 1`);
      lines.push(`kube_pod_owner{${base},owner_kind="ReplicaSet",owner_name="${d.replicaSet}",owner_is_controller="true"} 1`);
      const ok = Math.floor((d.requestsPerSecondPerPod - d.errorsPerSecondPerPod) * elapsedSeconds);
      const errors = Math.floor(d.errorsPerSecondPerPod * elapsedSeconds);
      lines.push(...requestLines(d, pod, ok, errors));
    }
    lines.push(`kube_replicaset_owner{namespace="${ns}",replicaset="${d.replicaSet}",owner_kind="Deployment",owner_name="${d.name}",owner_is_controller="true"} 1`);
    lines.push(`kube_replicaset_created{namespace="${ns}",replicaset="${d.replicaSet}"} ${startedAtSeconds - d.releaseSecondsAgo}`);
    lines.push(`kube_replicaset_spec_replicas{namespace="${ns}",replicaset="${d.replicaSet}"} ${formatValue(d.specReplicas)}`);
    const dep = `namespace="${ns}",deployment="${d.name}"`;
    lines.push(`kube_deployment_spec_replicas{${dep}} ${formatValue(d.specReplicas)}`);
    lines.push(`kube_deployment_status_replicas{${dep}} ${formatValue(d.statusReplicas ?? d.specReplicas)}`);
    lines.push(`kube_deployment_status_replicas_ready{${dep}} ${formatValue(d.readyReplicas)}`);
    lines.push(`kube_deployment_status_replicas_available{${dep}} ${formatValue(d.readyReplicas)}`);
    lines.push(`kube_deployment_status_replicas_unavailable{${dep}} ${formatValue(d.unavailableReplicas)}`);
    lines.push(`kube_deployment_status_replicas_updated{${dep}} ${formatValue(d.updatedReplicas ?? d.specReplicas)}`);
    lines.push(`kube_deployment_metadata_generation{${dep}} ${d.generation}`);
    lines.push(`kube_deployment_status_observed_generation{${dep}} ${d.observedGeneration}`);
    if (d.maxUnavailable !== undefined) lines.push(`kube_deployment_spec_strategy_rollingupdate_max_unavailable{${dep}} ${d.maxUnavailable}`);
    lines.push(`kube_deployment_created{${dep}} ${startedAtSeconds - d.createdSecondsAgo}`);
    for (const status of ['true', 'false', 'unknown']) lines.push(`kube_deployment_status_condition{${dep},condition="Progressing",status="${status}"} ${status === d.progressing ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Starts the exporter on an ephemeral port of 127.0.0.1. */
export async function startFixtureExporter(deployments: FixtureDeployment[]): Promise<FixtureExporter> {
  const startedAt = Date.now();
  const exporter: FixtureExporter = {
    address: '',
    deployments,
    scrapes: 0,
    startedAt,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    exporter.scrapes++;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(renderMetrics(exporter.deployments, (Date.now() - startedAt) / 1000, Math.floor(startedAt / 1000)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  exporter.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return exporter;
}

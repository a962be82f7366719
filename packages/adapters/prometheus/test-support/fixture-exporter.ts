/**
 * A tiny metrics endpoint for integration tests: it serves the cAdvisor and kube-state-metrics
 * series the default queries read, with values the test controls (including NaN, +Inf and series
 * that disappear), so a real Prometheus can scrape it and the adapter's answers can be checked.
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
  close(): Promise<void>;
}

/** Renders the exposition text for `deployments` at `elapsedSeconds` after the exporter started. */
export function renderMetrics(deployments: readonly FixtureDeployment[], elapsedSeconds: number): string {
  const lines: string[] = [];
  for (const d of deployments) {
    const ns = d.namespace;
    for (const pod of d.pods) {
      const base = `namespace="${ns}",pod="${pod}"`;
      lines.push(`container_cpu_usage_seconds_total{${base},container="app",cpu="total"} ${formatValue(d.cpuCoresPerPod * elapsedSeconds)}`);
      // cAdvisor's pod-level (container="") and pause-container series must be filtered out by the queries.
      lines.push(`container_cpu_usage_seconds_total{${base},container="POD",cpu="total"} ${formatValue(100 * elapsedSeconds)}`);
      if (d.memoryBytesPerPod !== undefined) lines.push(`container_memory_working_set_bytes{${base},container="app"} ${formatValue(d.memoryBytesPerPod)}`);
      lines.push(`container_memory_working_set_bytes{${base},container=""} 999999999999`);
      lines.push(`container_network_receive_bytes_total{${base},container="",interface="eth0"} ${formatValue(d.networkBytesPerSecondPerPod * elapsedSeconds)}`);
      lines.push(`kube_pod_container_status_restarts_total{${base},container="app"} ${d.restartsPerPod}`);
      lines.push(`kube_pod_owner{${base},owner_kind="ReplicaSet",owner_name="${d.replicaSet}",owner_is_controller="true"} 1`);
      const ok = Math.floor((d.requestsPerSecondPerPod - d.errorsPerSecondPerPod) * elapsedSeconds);
      const errors = Math.floor(d.errorsPerSecondPerPod * elapsedSeconds);
      lines.push(`flask_http_request_total{${base},method="GET",status="200"} ${ok}`);
      if (d.errorsPerSecondPerPod > 0) lines.push(`flask_http_request_total{${base},method="GET",status="500"} ${errors}`);
    }
    lines.push(`kube_replicaset_owner{namespace="${ns}",replicaset="${d.replicaSet}",owner_kind="Deployment",owner_name="${d.name}",owner_is_controller="true"} 1`);
    const dep = `namespace="${ns}",deployment="${d.name}"`;
    lines.push(`kube_deployment_spec_replicas{${dep}} ${formatValue(d.specReplicas)}`);
    lines.push(`kube_deployment_status_replicas_ready{${dep}} ${formatValue(d.readyReplicas)}`);
    lines.push(`kube_deployment_status_replicas_available{${dep}} ${formatValue(d.readyReplicas)}`);
    lines.push(`kube_deployment_status_replicas_unavailable{${dep}} ${formatValue(d.unavailableReplicas)}`);
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
    res.end(renderMetrics(exporter.deployments, (Date.now() - startedAt) / 1000));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  exporter.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return exporter;
}

/**
 * Parity: the trainer's JS (`computeFeatureSets`) computes exactly what the Prometheus adapter's
 * PromQL computes. A real Prometheus scrapes a scripted exporter every second (irregular counters, a
 * counter reset, leaks, restarts, rollouts, three request presets); then the adapter collects at a time
 * between two scrapes, the raw samples Prometheus stored are read back (`{...}[5m]`), and the JS
 * computes the same features from them, feature by feature, missing kinds included.
 *
 * The windows are scaled down (10 s rates, 20 s trend, a 15 s previous-release window ending 20 s
 * back) so the test needs under a minute of data; the code paths are the production ones.
 */
import { DEFAULT_FEATURE_NAMES, FEATURE_SET_V2_NAMES, resolveRequestMetrics, type FeatureObservation, type RequestMetrics } from '@autoheal/core';
import { createPrometheusFeatureSource } from '@autoheal/adapter-prometheus';
import { startPrometheus, type RunningPrometheus } from '@autoheal/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedExporter, type ScriptedExporter, type ScriptedSeries } from '../../test-support/scripted-exporter.js';
import { computeFeatureSets, type DeploymentFeatureSets } from './compute-feature-sets.js';
import type { SeriesHistory } from './sample-history.js';

const NS = 'par';
const WINDOWS = { rateWindowSeconds: 10, trendWindowSeconds: 20, priorOffsetSeconds: 20, priorWindowSeconds: 15, minRequests: 5 };
const ADAPTER_WINDOWS = { rateWindow: '10s', trendWindow: '20s', priorOffset: '20s', priorWindow: '15s', minRequests: 5 };
const FEATURES = [...new Set<string>([...DEFAULT_FEATURE_NAMES, ...FEATURE_SET_V2_NAMES])];

interface Script {
  name: string;
  hash: string;
  suffixes: string[];
  spec: number;
  ready: number;
  unavailable: number;
  /** Available replicas. @default ready */
  available?: number;
  updated?: number;
  statusReplicas?: number;
  generation?: number;
  maxUnavailable?: number;
  stalled?: boolean;
  /** Seconds after the exporter started (negative: before); `young`: a few seconds before the collection. */
  createdAt: number | 'young';
  releaseAt: number | 'young';
  cpuCores: number;
  cpuLimit?: number;
  cpuRequest?: number;
  memoryLimit?: number;
  throttledShare?: number;
  workingSet: (elapsed: number, pod: number) => number;
  restartEverySeconds?: number;
  lastReason?: string;
  preset: RequestMetrics;
  requestsPerSecond: number;
  errorShare: number;
  /** A pod whose CPU counter resets (its container restarted) at this elapsed second. */
  cpuResetAt?: number;
  /** CPU usage climbing: cores added per elapsed second (a surge that builds). */
  cpuClimb?: number;
  /** Errors climbing: failed requests per second added per elapsed second (errors above the baseline). */
  errorClimb?: number;
}

/** A non-decreasing counter with irregular steps: rate r, wobble up to 40%. */
const counter = (rate: number, phase = 0, climb = 0) => (elapsed: number) =>
  Math.floor((rate * elapsed + 0.5 * climb * elapsed * elapsed + 0.4 * rate * Math.sin(1.7 * elapsed + phase)) * 1000) / 1000;

/** When the `young` events happen (elapsed seconds), set once the data covers every window. */
const events = { young: Number.POSITIVE_INFINITY };
const when = (value: number | 'young') => (value === 'young' ? events.young : value);

const scripts: Script[] = [
  { name: 'web', hash: '7c9f8b6d5', suffixes: ['x2kzq', 'b4nmw', 'h7tpl'], spec: 3, ready: 3, unavailable: 0, maxUnavailable: 1, createdAt: -86_400, releaseAt: 'young', cpuCores: 0.2, cpuClimb: 0.002, cpuLimit: 0.5, cpuRequest: 0.25, memoryLimit: 512e6, throttledShare: 0.1, workingSet: (e, p) => 200e6 + p * 1e6 + 3e5 * Math.sin(e), preset: 'flask', requestsPerSecond: 20, errorShare: 0.02, cpuResetAt: 30 },
  { name: 'crash', hash: '5d4c8b9f', suffixes: ['q9m4z', 'r2s5t'], spec: 2, ready: 0, unavailable: 2, maxUnavailable: 0, createdAt: -86_400, releaseAt: -3600, cpuCores: 0.05, cpuLimit: 1, memoryLimit: 256e6, workingSet: (e) => 250e6 + 1e4 * e, restartEverySeconds: 15, lastReason: 'OOMKilled', preset: 'flask', requestsPerSecond: 4, errorShare: 0.5 },
  { name: 'leaky', hash: '6f7g8h9', suffixes: ['k2l4m'], spec: 1, ready: 1, unavailable: 0, createdAt: -86_400, releaseAt: -7200, cpuCores: 0.3, cpuRequest: 0.1, memoryLimit: 300e6, workingSet: (e) => 100e6 + 2e6 * e + 2e5 * Math.cos(3 * e), restartEverySeconds: 25, lastReason: 'Error', preset: 'prometheus-client', requestsPerSecond: 8, errorShare: 0, errorClimb: 0.01 },
  // Mid-rollout: one surge pod starting, one old pod gone, so unavailableReplicas (2) counts the surge pod too.
  { name: 'rolling', hash: '2b4d6f8', suffixes: ['n5p7q', 'w8x9z', 'c2d4f', 'g5h6j'], spec: 3, ready: 2, unavailable: 2, updated: 1, statusReplicas: 4, generation: 5, maxUnavailable: 1, createdAt: -86_400, releaseAt: 25, cpuCores: 0.1, workingSet: () => 80e6, preset: 'istio', requestsPerSecond: 30, errorShare: 0.001, errorClimb: 0.2 },
  { name: 'stalled', hash: '9z8x7w', suffixes: ['t6v7w'], spec: 1, ready: 1, unavailable: 0, stalled: true, createdAt: 'young', releaseAt: 'young', cpuCores: 0.02, cpuLimit: 0.1, memoryLimit: 128e6, throttledShare: 0.6, workingSet: () => 60e6, preset: 'none', requestsPerSecond: 0, errorShare: 0 },
  { name: 'idle', hash: '4k5l6m', suffixes: ['s2t4v'], spec: 1, ready: 1, unavailable: 0, createdAt: -86_400, releaseAt: -86_400, cpuCores: 0.01, cpuLimit: 0.2, memoryLimit: 64e6, workingSet: () => 30e6, preset: 'flask', requestsPerSecond: 0, errorShare: 0 },
];

function seriesOf(script: Script, startSeconds: number): ScriptedSeries[] {
  const out: ScriptedSeries[] = [];
  const add = (name: string, labels: Record<string, string>, value: ScriptedSeries['value']) => out.push({ name, labels: { namespace: NS, ...labels }, value });
  const rs = `${script.name}-${script.hash}`;
  const deployment = { deployment: script.name };
  add('kube_deployment_spec_replicas', deployment, () => script.spec);
  add('kube_deployment_status_replicas', deployment, () => script.statusReplicas ?? script.spec);
  add('kube_deployment_status_replicas_ready', deployment, () => script.ready);
  add('kube_deployment_status_replicas_unavailable', deployment, () => script.unavailable);
  add('kube_deployment_status_replicas_available', deployment, () => script.available ?? script.ready);
  add('kube_deployment_status_replicas_updated', deployment, () => script.updated ?? script.spec);
  add('kube_deployment_metadata_generation', deployment, () => script.generation ?? 4);
  add('kube_deployment_status_observed_generation', deployment, () => 4);
  if (script.maxUnavailable !== undefined) add('kube_deployment_spec_strategy_rollingupdate_max_unavailable', deployment, () => script.maxUnavailable);
  add('kube_deployment_created', deployment, (e) => (e >= when(script.createdAt) ? startSeconds + when(script.createdAt) : undefined));
  for (const status of ['true', 'false', 'unknown']) {
    add('kube_deployment_status_condition', { ...deployment, condition: 'Progressing', reason: script.stalled ? 'ProgressDeadlineExceeded' : 'NewReplicaSetAvailable', status }, () => (status === (script.stalled ? 'false' : 'true') ? 1 : 0));
  }
  // The release appears when it is created; the previous one is scaled to 0 then.
  add('kube_replicaset_created', { replicaset: rs }, (e) => (e >= when(script.releaseAt) ? startSeconds + when(script.releaseAt) : undefined));
  add('kube_replicaset_spec_replicas', { replicaset: rs }, (e) => (e >= when(script.releaseAt) ? script.spec : undefined));
  add('kube_replicaset_created', { replicaset: `${script.name}-old1` }, () => startSeconds - 90_000);
  add('kube_replicaset_spec_replicas', { replicaset: `${script.name}-old1` }, (e) => (e >= when(script.releaseAt) ? 0 : script.spec));
  script.suffixes.forEach((suffix, p) => {
    const pod = { pod: `${rs}-${suffix}` };
    const container = { ...pod, container: 'app' };
    add('container_cpu_usage_seconds_total', { ...container, cpu: 'total', id: `/kubepods/${p}` }, (e) => {
      const local = script.cpuResetAt !== undefined && p === 0 && e >= script.cpuResetAt ? e - script.cpuResetAt : e;
      return counter(script.cpuCores, p, script.cpuClimb)(local);
    });
    add('container_cpu_usage_seconds_total', { ...pod, container: 'POD', cpu: 'total' }, counter(5));
    add('container_memory_working_set_bytes', container, (e) => Math.round(script.workingSet(e, p)));
    add('container_memory_working_set_bytes', { ...pod, container: '' }, () => 9e9);
    add('container_network_receive_bytes_total', { ...pod, container: '', interface: 'eth0' }, counter(2000, p));
    if (script.cpuLimit !== undefined) {
      add('container_cpu_cfs_periods_total', container, counter(10));
      add('container_cpu_cfs_throttled_periods_total', container, counter(10 * (script.throttledShare ?? 0)));
      add('kube_pod_container_resource_limits', { ...container, resource: 'cpu', unit: 'core' }, () => script.cpuLimit);
    }
    if (script.cpuRequest !== undefined) add('kube_pod_container_resource_requests', { ...container, resource: 'cpu', unit: 'core' }, () => script.cpuRequest);
    if (script.memoryLimit !== undefined) add('kube_pod_container_resource_limits', { ...container, resource: 'memory', unit: 'byte' }, () => script.memoryLimit);
    add('kube_pod_container_status_restarts_total', container, (e) => (script.restartEverySeconds ? Math.floor(e / script.restartEverySeconds) : 0));
    if (script.lastReason) add('kube_pod_container_status_last_terminated_reason', { ...container, reason: script.lastReason }, () => 1);
    const ok = script.requestsPerSecond * (1 - script.errorShare);
    const bad = script.requestsPerSecond * script.errorShare;
    if (script.preset === 'flask') {
      // An idle service: its counter exists and does not move.
      add('flask_http_request_total', { ...pod, method: 'GET', status: '200' }, ok > 0 ? counter(ok, p) : () => 17);
      if (bad > 0) add('flask_http_request_total', { ...pod, method: 'GET', status: '500' }, counter(bad, p + 1));
    } else if (script.preset === 'prometheus-client') {
      add('http_requests_total', { ...pod, handler: '/', code: '200' }, counter(ok, p));
      add('http_requests_total', { ...pod, handler: '/', code: '503' }, counter(bad, p, script.errorClimb));
    } else if (script.preset === 'istio') {
      const istio = { reporter: 'destination', destination_workload: script.name, destination_workload_namespace: NS, pod: pod.pod };
      add('istio_requests_total', { ...istio, response_code: '200' }, counter(ok, p));
      add('istio_requests_total', { ...istio, response_code: '504' }, counter(bad, p, script.errorClimb));
      add('istio_requests_total', { ...istio, reporter: 'source', response_code: '500' }, counter(100));
    }
  });
  return out;
}

let exporter: ScriptedExporter;
let prometheus: RunningPrometheus;
let adapterRows: FeatureObservation[];
let jsRows: DeploymentFeatureSets[];

beforeAll(async () => {
  const startSeconds = Math.floor(Date.now() / 1000);
  exporter = await startScriptedExporter(scripts.flatMap((script) => seriesOf(script, startSeconds)));
  prometheus = await startPrometheus({ scrapeTargets: [exporter.address], scrapeIntervalSeconds: 1, ...(process.env.PROMETHEUS_BIN ? { binary: process.env.PROMETHEUS_BIN } : {}) });
  // The previous-release window ends 20 s back and is 15 s long: wait for 45 s of scrapes, then
  // release the young Deployments and let Prometheus scrape that a few times.
  const scrapes = async () => Number((await prometheus.query('count_over_time(up[2m])'))[0]?.value[1] ?? 0);
  while ((await scrapes()) < 45) await new Promise((resolve) => setTimeout(resolve, 500));
  events.young = Math.floor((Date.now() - exporter.startedAt) / 1000) - 1;
  const released = await scrapes();
  while ((await scrapes()) < released + 3) await new Promise((resolve) => setTimeout(resolve, 250));
  // Between two scrapes, so no window edge falls on a sample (Prometheus 2 and 3 differ there).
  const [last] = await prometheus.query('timestamp(up)');
  const at = Math.round(Number(last?.value[1]) * 1000) + 500;

  const targetRequestMetrics = Object.fromEntries(scripts.map((script) => [`${NS}/${script.name}`, script.preset]));
  const source = createPrometheusFeatureSource({ url: prometheus.url, featureNames: FEATURES, ...ADAPTER_WINDOWS, targetRequestMetrics, clock: { now: () => at, sleep: async () => {} } });
  adapterRows = await source.collectMany(scripts.map((script) => ({ namespace: NS, kind: 'Deployment', name: script.name })));
  await source.close();

  // The raw samples Prometheus stored, read back as sample histories.
  const raw = await fetch(`${prometheus.url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: `{namespace="${NS}"}[5m]`, time: (at / 1000).toFixed(3) }) });
  const body = (await raw.json()) as { data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> } };
  const series: SeriesHistory[] = body.data.result.map(({ metric, values }) => {
    const { __name__: name, ...labels } = metric;
    return { name: name as string, labels, samples: values.map(([t, v]) => ({ t: Math.round(t * 1000), v: Number(v) })) };
  });
  const presets = new Map(scripts.map((script) => [script.name, resolveRequestMetrics(script.preset)]));
  jsRows = computeFeatureSets(series, at, { windows: WINDOWS, requestMetricsOf: (_namespace, deployment) => presets.get(deployment) ?? resolveRequestMetrics('flask') });
}, 150_000);

afterAll(async () => {
  await prometheus?.close();
  await exporter?.close();
});

describe('feature parity: PromQL (Prometheus adapter) vs JS (trainer) on the same samples', () => {
  it('finds the same Deployments', () => {
    expect(jsRows.map((row) => row.deployment)).toEqual(scripts.map((script) => script.name).sort());
  });

  for (const script of scripts) {
    it(`${script.name}: every seed and v2 feature agrees, missing kinds included`, () => {
      const promql = adapterRows.find((row) => row.target.name === script.name) as FeatureObservation;
      const js = jsRows.find((row) => row.deployment === script.name) as DeploymentFeatureSets;
      for (const feature of FEATURES) {
        const a = promql.values[feature] ?? null;
        const b = js.values[feature] ?? null;
        const kindA = promql.missing.find((entry) => entry.feature === feature)?.kind;
        const kindB = js.missing.find((entry) => entry.feature === feature)?.kind;
        expect({ feature, missing: kindA }).toEqual({ feature, missing: kindB });
        if (a === null || b === null) {
          expect({ feature, value: a }).toEqual({ feature, value: b });
          continue;
        }
        expect(Math.abs(a - b), `${feature}: PromQL ${a} vs JS ${b}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(a)));
      }
    });
  }

  it('exercises both values and every kind of absence the scripts set up', () => {
    const values = (name: string) => adapterRows.find((row) => row.target.name === name)?.values ?? {};
    const kinds = (name: string) => Object.fromEntries((adapterRows.find((row) => row.target.name === name)?.missing ?? []).map((entry) => [entry.feature, entry.kind]));
    expect(values('web').previous_release_error_ratio).toBeGreaterThan(0);
    expect(values('crash')).toMatchObject({ ready_replica_ratio: 0, unavailable_excess_ratio: 1, oomkilled_pod_ratio: 1 });
    expect(values('leaky').memory_minutes_to_limit).toBeLessThan(5);
    expect(values('leaky').error_exit_pod_ratio).toBe(1);
    // The trends: errors climbing above the look-back beyond counting noise (the scaled-down windows
    // count few requests, so the climb is steep), a CPU climbing toward its limit.
    expect(values('rolling').http_error_ratio_rise).toBeGreaterThan(0.01);
    expect(values('web').cpu_minutes_to_limit).toBeGreaterThan(0);
    expect(values('web').cpu_minutes_to_limit).toBeLessThan(60);
    expect(values('rolling')).toMatchObject({ rollout_in_progress: 1, unavailable_excess_ratio: 0 });
    expect(values('stalled')).toMatchObject({ rollout_stalled: 1 });
    expect(values('stalled').cpu_throttled_ratio).toBeGreaterThan(0.3);
    expect(kinds('stalled')).toMatchObject({ http_error_ratio: 'not-configured', previous_release_ready_ratio: 'no-history' });
    expect(kinds('idle')).toMatchObject({ http_error_ratio: 'low-traffic', previous_release_error_ratio: 'not-applicable' });
    expect(kinds('rolling')).toMatchObject({ cpu_limit_ratio: 'no-limit', memory_limit_ratio: 'no-limit' });
    expect(kinds('crash')).toMatchObject({ previous_release_error_ratio: 'not-applicable' });
  });
});

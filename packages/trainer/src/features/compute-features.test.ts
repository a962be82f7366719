import { describe, expect, it } from 'vitest';
import { computeFeatures, deploymentOfPod } from './compute-features.js';
import type { SeriesHistory } from './sample-history.js';

const podA = 'web-5d8f7c9b4-x7k2p';
const podB = 'web-5d8f7c9b4-q9m4z';
const at = 120_000;

/** A counter that starts at 0 at t=0 and grows by `perStep` every 15 s up to `at`: its rate is exactly perStep/15. */
function counter(name: string, labels: Record<string, string>, perStep: number): SeriesHistory {
  const samples = [];
  for (let k = 0; k <= 8; k++) samples.push({ t: 15_000 * k, v: perStep * k });
  return { name, labels, samples };
}

function gauge(name: string, labels: Record<string, string>, value: number, lastAt = at): SeriesHistory {
  return { name, labels, samples: [{ t: lastAt, v: value }] };
}

function only(series: SeriesHistory[]) {
  const result = computeFeatures(series, at);
  expect(result).toHaveLength(1);
  return result[0]!;
}

describe('deploymentOfPod', () => {
  it('strips the pod-template hash and suffix', () => {
    expect(deploymentOfPod('my-api-v2-5d8f7c9b4-x7k2p')).toBe('my-api-v2');
    expect(deploymentOfPod('standalone')).toBeUndefined();
  });
});

describe('computeFeatures', () => {
  it('averages CPU rates over workload containers, in percent, ignoring pod-level and pause series', () => {
    const result = only([
      counter('container_cpu_usage_seconds_total', { namespace: 'prod', pod: podA, container: 'app', cpu: 'total' }, 3), // 0.2 cores
      counter('container_cpu_usage_seconds_total', { namespace: 'prod', pod: podB, container: 'app', cpu: 'total' }, 6), // 0.4 cores
      counter('container_cpu_usage_seconds_total', { namespace: 'prod', pod: podB, container: '', cpu: 'total' }, 60),
      counter('container_cpu_usage_seconds_total', { namespace: 'prod', pod: podB, container: 'POD', cpu: 'total' }, 60),
    ]);
    expect(result.values.cpu_usage_pct).toBeCloseTo(30, 9);
  });

  it('averages memory of live containers; a pod whose last sample is 5 minutes old no longer counts', () => {
    const live = [
      gauge('container_memory_working_set_bytes', { namespace: 'prod', pod: podA, container: 'app' }, 100),
      gauge('container_memory_working_set_bytes', { namespace: 'prod', pod: podB, container: 'app' }, 300),
    ];
    const gone = (lastAt: number) => gauge('container_memory_working_set_bytes', { namespace: 'prod', pod: 'web-5d8f7c9b4-zzzzz', container: 'app' }, 800, lastAt);
    expect(only([...live, gone(at - 300_000)]).values.memory_usage_bytes).toBe(200);
    expect(only([...live, gone(at - 299_000)]).values.memory_usage_bytes).toBe(400);
  });

  it('sums restarts over pods with increase over 5 minutes', () => {
    const result = only([
      counter('kube_pod_container_status_restarts_total', { namespace: 'prod', pod: podA, container: 'app' }, 1),
      counter('kube_pod_container_status_restarts_total', { namespace: 'prod', pod: podB, container: 'app' }, 0),
    ]);
    // The series starts inside the 5-minute window at value 0, so nothing is extrapolated before it:
    // the increase is exactly the 8 restarts seen.
    expect(result.values.restart_count_last_5m).toBeCloseTo(8, 9);
  });

  it('divides ready by desired replicas, clamps to 1, and is missing at zero desired replicas', () => {
    const deployment = (ready: number, spec: number, unavailable: number) => [
      gauge('kube_deployment_status_replicas_ready', { namespace: 'prod', deployment: 'web' }, ready),
      gauge('kube_deployment_spec_replicas', { namespace: 'prod', deployment: 'web' }, spec),
      gauge('kube_deployment_status_replicas_unavailable', { namespace: 'prod', deployment: 'web' }, unavailable),
    ];
    expect(only(deployment(1, 4, 3)).values).toMatchObject({ ready_replica_ratio: 0.25, unavailable_replicas: 3 });
    expect(only(deployment(5, 4, 0)).values.ready_replica_ratio).toBe(1);
    expect(only(deployment(0, 0, 0)).values.ready_replica_ratio).toBeNull();
  });

  it('sums network receive rates over pods', () => {
    const result = only([
      counter('container_network_receive_bytes_total', { namespace: 'prod', pod: podA, container: '', interface: 'eth0' }, 1500),
      counter('container_network_receive_bytes_total', { namespace: 'prod', pod: podB, container: '', interface: 'eth0' }, 3000),
    ]);
    expect(result.values.network_receive_bytes_per_s).toBeCloseTo(300, 9);
  });

  it('sums 5xx rates; zero with traffic but no 5xx series; missing under 5 requests in 2 minutes', () => {
    const ok = (pod: string, perStep: number) => counter('flask_http_request_total', { namespace: 'prod', pod, method: 'GET', status: '200' }, perStep);
    const failed = (pod: string, perStep: number) => counter('flask_http_request_total', { namespace: 'prod', pod, method: 'GET', status: '503' }, perStep);
    const withErrors = only([ok(podA, 30), failed(podA, 3), failed(podB, 1.5)]);
    expect(withErrors.values.http_5xx_error_rate).toBeCloseTo(0.3, 9);
    expect(withErrors.requestsPerSecond).toBeCloseTo(2.3, 9);
    expect(only([ok(podA, 30)]).values.http_5xx_error_rate).toBe(0);
    // 0.5 requests per 15 s: 4 in the 2-minute window.
    expect(only([ok(podA, 0.25), failed(podA, 0.25)]).values.http_5xx_error_rate).toBeNull();
  });

  it('reports every feature missing-free Deployment separately and sorted', () => {
    const result = computeFeatures(
      [
        gauge('kube_deployment_status_replicas_unavailable', { namespace: 'prod', deployment: 'web' }, 0),
        gauge('kube_deployment_status_replicas_unavailable', { namespace: 'dev', deployment: 'web' }, 1),
      ],
      at,
    );
    expect(result.map((r) => `${r.namespace}/${r.deployment}`)).toEqual(['dev/web', 'prod/web']);
    expect(result[0]!.values.cpu_usage_pct).toBeNull();
  });
});

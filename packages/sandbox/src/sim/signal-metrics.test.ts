/**
 * The series feature set v2 reads, as the sandbox serves them: container requests and limits, CFS
 * throttling, ReplicaSet and Deployment creation times, the rollout's maxUnavailable, and each
 * workload's request counter in the preset it was given.
 */
import { describe, expect, it } from 'vitest';
import type { MetricSample } from '../metrics/metric-families.js';
import { defaultSaturationRampMs } from './faults.js';
import { createSimulation } from './simulation.js';
import { SandboxValidationError } from './simulation-options.js';

const START = Date.parse('2025-01-01T00:00:00Z');
const of = (samples: MetricSample[], name: string, match: Record<string, string> = {}) =>
  samples.filter((sample) => sample.name === name && Object.entries(match).every(([key, value]) => sample.labels[key] === value));

describe('the series feature set v2 reads', () => {
  it('serves requests and limits per container, creation times, and maxUnavailable scaled like kube-state-metrics', () => {
    const simulation = createSimulation({ seed: 5, startTime: START, deployments: [{ namespace: 'prod', name: 'web', replicas: 6 }] });
    simulation.advance(30_000);
    const samples = simulation.scrape();
    simulation.close();
    const pod = of(samples, 'kube_pod_owner')[0]?.labels.pod as string;
    expect(of(samples, 'kube_pod_container_resource_limits', { pod, resource: 'cpu', unit: 'core' }).map((s) => s.value)).toEqual([1]);
    expect(of(samples, 'kube_pod_container_resource_limits', { pod, resource: 'memory', unit: 'byte' }).map((s) => s.value)).toEqual([512 * 1024 * 1024]);
    expect(of(samples, 'kube_pod_container_resource_requests', { pod, resource: 'cpu' }).map((s) => s.value)).toEqual([0.5]);
    // 25% of 6, rounded down.
    expect(of(samples, 'kube_deployment_spec_strategy_rollingupdate_max_unavailable', { deployment: 'web' }).map((s) => s.value)).toEqual([1]);
    expect(of(samples, 'kube_deployment_created', { deployment: 'web' }).map((s) => s.value)).toEqual([START / 1000]);
    const replicaSets = of(samples, 'kube_replicaset_created');
    expect(replicaSets).toHaveLength(1);
    expect(of(samples, 'kube_replicaset_spec_replicas', { replicaset: replicaSets[0]?.labels.replicaset as string }).map((s) => s.value)).toEqual([6]);
  });

  it('counts CFS periods for running containers, throttled ones (nearly) only under CPU pressure, climbing through a surge', () => {
    const simulation = createSimulation({ seed: 7, startTime: START, deployments: [{ namespace: 'prod', name: 'api', replicas: 2 }] }); // load drawn to ~45% of a core per pod
    simulation.advance(60_000);
    const calm = simulation.scrape();
    simulation.injectFault({ namespace: 'prod', deployment: 'api', type: 'cpu-saturation', strength: 1 });
    simulation.advance(60_000);
    const surgeBegun = simulation.scrape();
    simulation.advance(defaultSaturationRampMs - 60_000);
    const atPeak = simulation.scrape();
    simulation.advance(120_000);
    const saturated = simulation.scrape();
    simulation.close();
    const total = (samples: MetricSample[], name: string) => of(samples, name).reduce((sum, sample) => sum + sample.value, 0);
    const throttledShare = (from: MetricSample[], to: MetricSample[]) =>
      (total(to, 'container_cpu_cfs_throttled_periods_total') - total(from, 'container_cpu_cfs_throttled_periods_total')) / (total(to, 'container_cpu_cfs_periods_total') - total(from, 'container_cpu_cfs_periods_total'));
    expect(of(calm, 'container_cpu_cfs_periods_total')).toHaveLength(2);
    expect(total(calm, 'container_cpu_cfs_periods_total')).toBeGreaterThan(0);
    expect(total(calm, 'container_cpu_cfs_throttled_periods_total') / total(calm, 'container_cpu_cfs_periods_total')).toBeLessThan(0.05);
    // The surge builds: the first minute is barely throttled (a step to the peak throttled it at once).
    expect(throttledShare(calm, surgeBegun)).toBeLessThan(0.1);
    expect(throttledShare(surgeBegun, atPeak)).toBeGreaterThan(throttledShare(calm, surgeBegun));
    expect(throttledShare(atPeak, saturated)).toBeGreaterThan(0.3);
  });

  it('exposes each workload\'s requests in its preset, and none for a workload without request metrics', () => {
    const simulation = createSimulation({
      seed: 3,
      startTime: START,
      deployments: [
        { namespace: 'shop', name: 'flask-app', replicas: 1, requestsPerSecond: 10 },
        { namespace: 'shop', name: 'go-app', replicas: 1, requestsPerSecond: 10, requestMetrics: 'prometheus-client' },
        { namespace: 'shop', name: 'otel-app', replicas: 1, requestsPerSecond: 10, requestMetrics: 'opentelemetry' },
        { namespace: 'shop', name: 'meshed', replicas: 1, requestsPerSecond: 10, requestMetrics: 'istio' },
        { namespace: 'shop', name: 'linked', replicas: 1, requestsPerSecond: 10, requestMetrics: 'linkerd' },
        { namespace: 'shop', name: 'worker', replicas: 1, requestsPerSecond: 10, requestMetrics: 'none' },
      ],
    });
    simulation.advance(60_000);
    const samples = simulation.scrape();
    simulation.close();
    const pods = (name: string) => new Set(of(samples, 'kube_pod_owner').filter((s) => s.labels.pod?.startsWith(`${name}-`)).map((s) => s.labels.pod));
    const counted = (family: string) => new Set(of(samples, family).map((s) => s.labels.pod));
    expect(counted('flask_http_request_total')).toEqual(pods('flask-app'));
    expect(counted('http_requests_total')).toEqual(pods('go-app'));
    expect(counted('http_server_request_duration_seconds_count')).toEqual(pods('otel-app'));
    expect(of(samples, 'istio_requests_total', { response_code: '200' })[0]?.labels).toMatchObject({ reporter: 'destination', destination_workload: 'meshed', destination_workload_namespace: 'shop' });
    expect(of(samples, 'response_total', { status_code: '500' })[0]?.labels).toMatchObject({ deployment: 'linked', direction: 'inbound', classification: 'failure' });
    expect(of(samples, 'http_requests_total', { code: '200' })[0]?.value).toBeGreaterThan(100);
    for (const family of ['flask_http_request_total', 'http_requests_total', 'http_server_request_duration_seconds_count', 'istio_requests_total', 'response_total']) {
      expect(of(samples, family).some((s) => s.labels.pod?.startsWith('worker-'))).toBe(false);
    }
    // The ingress counts every workload's requests, whatever its application exposes.
    expect(of(samples, 'nginx_ingress_controller_requests', { service: 'worker', status: '200' })[0]?.value).toBeGreaterThan(100);
  });

  it('rejects an unknown request preset, naming the field', () => {
    expect(() => createSimulation({ deployments: [{ namespace: 'a', name: 'b', replicas: 1, requestMetrics: 'grpc' as never }] })).toThrow(SandboxValidationError);
    expect(() => createSimulation({ deployments: [{ namespace: 'a', name: 'b', replicas: 1, requestMetrics: 'grpc' as never }] })).toThrow(/deployments\.0\.requestMetrics: must be one of flask, prometheus-client/);
  });
});

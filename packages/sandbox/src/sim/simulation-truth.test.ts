import { describe, expect, it } from 'vitest';
import type { MetricSample } from '../metrics/metric-families.js';
import { createSimulation } from './simulation.js';

const minute = 60_000;

/** Sum of a counter's samples for one Deployment (pod series by name prefix, ingress series by service). */
function total(samples: MetricSample[], name: string, deployment: string, status?: string): number {
  return samples
    .filter((sample) => sample.name === name && sample.labels['namespace'] === 'prod')
    .filter((sample) => (name === 'nginx_ingress_controller_requests' ? sample.labels['service'] === deployment : (sample.labels['pod'] ?? '').startsWith(`${deployment}-`)))
    .filter((sample) => status === undefined || sample.labels['status'] === status)
    .reduce((sum, sample) => sum + sample.value, 0);
}

describe('requests nobody could serve', () => {
  it('are answered 503 by the ingress and counted in the truth, never in the app series', () => {
    const simulation = createSimulation({ seed: 5, deployments: [{ namespace: 'prod', name: 'backend', replicas: 1, requestsPerSecond: 50 }] });
    simulation.advance(minute);
    simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'memory-leak', strength: 1 });
    simulation.advance(15 * minute);

    const samples = simulation.scrape();
    const truth = simulation.truthOf('prod', 'backend');
    const app = total(samples, 'flask_http_request_total', 'backend');
    const ingress = total(samples, 'nginx_ingress_controller_requests', 'backend');

    // The lone pod OOMs and backs off: for a while nothing is ready.
    expect(truth.failures.noReadyPod).toBeGreaterThan(1000);
    // Counters show whole requests, so each of the three status series may round one down.
    expect(Math.abs(ingress - truth.requests)).toBeLessThanOrEqual(3);
    expect(Math.abs(ingress - app - truth.failures.noReadyPod)).toBeLessThanOrEqual(6);
    expect(Math.abs(total(samples, 'nginx_ingress_controller_requests', 'backend', '503') - total(samples, 'flask_http_request_total', 'backend', '503') - truth.failures.noReadyPod)).toBeLessThanOrEqual(3);
    expect(truth.failedRequests).toBeCloseTo(truth.failures.applicationErrors + truth.failures.overloaded + truth.failures.noReadyPod, 6);
  });

  it('fail a Deployment scaled to zero, which breaches its objective', () => {
    const simulation = createSimulation({ seed: 5, deployments: [{ namespace: 'prod', name: 'backend', replicas: 2, requestsPerSecond: 20 }] });
    simulation.advance(minute);
    const ingress503Before = total(simulation.scrape(), 'nginx_ingress_controller_requests', 'backend', '503');
    const before = simulation.truthOf('prod', 'backend');
    expect(before).toMatchObject({ breached: false, breaches: [] });

    simulation.scale('prod', 'backend', 0);
    simulation.advance(2 * minute);

    const after = simulation.truthOf('prod', 'backend');
    const unrouted = after.failures.noReadyPod - before.failures.noReadyPod;
    expect(unrouted).toBeGreaterThan(1000);
    expect(unrouted).toBeCloseTo(after.requests - before.requests, 6);
    expect(after.breached).toBe(true);
    expect(after.breaches).toHaveLength(1);
    // The pods and their app series are gone; the ingress still counts what its clients got.
    const samples = simulation.scrape();
    expect(total(samples, 'flask_http_request_total', 'backend')).toBe(0);
    expect(Math.abs(total(samples, 'nginx_ingress_controller_requests', 'backend', '503') - ingress503Before - unrouted)).toBeLessThanOrEqual(1);
    expect(simulation.state().deployments[0]?.truth).toEqual(after);
  });

  it('labels the ingress series so a Deployment joins by namespace and service', () => {
    const simulation = createSimulation({ seed: 5 });
    simulation.advance(minute);

    const series = simulation.scrape().filter((sample) => sample.name === 'nginx_ingress_controller_requests' && sample.labels['service'] === 'backend');

    expect(series.map((sample) => sample.labels['status'])).toEqual(['200', '500', '503']);
    expect(series[0]?.labels).toEqual({
      canary: '',
      controller_class: 'k8s.io/ingress-nginx',
      controller_namespace: 'ingress-nginx',
      controller_pod: 'ingress-nginx-controller-sandbox',
      host: 'backend.prod.sandbox.local',
      ingress: 'backend',
      method: 'GET',
      namespace: 'prod',
      path: '/',
      service: 'backend',
      status: '200',
    });
  });
});

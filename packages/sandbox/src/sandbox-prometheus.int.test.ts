import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './sandbox.js';
import { type RunningPrometheus, isPrometheusAvailable, startPrometheus } from './testing-prometheus.js';

const prometheusAvailable = isPrometheusAvailable();
if (!prometheusAvailable) console.warn('[sandbox] SKIPPED the Prometheus test: the `prometheus` binary is not on PATH');

const selector = 'namespace="prod",pod=~"backend-.*"';
/** The seed README's four queries, then the three other features of the original pipeline. */
const queries: Record<string, string> = {
  cpu: `rate(container_cpu_usage_seconds_total{${selector},container!="POD"}[2m]) * 100`,
  memory: `avg(container_memory_working_set_bytes{${selector},container!="POD"})`,
  restarts: `increase(kube_pod_container_status_restarts_total{${selector}}[5m])`,
  http5xx: `sum(rate(flask_http_request_total{status=~"5..",${selector}}[2m]))`,
  readyRatio: 'sum(kube_deployment_status_replicas_ready{namespace="prod",deployment="backend"}) / sum(kube_deployment_spec_replicas{namespace="prod",deployment="backend"})',
  unavailable: 'sum(kube_deployment_status_replicas_unavailable{namespace="prod",deployment="backend"})',
  network: `sum(rate(container_network_receive_bytes_total{${selector}}[2m]))`,
};

describe.skipIf(!prometheusAvailable)('a real Prometheus scraping the sandbox', () => {
  let sandbox: Sandbox;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    sandbox = await startSandbox({ time: 'real', tickMs: 500 });
    prometheus = await startPrometheus({ scrapeTargets: [new URL(sandbox.url).host], scrapeIntervalSeconds: 1 });
  });

  afterAll(async () => {
    await prometheus?.close();
    await sandbox?.close();
  });

  it('answers every feature query of the original pipeline', async () => {
    const results: Record<string, Array<{ metric: Record<string, string>; value: [number, string] }>> = {};
    const deadline = Date.now() + 45_000;
    for (;;) {
      for (const [name, expression] of Object.entries(queries)) results[name] = await prometheus.query(expression);
      if (Object.values(results).every((result) => result.length > 0) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    for (const [name, result] of Object.entries(results)) expect(result, `${name}: ${queries[name]}`).not.toHaveLength(0);

    expect(results['cpu']?.length).toBe(3);
    for (const series of results['cpu'] ?? []) {
      expect(series.metric).toMatchObject({ namespace: 'prod', container: 'backend', cpu: 'total' });
      expect(Number(series.value[1])).toBeGreaterThan(0);
      expect(Number(series.value[1])).toBeLessThan(100);
    }
    expect(Number(results['memory']?.[0]?.value[1])).toBeGreaterThan(50 * 1024 * 1024);
    expect(Number(results['network']?.[0]?.value[1])).toBeGreaterThan(0);
    expect(Number(results['unavailable']?.[0]?.value[1])).toBeGreaterThanOrEqual(0);
  }, 70_000);

  it('stops Prometheus on close', async () => {
    await prometheus.close();
    await expect(fetch(`${prometheus.url}/-/ready`)).rejects.toThrow();
  });
});

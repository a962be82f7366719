/**
 * `--prometheus-service` / `AUTOHEAL_PROMETHEUS_SERVICE`: the server reads an in-cluster Prometheus
 * through the Kubernetes API's service proxy with the config's kubeconfig. Against the sandbox: a
 * real Prometheus scrapes it, and a `monitoring/prometheus-operated` Service in the sandbox points
 * at Prometheus' loopback port; the config names only the service and the kubeconfig.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isPrometheusAvailable, startPrometheus, startSandbox, type RunningPrometheus, type Sandbox } from '@autoheal/sandbox';
import { createPrometheusFeatureSource, type PrometheusFeatureSource } from '@autoheal/adapter-prometheus';
import { AutohealError, DEFAULT_FEATURE_NAMES, type TargetRef } from '@autoheal/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromFlags } from './cli/common-flags.js';
import type { CliIo } from './cli/io.js';
import { runCli } from './cli/main.js';
import { registerCommands } from './cli/register-commands.js';
import { createFeatureSourceFromConfig } from './compose.js';

const available = isPrometheusAvailable(process.env.PROMETHEUS_BIN);
if (!available) console.warn('[autoheal] [server] skipping the --prometheus-service tests: no prometheus binary (apt-get install prometheus)');

registerCommands();
const MODEL = path.resolve(import.meta.dirname, '../../../models/risk-v1.onnx');
const backend: TargetRef = { namespace: 'prod', kind: 'Deployment', name: 'backend' };
let sandbox: Sandbox;
let prometheus: RunningPrometheus;

function io(env: NodeJS.ProcessEnv = {}): CliIo {
  return { stdout: () => {}, stderr: () => {}, isTty: false, env };
}

beforeAll(async () => {
  if (!available) return;
  sandbox = await startSandbox({ time: 'real', tickMs: 500, deployments: [{ namespace: 'prod', name: 'backend', replicas: 2, requestsPerSecond: 50 }] });
  prometheus = await startPrometheus({ scrapeTargets: [new URL(sandbox.url).host], scrapeIntervalSeconds: 1, ...(process.env.PROMETHEUS_BIN ? { binary: process.env.PROMETHEUS_BIN } : {}) });
  sandbox.store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' }, spec: {}, status: { phase: 'Active' } });
  sandbox.store.create('/services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'prometheus-operated', namespace: 'monitoring', annotations: { 'sandbox.autoheal.dev/upstream': prometheus.url } },
    spec: { selector: { app: 'prometheus' }, ports: [{ name: 'web', port: 9090 }] },
  });
  // Wait for a few scrapes, so the range below has points.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = (await (await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent('count_over_time(container_memory_working_set_bytes{namespace="prod"}[1m])')}`)).json()) as { data?: { result?: Array<{ value: [number, string] }> } };
    if (Number(answer.data?.result?.[0]?.value[1] ?? 0) >= 5 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}, 60_000);

afterAll(async () => {
  await prometheus?.close();
  await sandbox?.close();
});


function roundNumbers(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? Number(value.toPrecision(12)) : value;
  if (Array.isArray(value)) return value.map(roundNumbers);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundNumbers(v)]));
  return value;
}

describe.runIf(available)('prometheus.service in the server config', () => {
  it('--prometheus-service with --kubeconfig reads the same history as Prometheus directly', async () => {
    const config = await configFromFlags({ 'prometheus-service': 'monitoring/prometheus-operated:9090', kubeconfig: sandbox.kubeconfigPath }, ['prod/backend'], io(), [{ path: ['prometheus', 'rateWindow'], value: '5s', source: 'test' }]);
    const source = (await createFeatureSourceFromConfig(config, DEFAULT_FEATURE_NAMES)) as PrometheusFeatureSource;
    const direct = createPrometheusFeatureSource({ url: prometheus.url, rateWindow: '5s' });
    try {
      expect(source.client.baseUrl).toBe(`${sandbox.url}/api/v1/namespaces/monitoring/services/prometheus-operated:9090/proxy`);
      const end = Date.now() - 3000; // Older than the last scrape, which may still be ingesting between the two queries.
      const [viaProxy, viaDirect] = await Promise.all([source.collectRange(backend, end - 3000, end, 1), direct.collectRange(backend, end - 3000, end, 1)]);
      // Equal to 12 significant digits: Prometheus may sum the same series in another order per query.
      expect(roundNumbers(viaProxy.series)).toEqual(roundNumbers(viaDirect.series));
      expect(viaProxy.series.memory_usage_bytes?.some(([, value]) => value !== null)).toBe(true);
    } finally {
      await source.close?.();
      await direct.close();
    }
  });

  it('autoheal predict --prometheus-service judges the target from complete features', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'autoheal-service-'));
    try {
      // Only the rate window comes from the file (the sandbox's Prometheus is seconds old).
      const configFile = path.join(directory, 'autoheal.yaml');
      await writeFile(configFile, 'prometheus:\n  rateWindow: 5s\n');
      let out = '';
      const cliIo: CliIo = { stdout: (text) => (out += text), stderr: (text) => (out += text), isTty: false, env: {} };
      const code = await runCli(['predict', 'prod/backend', '--config', configFile, '--prometheus-service', 'monitoring/prometheus-operated:9090', '--kubeconfig', sandbox.kubeconfigPath, '--model', MODEL, '--log-level', 'warn'], cliIo);
      // 0 healthy or 20 at risk: judged, so every signal arrived (30 would mean missing signals).
      expect([0, 20], out).toContain(code);
      expect(out).toContain('prod/backend');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('AUTOHEAL_PROMETHEUS_SERVICE and AUTOHEAL_KUBECONFIG do the same', async () => {
    const config = await configFromFlags({}, [], io({ AUTOHEAL_PROMETHEUS_SERVICE: 'monitoring/prometheus-operated:9090', AUTOHEAL_KUBECONFIG: sandbox.kubeconfigPath }));
    const source = (await createFeatureSourceFromConfig(config, DEFAULT_FEATURE_NAMES)) as PrometheusFeatureSource;
    try {
      await expect(source.ping()).resolves.toBeUndefined();
    } finally {
      await source.close?.();
    }
  });

  it('refuses both prometheus.url and prometheus.service when the config is loaded, blaming the flag', async () => {
    const failure = await configFromFlags({ 'prometheus-url': prometheus.url, 'prometheus-service': 'monitoring/prometheus-operated:9090', kubeconfig: sandbox.kubeconfigPath }, [], io()).catch((error: unknown) => error);
    expect(AutohealError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toContain('flag --prometheus-service monitoring/prometheus-operated:9090 is invalid: prometheus.service: cannot be set with url');
  });
});

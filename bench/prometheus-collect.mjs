#!/usr/bin/env node
/**
 * Benchmark: one collection of the seven features for 1,000 Deployments (3 pods each) from a real
 * Prometheus (the Debian binary scraping a fixture exporter on 127.0.0.1), grouped queries versus
 * the original pipeline's approach of one query per feature per Deployment (measured on a subset,
 * then extrapolated linearly; the extrapolation is stated as such in the output).
 *
 * The data comes from a fixture exporter rather than `startSandbox`: on this 2-core machine the
 * sandbox did not finish starting 1,000 Deployments within 120 s (100 took ~6 s), so the adapter is
 * measured against the same series names and labels served by a minimal exporter.
 *
 * Run after building (plain node, built dist):
 *   npm run build -w @autoheal/core && npm run build -w @autoheal/adapter-prometheus
 *   node bench/prometheus-collect.mjs [--deployments=1000] [--subset=100] [--runs=5]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createPrometheusFeatureSource, defaultRequestVolumeQuery, renderQuery } from '@autoheal/adapter-prometheus';

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const DEPLOYMENTS = Number(args.deployments ?? 1000);
const SUBSET = Number(args.subset ?? 100);
const RUNS = Number(args.runs ?? 5);
const PODS = 3;
/** The Prometheus binary; CI sets PROMETHEUS_BIN when it is not on PATH. */
const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? 'prometheus';
const NAMESPACES = ['prod', 'staging', 'dev', 'batch'];
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function safeString(seed, length) {
  let text = '';
  let state = seed * 2654435761 + 12345;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    text += ALPHABET[state % ALPHABET.length];
  }
  return text;
}

const deployments = Array.from({ length: DEPLOYMENTS }, (_, i) => {
  const namespace = NAMESPACES[i % NAMESPACES.length];
  const name = `app-${String(i).padStart(4, '0')}`;
  const replicaSet = `${name}-${safeString(i + 1, 10)}`;
  return { namespace, name, pods: Array.from({ length: PODS }, (_, p) => `${replicaSet}-${safeString(i * 7 + p + 3, 5)}`) };
});

/** The exposition text: cAdvisor and kube-state-metrics look-alikes for every pod. */
function render(elapsed) {
  const lines = [];
  for (const [index, d] of deployments.entries()) {
    for (const pod of d.pods) {
      const base = `namespace="${d.namespace}",pod="${pod}"`;
      lines.push(`container_cpu_usage_seconds_total{${base},container="app",cpu="total"} ${(0.1 + (index % 10) / 100) * elapsed}`);
      lines.push(`container_memory_working_set_bytes{${base},container="app"} ${50_000_000 + index}`);
      lines.push(`container_network_receive_bytes_total{${base},container="",interface="eth0"} ${Math.floor(1000 * elapsed)}`);
      lines.push(`kube_pod_container_status_restarts_total{${base},container="app"} 0`);
      lines.push(`flask_http_request_total{${base},method="GET",status="200"} ${Math.floor(10 * elapsed)}`);
      lines.push(`flask_http_request_total{${base},method="GET",status="500"} ${Math.floor(0.1 * elapsed)}`);
    }
    const dep = `namespace="${d.namespace}",deployment="${d.name}"`;
    lines.push(`kube_deployment_spec_replicas{${dep}} ${PODS}`);
    lines.push(`kube_deployment_status_replicas_ready{${dep}} ${PODS}`);
    lines.push(`kube_deployment_status_replicas_unavailable{${dep}} 0`);
  }
  return `${lines.join('\n')}\n`;
}

async function freePort() {
  const server = createNetServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Serves `/metrics` in this process (the `--exporter-child` mode) and prints the port. */
async function serveMetrics() {
  const started = Date.now();
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(render((Date.now() - started) / 1000));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`${server.address().port}\n`);
}

/**
 * Runs the exporter in a child process: rendering ~3 MB of metrics every scrape would otherwise
 * block the event loop of the process whose collection time is being measured.
 */
async function startExporter() {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--exporter-child', `--deployments=${DEPLOYMENTS}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim())));
    child.once('exit', (code) => reject(new Error(`exporter exited with code ${code}`)));
  });
  return {
    address: `127.0.0.1:${port}`,
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function startPrometheus(target) {
  const dir = await mkdtemp(join(tmpdir(), 'autoheal-bench-prom-'));
  const config = `global:\n  scrape_interval: 2s\n  scrape_timeout: 2s\nscrape_configs:\n  - job_name: bench\n    honor_labels: true\n    static_configs:\n      - targets: ['${target}']\n`;
  await writeFile(join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const child = spawn(PROMETHEUS_BIN, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  return { url, close };
}

async function waitFor(url, promql, predicate, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`).catch(() => undefined);
    if (response?.ok) {
      const body = await response.json();
      const value = Number(body.data?.result?.[0]?.value?.[1] ?? 'NaN');
      if (predicate(value)) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${promql}`);
}

/** The original pipeline's style: one query per feature per Deployment, pods matched by name prefix. */
const NAIVE_QUERIES = {
  restart_count_last_5m: 'sum(increase(kube_pod_container_status_restarts_total{namespace="{{namespace}}",pod=~"{{deployment}}-.*"}[5m]))',
  cpu_usage_pct: 'avg(rate(container_cpu_usage_seconds_total{namespace="{{namespace}}",pod=~"{{deployment}}-.*",container!="",container!="POD"}[2m])) * 100',
  memory_usage_bytes: 'avg(container_memory_working_set_bytes{namespace="{{namespace}}",pod=~"{{deployment}}-.*",container!="",container!="POD"})',
  ready_replica_ratio: 'kube_deployment_status_replicas_ready{namespace="{{namespace}}",deployment="{{deployment}}"} / kube_deployment_spec_replicas{namespace="{{namespace}}",deployment="{{deployment}}"}',
  unavailable_replicas: 'kube_deployment_status_replicas_unavailable{namespace="{{namespace}}",deployment="{{deployment}}"}',
  network_receive_bytes_per_s: 'sum(rate(container_network_receive_bytes_total{namespace="{{namespace}}",pod=~"{{deployment}}-.*"}[2m]))',
  http_5xx_error_rate: 'sum(rate(flask_http_request_total{namespace="{{namespace}}",pod=~"{{deployment}}-.*",status=~"5.."}[2m]))',
};

async function timeCollections(source, targets, runs) {
  const times = [];
  let queries = 0;
  let observations = [];
  for (let run = 0; run < runs; run++) {
    const before = source.client.requestCount;
    const started = performance.now();
    observations = await source.collectMany(targets);
    times.push(performance.now() - started);
    queries = source.client.requestCount - before;
  }
  times.sort((a, b) => a - b);
  const missing = observations.reduce((sum, o) => sum + o.missing.length, 0);
  return { medianMs: times[Math.floor(times.length / 2)], minMs: times[0], queries, missing, observations: observations.length };
}

if (process.argv.includes('--exporter-child')) {
  await serveMetrics();
} else {
  await main();
}

async function main() {
const exporter = await startExporter();
const prometheus = await startPrometheus(exporter.address);
try {
  // Rates need two samples; wait for a handful (2 s scrapes).
  await waitFor(prometheus.url, 'count_over_time(up[1m])', (value) => value >= 4);
  await waitFor(prometheus.url, 'count(rate(container_cpu_usage_seconds_total[2m]))', (value) => value === DEPLOYMENTS * PODS);
  const targets = deployments.map((d) => ({ namespace: d.namespace, kind: 'Deployment', name: d.name }));
  const subset = targets.slice(0, SUBSET);

  const grouped = createPrometheusFeatureSource({ url: prometheus.url });
  await grouped.collectMany(targets); // warm-up: connections, Prometheus caches
  const groupedResult = await timeCollections(grouped, targets, RUNS);
  // Where the time goes: each grouped query alone, sequentially.
  const selector = `namespace=~"${[...NAMESPACES].sort().join('|')}"`;
  const perQueryMs = {};
  const templates = { ...Object.fromEntries(Object.entries(grouped.queries).map(([feature, q]) => [feature, q.query])), '(request volume)': defaultRequestVolumeQuery() };
  for (const [feature, template] of Object.entries(templates)) {
    const started = performance.now();
    await grouped.client.query(renderQuery(template, { selector }));
    perQueryMs[feature] = Math.round(performance.now() - started);
  }
  groupedResult.perQueryMsSequential = perQueryMs;
  await grouped.close();

  const naiveQueries = Object.fromEntries(Object.entries(NAIVE_QUERIES).map(([feature, query]) => [feature, { query, mode: 'per-target' }]));
  const naiveSequential = createPrometheusFeatureSource({ url: prometheus.url, queries: naiveQueries, minRequests: 0, concurrency: 1 });
  await naiveSequential.collectMany(subset.slice(0, 5));
  const sequentialResult = await timeCollections(naiveSequential, subset, 1);
  await naiveSequential.close();
  const naiveParallel = createPrometheusFeatureSource({ url: prometheus.url, queries: naiveQueries, minRequests: 0, concurrency: 16 });
  await naiveParallel.collectMany(subset.slice(0, 5));
  const parallelResult = await timeCollections(naiveParallel, subset, 1);
  await naiveParallel.close();

  const scale = DEPLOYMENTS / SUBSET;
  const report = {
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version, loadAverage1m: (await import('node:os')).loadavg()[0] },
    setup: { deployments: DEPLOYMENTS, podsPerDeployment: PODS, namespaces: NAMESPACES.length, scrapeIntervalSeconds: 2, prometheus: PROMETHEUS_BIN },
    grouped: { ...groupedResult, runs: RUNS },
    naiveSequentialSubset: { targets: SUBSET, ...sequentialResult, extrapolatedMsFor: DEPLOYMENTS, extrapolatedMs: Math.round(sequentialResult.medianMs * scale), extrapolatedQueries: sequentialResult.queries * scale },
    naiveParallel16Subset: { targets: SUBSET, ...parallelResult, extrapolatedMsFor: DEPLOYMENTS, extrapolatedMs: Math.round(parallelResult.medianMs * scale), extrapolatedQueries: parallelResult.queries * scale },
  };
  console.log(JSON.stringify(report, null, 2));
  console.log(
    `\ngrouped: ${DEPLOYMENTS} deployments in ${groupedResult.medianMs.toFixed(0)} ms median (min ${groupedResult.minMs.toFixed(0)} ms, ${RUNS} runs), ${groupedResult.queries} queries, ${groupedResult.missing} missing values` +
      `\nnaive, sequential: ${SUBSET} deployments in ${sequentialResult.medianMs.toFixed(0)} ms, ${sequentialResult.queries} queries -> extrapolated x${scale} (linear, not measured): ~${report.naiveSequentialSubset.extrapolatedMs} ms, ${report.naiveSequentialSubset.extrapolatedQueries} queries` +
      `\nnaive, 16 in flight: ${SUBSET} deployments in ${parallelResult.medianMs.toFixed(0)} ms -> extrapolated x${scale} (linear, not measured): ~${report.naiveParallel16Subset.extrapolatedMs} ms` +
      `\nspeed-up vs the faster naive variant (extrapolated): ~${(Math.min(report.naiveSequentialSubset.extrapolatedMs, report.naiveParallel16Subset.extrapolatedMs) / groupedResult.medianMs).toFixed(1)}x; queries ${groupedResult.queries} vs ${report.naiveSequentialSubset.extrapolatedQueries}`,
  );
} finally {
  await prometheus.close();
  await exporter.close();
}
}

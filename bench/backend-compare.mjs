#!/usr/bin/env node
/**
 * Benchmark and compatibility check: the same fleet (`bench/lib/fleet-fixture.mjs`) scraped by two
 * backends at once — Prometheus (the Debian binary) and VictoriaMetrics single node (the Debian
 * `victoria-metrics` binary, its own scraper) — and the Prometheus adapter collecting every seed and
 * v2 feature from each through the Prometheus HTTP API at the same evaluation time. Reports, per
 * feature, how many Deployments got the same value from both (relative difference ≤ 1e-6), the same
 * absence, or something different; and each backend's collection time (median of `--runs`).
 *
 * The evaluation time is 60 s in the past, because VictoriaMetrics hides the newest 30 s of data by
 * default (`-search.latencyOffset`), which a collection at "now" would otherwise see as missing.
 *
 *   npx turbo run build --filter=@autoheal/adapter-prometheus...
 *   node bench/backend-compare.mjs [--deployments=500] [--runs=5] [--history=35] [--scrape=15]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_FEATURE_NAMES, FEATURE_SET_V2_NAMES } from '@autoheal/core';
import { createPrometheusFeatureSource } from '@autoheal/adapter-prometheus';
import { fleetTargets, freePort, PODS, startExporters, startPrometheus, waitFor } from './lib/fleet-fixture.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const DEPLOYMENTS = Number(args.deployments ?? 500);
const RUNS = Number(args.runs ?? 5);
const HISTORY_MINUTES = Number(args.history ?? 35);
const SCRAPE_SECONDS = Number(args.scrape ?? 15);
const VM_BIN = process.env.VICTORIA_METRICS_BIN ?? 'victoria-metrics';

async function startVictoriaMetrics(addresses) {
  const dir = await mkdtemp(join(tmpdir(), 'autoheal-bench-vm-'));
  // The fixture's scrape jobs as Prometheus writes them; explicit timestamps of the history replay are kept.
  const job = (name, interval) =>
    `  - job_name: ${name}\n    honor_labels: true\n    honor_timestamps: true\n    scrape_interval: ${interval}s\n    scrape_timeout: ${interval}s\n    static_configs:\n      - targets: ['${addresses[name]}']\n`;
  await writeFile(join(dir, 'scrape.yml'), `scrape_configs:\n${job('cadvisor', SCRAPE_SECONDS)}${job('ksm', SCRAPE_SECONDS)}${job('history', 5)}`);
  const port = await freePort();
  const child = spawn(VM_BIN, [`-storageDataPath=${join(dir, 'data')}`, `-httpListenAddr=127.0.0.1:${port}`, `-promscrape.config=${join(dir, 'scrape.yml')}`, '-retentionPeriod=1', '-loggerLevel=ERROR'], { stdio: 'ignore' });
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const same = (a, b) => a === b || Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b));

const exporter = await startExporters({ deployments: DEPLOYMENTS, historyMinutes: HISTORY_MINUTES });
const prometheus = await startPrometheus(exporter.addresses, SCRAPE_SECONDS);
const victoria = await startVictoriaMetrics(exporter.addresses);
try {
  const history = HISTORY_MINUTES * 60;
  for (const [name, url] of [['Prometheus', prometheus.url], ['VictoriaMetrics', victoria.url]]) {
    await waitFor(url, 'time() - max(timestamp(kube_deployment_spec_replicas))', (lag) => lag < 90, `${name}: the history replay`, (history / 15) * 20_000 + 600_000);
    await waitFor(url, 'count(rate(container_cpu_usage_seconds_total[2m]))', (count) => count === DEPLOYMENTS * PODS, `${name}: two live scrapes`, 600_000);
  }
  const at = Date.now() - 60_000;
  const clock = { now: () => at, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
  const featureNames = [...new Set([...DEFAULT_FEATURE_NAMES, ...FEATURE_SET_V2_NAMES])];
  const targets = fleetTargets(DEPLOYMENTS);
  const results = {};
  const observations = {};
  for (const [name, url] of [['Prometheus', prometheus.url], ['VictoriaMetrics', victoria.url]]) {
    const source = createPrometheusFeatureSource({ url, featureNames, timeoutMs: 120_000, clock });
    observations[name] = await source.collectMany(targets);
    const times = [];
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      await source.collectMany(targets);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    results[name] = { medianMs: Math.round(times[Math.floor(times.length / 2)]), queries: source.renderQueries(targets).length };
    await source.close();
  }
  const perFeature = {};
  for (const feature of featureNames) {
    const counts = { same: 0, bothMissing: 0, onlyPrometheus: 0, onlyVictoriaMetrics: 0, different: 0, example: undefined };
    targets.forEach((target, i) => {
      const p = observations.Prometheus[i].values[feature];
      const v = observations.VictoriaMetrics[i].values[feature];
      if (p === null && v === null) counts.bothMissing++;
      else if (v === null) counts.onlyPrometheus++;
      else if (p === null) counts.onlyVictoriaMetrics++;
      else if (same(p, v)) counts.same++;
      else {
        counts.different++;
        counts.example ??= `${target.namespace}/${target.name}: Prometheus ${p}, VictoriaMetrics ${v}`;
      }
    });
    perFeature[feature] = counts;
  }
  const report = { machine: { cpus: cpus().length, loadAverage1m: Number(loadavg()[0].toFixed(1)) }, deployments: DEPLOYMENTS, evaluatedAt: new Date(at).toISOString(), collection: results, perFeature };
  console.log(JSON.stringify(report, null, 2));
  const agreeing = Object.entries(perFeature).filter(([, c]) => c.onlyPrometheus + c.onlyVictoriaMetrics + c.different === 0).map(([feature]) => feature);
  console.log(`\n${DEPLOYMENTS} Deployments, ${featureNames.length} features: ${agreeing.length} agree for every Deployment; differ: ${featureNames.filter((f) => !agreeing.includes(f)).join(', ') || 'none'}`);
  for (const [name, r] of Object.entries(results)) console.log(`${name}: ${r.queries} queries, collection ${r.medianMs} ms median of ${RUNS}`);
} finally {
  await victoria.close();
  await prometheus.close();
  await exporter.close();
}

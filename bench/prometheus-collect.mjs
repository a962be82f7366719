#!/usr/bin/env node
/**
 * Benchmark: one collection for a fleet of Deployments (default 10,000 × 3 pods = 30,000 pods) from a
 * real Prometheus (the Debian binary) scraping a fixture exporter on 127.0.0.1:
 *
 * - autoheal's default: the seven seed features plus feature set v2 (23 values per Deployment) from the
 *   grouped signal queries;
 * - the seven seed features alone from the same signal queries;
 * - today's reference in the same run: the seven seed features with the original eight grouped
 *   queries (one per feature plus the request-volume guard);
 * - each signal query alone, sequentially (where the time goes);
 * - then the same bundles as recording rules (loaded with a configuration reload, evaluated every 30 s):
 *   a collection reading the recorded series, and the rule group's own evaluation time.
 *
 * The fleet (exporters serving cAdvisor, kube-state-metrics and prometheus_flask_exporter look-alikes,
 * `--history` minutes replayed, live jobs scraped every `--scrape` seconds) is `bench/lib/fleet-fixture.mjs`,
 * shared with `fleet-cycle.mjs`.
 *
 * Run after building (plain node, built dist):
 *   npm run build -w @autoheal/core && npm run build -w @autoheal/adapter-prometheus
 *   node bench/prometheus-collect.mjs [--deployments=10000] [--runs=5] [--history=35] [--scrape=15]
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { PODS, NAMESPACES, PROMETHEUS_BIN, startFleetFixture, waitFor } from './lib/fleet-fixture.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const DEPLOYMENTS = Number(args.deployments ?? 10_000);
const RUNS = Number(args.runs ?? 5);
const HISTORY_MINUTES = Number(args.history ?? 35);
const SCRAPE_SECONDS = Number(args.scrape ?? 15);

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
  const missing = {};
  for (const observation of observations) for (const entry of observation.missing) missing[`${entry.feature} (${entry.kind ?? 'no-data'})`] = (missing[`${entry.feature} (${entry.kind ?? 'no-data'})`] ?? 0) + 1;
  return { medianMs: Math.round(times[Math.floor(times.length / 2)]), minMs: Math.round(times[0]), runs, queries, features: source.featureNames.length, missing };
}

await main();

async function main() {
  const { DEFAULT_FEATURE_NAMES, FEATURE_SET_V2_NAMES } = await import('@autoheal/core');
  const { createPrometheusFeatureSource, DEFAULT_QUERIES, defaultRequestVolumeQuery, recordingRulesYaml, signalRecordingRules } = await import('@autoheal/adapter-prometheus');
  const prometheus = await startFleetFixture({ deployments: DEPLOYMENTS, historyMinutes: HISTORY_MINUTES, scrapeSeconds: SCRAPE_SECONDS });
  try {
    const loadMs = prometheus.dataLoadMs;
    const targets = prometheus.targets;
    const timeoutMs = 120_000;

    const all = [...new Set([...DEFAULT_FEATURE_NAMES, ...FEATURE_SET_V2_NAMES])];
    const sources = {
      'seed + v2, signal queries': createPrometheusFeatureSource({ url: prometheus.url, featureNames: all, timeoutMs }),
      'seed only, signal queries': createPrometheusFeatureSource({ url: prometheus.url, timeoutMs }),
      'seed only, the original 8 queries': createPrometheusFeatureSource({ url: prometheus.url, queries: { ...DEFAULT_QUERIES }, requestVolumeQuery: defaultRequestVolumeQuery(), timeoutMs }),
    };
    const results = {};
    for (const source of Object.values(sources)) await source.collectMany(targets); // warm-up
    // Interleaved runs, so load changes on the shared machine hit every variant alike.
    const samples = Object.fromEntries(Object.keys(sources).map((name) => [name, []]));
    for (let run = 0; run < RUNS; run++) {
      for (const [name, source] of Object.entries(sources)) samples[name].push(await timeCollections(source, targets, 1));
    }
    for (const [name, runs] of Object.entries(samples)) {
      const times = runs.map((r) => r.medianMs).sort((a, b) => a - b);
      results[name] = { ...runs[runs.length - 1], medianMs: times[Math.floor(times.length / 2)], minMs: times[0], runs: RUNS };
    }
    // Where the time goes: each query of the default collection alone, sequentially.
    const perQueryMs = {};
    const main = sources['seed + v2, signal queries'];
    for (const query of main.renderQueries(targets)) {
      const t = performance.now();
      const series = await main.client.query(query.promql);
      perQueryMs[query.name] = { ms: Math.round(performance.now() - t), series: series.length };
    }
    for (const source of Object.values(sources)) await source.close();

    // The same bundles as recording rules (evaluated every 30 s in the background): a collection
    // then reads the recorded series. The rules' own cost is the group's evaluation time.
    await prometheus.loadRules(recordingRulesYaml(signalRecordingRules({ interval: '30s' })));
    await waitFor(prometheus.url, 'count(autoheal:signals:network) + count(autoheal:signals:ksm) * 0', (count) => count === DEPLOYMENTS, 'the recording rules', 900_000);
    const recorded = createPrometheusFeatureSource({ url: prometheus.url, featureNames: all, signalSource: 'recording-rules', timeoutMs });
    await recorded.collectMany(targets);
    const recordedRuns = [];
    for (let run = 0; run < RUNS; run++) recordedRuns.push(await timeCollections(recorded, targets, 1));
    const recordedTimes = recordedRuns.map((r) => r.medianMs).sort((a, b) => a - b);
    results['seed + v2, read from recording rules'] = { ...recordedRuns[recordedRuns.length - 1], medianMs: recordedTimes[Math.floor(recordedTimes.length / 2)], minMs: recordedTimes[0], runs: RUNS };
    await recorded.close();
    // Prometheus does not scrape itself here: the rules API reports the group's last evaluation time.
    const rulesApi = await (await fetch(`${prometheus.url}/api/v1/rules`)).json();
    const group = rulesApi.data.groups.find((candidate) => candidate.name === 'autoheal-signals');
    const ruleSeconds = group?.evaluationTime;
    const ruleIntervalMissed = group?.rules.filter((rule) => rule.health !== 'ok').map((rule) => `${rule.name}: ${rule.lastError}`) ?? [];

    const report = {
      machine: { cpus: cpus().length, node: process.version, loadAverage1m: Number(loadavg()[0].toFixed(1)) },
      setup: { deployments: DEPLOYMENTS, podsPerDeployment: PODS, namespaces: NAMESPACES.length, liveScrapeSeconds: SCRAPE_SECONDS, historyMinutes: HISTORY_MINUTES, dataLoadMs: loadMs, prometheus: PROMETHEUS_BIN },
      results,
      recordingRules: { evaluationIntervalSeconds: 30, lastGroupEvaluationMs: Math.round((ruleSeconds ?? Number.NaN) * 1000), unhealthyRules: ruleIntervalMissed },
      perQueryMsSequential: perQueryMs,
    };
    console.log(JSON.stringify(report, null, 2));
    const line = (name) => `${name}: ${results[name].features} features, ${results[name].queries} queries, ${results[name].medianMs} ms median (min ${results[name].minMs} ms, ${RUNS} runs)`;
    console.log(`\n${Object.keys(results).map(line).join('\n')}\nrecording rules: one evaluation of the group took ${report.recordingRules.lastGroupEvaluationMs} ms (every 30 s)\nload average ${report.machine.loadAverage1m} on ${report.machine.cpus} cores`);
  } finally {
    await prometheus.close();
  }
}

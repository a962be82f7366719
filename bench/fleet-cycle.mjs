#!/usr/bin/env node
/**
 * Benchmark: one evaluation cycle over a fleet (default 10,000 Deployments × 3 pods = 30,000 pods)
 * against a real Prometheus (the Debian binary) scraping the fixture exporters of
 * `bench/lib/fleet-fixture.mjs`, the way the server runs it with the default model:
 *
 * 1. collection: `collectMany` of every Deployment with the features the server collects for model
 *    v2 (the seven seed signals plus feature set v2), counting the HTTP requests the Prometheus
 *    adapter sends per cycle (retries included), median of `--runs` cycles; then each of its
 *    queries alone, sequentially (where the time goes);
 * 2. scoring: `scoreBatch` of the ONNX adapter with the default model `models/risk-v2.onnx` over the
 *    rows that collection returned, without and with contributions, in alternating rounds with a bare
 *    onnxruntime session on the same model and the same rows (the reference; wall and CPU time);
 * 3. the server: `bench/lib/fleet-server.mjs` in its own process (`startServer` with every Deployment
 *    as a configured target, dry-run, core's in-memory healer standing in for Kubernetes): the time
 *    of each watch round and the RSS with 10,000 targets' state, after `/metrics` and `/api/targets`;
 * 4. with `--recording-rules`: the signal bundles loaded as recording rules (a configuration reload),
 *    then the same collection reading the recorded series, and the rule group's own evaluation time.
 *
 * The targets of issue 17: ≤ 12 queries per cycle, collection ≤ 1 s, scoring ≤ 3 ms, RSS ≤ 300 MB.
 *
 * Run after building (plain node, built dist):
 *   npx turbo run build --filter=@autoheal/server...
 *   node bench/fleet-cycle.mjs [--deployments=10000] [--runs=5] [--score-rounds=100] [--server-cycles=3] [--server-max-seconds=600] [--history-size=N] [--recording-rules] [--history=35] [--scrape=15]
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { DEFAULT_FEATURE_NAMES } from '@autoheal/core';
import { createOnnxRiskModel } from '@autoheal/adapter-onnx';
import { createPrometheusFeatureSource, recordingRulesYaml, signalRecordingRules } from '@autoheal/adapter-prometheus';
import { PODS, PROMETHEUS_BIN, startFleetFixture, waitFor } from './lib/fleet-fixture.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(benchDir, '..');
const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const DEPLOYMENTS = Number(args.deployments ?? 10_000);
const RUNS = Number(args.runs ?? 5);
const SCORE_ROUNDS = Number(args['score-rounds'] ?? 100);
const SERVER_CYCLES = Number(args['server-cycles'] ?? 3);
/** `server.historySize` of the server phase; unset, the server's default (500 records per target). */
const HISTORY_SIZE = args['history-size'];
/** After this long the server phase stops and reports the round under way as partial. */
const SERVER_MAX_SECONDS = Number(args['server-max-seconds'] ?? 600);
const HISTORY_MINUTES = Number(args.history ?? 35);
const SCRAPE_SECONDS = Number(args.scrape ?? 15);
const MODEL = path.resolve(root, args.model ?? 'models/risk-v2.onnx');
/** `--recording-rules`: afterwards, the same collection reading the signal bundles as recording rules. */
const RECORDING_RULES = 'recording-rules' in args;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const round2 = (x) => Math.round(x * 100) / 100;

/** Collection cycles: wall time and requests sent per cycle, and what the last one found. */
async function measureCollection(source, targets) {
  await source.collectMany(targets); // warm-up (connections, Prometheus' caches)
  const cycles = [];
  let observations = [];
  for (let run = 0; run < RUNS; run++) {
    const before = source.client.requestCount;
    const started = performance.now();
    observations = await source.collectMany(targets);
    cycles.push({ ms: Math.round(performance.now() - started), requests: source.client.requestCount - before });
  }
  const perQuery = {};
  for (const query of source.renderQueries(targets)) {
    const started = performance.now();
    const series = await source.client.query(query.promql);
    perQuery[query.name] = { ms: Math.round(performance.now() - started), series: series.length };
  }
  return { cycles, observations, perQuery };
}

/** `variant` against the bare session on the same matrix, in alternating rounds (wall and CPU ms, per-round ratio). */
async function againstBare(bare, matrix, rows, width, variant) {
  const bareRun = () => bare.run({ features: new ort.Tensor('float32', matrix, [rows, width]) });
  for (let i = 0; i < 5; i++) {
    await bareRun();
    await variant();
  }
  const wall = { bare: [], adapter: [] };
  const cpu = { bare: [], adapter: [] };
  const measure = async (fn, key) => {
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    await fn();
    wall[key].push(performance.now() - started);
    const used = process.cpuUsage(cpuStart);
    cpu[key].push((used.user + used.system) / 1000);
  };
  for (let i = 0; i < SCORE_ROUNDS; i++) {
    await measure(bareRun, 'bare');
    await measure(variant, 'adapter');
  }
  const ratio = (times) => median(times.adapter.map((t, i) => t / times.bare[i]));
  return {
    wallMs: { bare: round2(median(wall.bare)), adapter: round2(median(wall.adapter)), ratio: round2(ratio(wall)) },
    cpuMs: { bare: round2(median(cpu.bare)), adapter: round2(median(cpu.adapter)), ratio: round2(ratio(cpu)) },
  };
}

async function measureScoring(observations) {
  const bytes = new Uint8Array(await readFile(MODEL));
  const model = await createOnnxRiskModel({ modelBytes: bytes });
  const bare = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  const names = model.featureNames;
  // As the pipeline does: the model gets exactly its own features, in its order (extra source features are only recorded).
  const rows = observations.map((observation) => Object.fromEntries(names.map((name) => [name, observation.values[name] ?? null])));
  const width = names.length;
  const matrix = new Float32Array(rows.length * width);
  rows.forEach((row, r) => names.forEach((name, i) => (matrix[r * width + i] = row[name] ?? Number.NaN)));
  const complete = rows.filter((row) => names.every((name) => row[name] !== null && row[name] !== undefined)).length;
  const scores = await model.scoreBatch(rows, { contributions: false });
  const threshold = model.metadata.threshold ?? 0.5;
  const result = {
    model: `${path.relative(root, MODEL)} (${model.name} ${model.version}, ${model.metadata.explanation.trees ?? '?'} trees, ${width} features)`,
    rows: rows.length,
    rowsWithEveryModelFeature: complete,
    atOrAboveThreshold: scores.filter((score) => score.probability >= threshold).length,
    contributionsOff: await againstBare(bare, matrix, rows.length, width, () => model.scoreBatch(rows, { contributions: false })),
    withContributions: await againstBare(bare, matrix, rows.length, width, () => model.scoreBatch(rows)),
  };
  await model.close();
  await bare.release();
  return { result, featureNames: names };
}

function runServer(prometheusUrl) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(benchDir, 'lib', 'fleet-server.mjs'), `--prometheus=${prometheusUrl}`, `--deployments=${DEPLOYMENTS}`, `--cycles=${SERVER_CYCLES}`, `--max-seconds=${SERVER_MAX_SECONDS}`, ...(HISTORY_SIZE ? [`--history-size=${HISTORY_SIZE}`] : [])], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = output.trim().split('\n').pop();
      if (code === 0 && line) resolve(JSON.parse(line));
      else reject(new Error(`bench/lib/fleet-server.mjs exited with code ${code}: ${output.slice(-500)}`));
    });
  });
}

const fleet = await startFleetFixture({ deployments: DEPLOYMENTS, historyMinutes: HISTORY_MINUTES, scrapeSeconds: SCRAPE_SECONDS });
try {
  const modelFeatures = (await createOnnxRiskModel({ modelPath: MODEL }).then(async (model) => [model.featureNames, await model.close()]))[0];
  // What the server's composition collects for this model: the seed seven first, then the model's own.
  const featureNames = [...new Set([...DEFAULT_FEATURE_NAMES, ...modelFeatures])];
  const source = createPrometheusFeatureSource({ url: fleet.url, featureNames, timeoutMs: 120_000 });
  const load1 = loadavg()[0];
  const collection = await measureCollection(source, fleet.targets);
  await source.close();
  const missing = {};
  for (const observation of collection.observations) for (const entry of observation.missing) missing[`${entry.feature} (${entry.kind ?? 'no-data'})`] = (missing[`${entry.feature} (${entry.kind ?? 'no-data'})`] ?? 0) + 1;
  const load2 = loadavg()[0];
  const { result: scoring } = await measureScoring(collection.observations);
  const load3 = loadavg()[0];
  const server = await runServer(fleet.url);
  const load4 = loadavg()[0];
  // Last, so that the rules' background evaluation does not load Prometheus during the other phases.
  let recordingRules;
  if (RECORDING_RULES) {
    await fleet.loadRules(recordingRulesYaml(signalRecordingRules({ interval: '30s' })));
    await waitFor(fleet.url, 'count(autoheal:signals:network)', (count) => count === DEPLOYMENTS, 'the recording rules', 1_800_000);
    const recorded = createPrometheusFeatureSource({ url: fleet.url, featureNames, signalSource: 'recording-rules', timeoutMs: 120_000 });
    const { cycles } = await measureCollection(recorded, fleet.targets);
    await recorded.close();
    const rules = await (await fetch(`${fleet.url}/api/v1/rules`)).json();
    const group = rules.data.groups.find((candidate) => candidate.name === 'autoheal-signals');
    recordingRules = { medianMs: median(cycles.map((cycle) => cycle.ms)), requestsPerCycle: Math.max(...cycles.map((cycle) => cycle.requests)), cycles, lastGroupEvaluationMs: Math.round((group?.evaluationTime ?? Number.NaN) * 1000), evaluationIntervalSeconds: 30 };
  }

  const collectionMs = collection.cycles.map((cycle) => cycle.ms);
  const requests = Math.max(...collection.cycles.map((cycle) => cycle.requests));
  const peakRssMb = Math.max(server.memoryAfterStart.peakRssMb, server.targetsApi.memoryAfter.peakRssMb);
  const report = {
    machine: { cpus: cpus().length, node: process.version, loadAverage1m: [load1, load2, load3, load4].map((x) => Number(x.toFixed(1))) },
    setup: { deployments: DEPLOYMENTS, pods: DEPLOYMENTS * PODS, features: featureNames.length, historyMinutes: HISTORY_MINUTES, liveScrapeSeconds: SCRAPE_SECONDS, dataLoadMs: fleet.dataLoadMs, prometheus: PROMETHEUS_BIN },
    collection: { runs: RUNS, medianMs: median(collectionMs), minMs: Math.min(...collectionMs), maxMs: Math.max(...collectionMs), requestsPerCycle: requests, cycles: collection.cycles, missing, perQuerySequential: collection.perQuery },
    scoring,
    server,
    ...(recordingRules ? { recordingRules } : {}),
  };
  console.log(JSON.stringify(report, null, 2));
  const verdict = (met) => (met ? 'met' : 'NOT met');
  const complete = server.rounds.filter((round) => !round.partial);
  console.log(
    [
      '',
      `${DEPLOYMENTS} Deployments (${DEPLOYMENTS * PODS} pods), ${featureNames.length} features, load average ${report.machine.loadAverage1m.join(' / ')} on ${report.machine.cpus} cores`,
      `queries per cycle: ${requests} (target ≤ 12: ${verdict(requests <= 12)})`,
      `collection: ${report.collection.medianMs} ms median of ${RUNS} (min ${report.collection.minMs}, max ${report.collection.maxMs}) (target ≤ 1000 ms: ${verdict(report.collection.medianMs <= 1000)})`,
      `scoring ${scoring.rows} rows, contributions off: adapter ${scoring.contributionsOff.wallMs.adapter} ms p50 wall (${scoring.contributionsOff.cpuMs.adapter} ms CPU), bare onnxruntime ${scoring.contributionsOff.wallMs.bare} ms (${scoring.contributionsOff.cpuMs.bare} ms CPU), ×${scoring.contributionsOff.wallMs.ratio} (target ≤ 3 ms: ${verdict(scoring.contributionsOff.wallMs.adapter <= 3)})`,
      `scoring with contributions: adapter ${scoring.withContributions.wallMs.adapter} ms p50 wall (${scoring.withContributions.cpuMs.adapter} ms CPU), ×${scoring.withContributions.wallMs.ratio} of bare`,
      `server: ${complete.length > 1 ? `RSS ${Math.round((complete.at(-1).rssMb - complete[0].rssMb) / (complete.length - 1))} MB more per round after the first (the decision history, ${HISTORY_SIZE ?? 'default 500'} records per target); ` : ''}start ${server.startMs} ms; rounds ${server.rounds.map((r) => `${r.ms} ms${r.partial ? ` (partial: ${r.decisions} decisions when stopped)` : ''}`).join(', ')}; RSS ${server.rounds.map((r) => `${r.rssMb} MB`).join(', ')} after each round, ${server.targetsApi.memoryAfter.rssMb} MB after /metrics and /api/targets, peak ${peakRssMb} MB (target ≤ 300 MB: ${verdict(peakRssMb <= 300)})`,
      ...(recordingRules ? [`collection from recording rules: ${recordingRules.requestsPerCycle} queries, ${recordingRules.medianMs} ms median of ${RUNS}; one evaluation of the rule group took ${recordingRules.lastGroupEvaluationMs} ms (every 30 s)`] : []),
    ].join('\n'),
  );
} finally {
  await fleet.close();
}

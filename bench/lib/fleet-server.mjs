/**
 * The server half of `bench/fleet-cycle.mjs`, run in its own process so its RSS is the server's
 * alone: `startServer` (the `autoheal serve` composition: the Prometheus adapter collecting the seed
 * seven plus the model's features, model v2, the decision history, per-target metrics, the HTTP API,
 * the watch loop) with every configured Deployment of the fleet as a target, in dry-run. The one
 * part not real is the healer: core's in-memory healer stands in for the Kubernetes one (there is no
 * cluster with 10,000 Deployments here), so its per-target state is a Map, not annotations.
 *
 * Prints one JSON line when `--cycles` watch rounds have each recorded a decision for every target
 * (or after `--max-seconds`, with the round then under way marked partial), then stops the server. Not a benchmark on its own (bench/lib is not in bench/run.mjs's table).
 *
 *   node bench/lib/fleet-server.mjs --prometheus=http://127.0.0.1:9090 --deployments=10000 [--cycles=3] [--interval=5s] [--history-size=N] [--max-seconds=600]
 */
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInMemoryHealer } from '@autoheal/core/testing';
import { loadConfig, startServer } from '@autoheal/server';
import pino from 'pino';
import { fleetTargets } from './fleet-fixture.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const deployments = Number(args.deployments ?? 10_000);
const cycles = Number(args.cycles ?? 3);
const targets = fleetTargets(deployments);

const megabytes = (bytes) => Math.round(bytes / 1048576);
async function memory() {
  const status = await readFile('/proc/self/status', 'utf8');
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) * 1024;
  const usage = process.memoryUsage();
  return { rssMb: megabytes(kb('VmRSS')), peakRssMb: megabytes(kb('VmHWM')), heapUsedMb: megabytes(usage.heapUsed), externalMb: megabytes(usage.external + usage.arrayBuffers) };
}

const dir = await mkdtemp(join(tmpdir(), 'autoheal-bench-server-'));
const file = join(dir, 'autoheal.json');
// The shipped defaults but for: dry-run, no dashboard assets, a port of its own, and a query timeout
// that a loaded 2-core machine cannot hit by accident (the default is 10 s).
await writeFile(
  file,
  JSON.stringify({
    server: { host: '127.0.0.1', port: 0, dashboard: false, ...(args['history-size'] ? { historySize: Number(args['history-size']) } : {}) },
    prometheus: { url: args.prometheus, timeout: '60s' },
    model: { path: 'models/risk-v2.onnx', compatibilityPath: false },
    policy: { dryRun: true },
    watch: { interval: args.interval ?? '5s' },
    log: { level: 'error' },
    targets: targets.map((target) => `${target.namespace}/${target.name}`),
  }),
);
const config = await loadConfig({ file, env: {} });
const logger = pino({ level: 'error' }, pino.destination(2));
const before = await memory();
const started = performance.now();
const server = await startServer(config, logger, { healer: createInMemoryHealer() });
const startedMs = Math.round(performance.now() - started);
const afterStart = await memory();

const rounds = [];
let recorded = 0;
/** A round still running after this long is reported as partial (how far it got), so a loaded machine still gets figures. */
const maxMs = Number(args['max-seconds'] ?? 600) * 1000;
let roundStart = performance.now();
const decisions = {};
const done = new Promise((resolve) => {
  server.autoheal.pipeline.subscribe((record) => {
    recorded++;
    if (rounds.length === 0) decisions[record.decision === 'suppressed' ? `suppressed (${record.suppressedReason})` : record.decision] = (decisions[record.decision === 'suppressed' ? `suppressed (${record.suppressedReason})` : record.decision] ?? 0) + 1;
    if (recorded % 1000 === 0) process.stderr.write(`fleet-server: ${recorded} decisions recorded, ${Math.round((performance.now() - started) / 1000)} s since start\n`);
    if (recorded % deployments === 0) {
      const now = performance.now();
      rounds.push({ ms: Math.round(now - roundStart) });
      // The next round starts after the loop's interval sleep.
      roundStart = now + config.watch.interval;
      void memory().then((m) => Object.assign(rounds[rounds.length - 1], m));
      if (rounds.length === cycles) resolve();
    }
  });
  setTimeout(() => {
    // Stopped during the pause between two rounds: nothing of the next one has run.
    if (recorded % deployments === 0) return resolve();
    rounds.push({ partial: true, decisions: recorded % deployments, ms: Math.round(performance.now() - roundStart) });
    void memory().then((m) => Object.assign(rounds[rounds.length - 1], m));
    resolve();
  }, maxMs).unref();
});
await done;
await new Promise((resolve) => setTimeout(resolve, 50));
// What a Prometheus scraping autoheal reads: per-target series for every configured target.
const metrics = await fetch(`${server.url}/metrics`);
const metricsText = await metrics.text();
const afterMetrics = await memory();
const targetsApi = await fetch(`${server.url}/api/targets`);
const targetsBytes = (await targetsApi.text()).length;
const afterApi = await memory();
await server.stop();
await rm(dir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({
    deployments,
    startMs: startedMs,
    memoryBeforeStart: before,
    memoryAfterStart: afterStart,
    rounds,
    firstRoundDecisions: decisions,
    metricsEndpoint: { bytes: metricsText.length, lines: metricsText.split('\n').length, memoryAfter: afterMetrics },
    targetsApi: { bytes: targetsBytes, memoryAfter: afterApi },
  })}\n`,
);

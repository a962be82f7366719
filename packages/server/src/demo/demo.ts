/**
 * `autoheal demo` — the README's main job. Starts the sandbox (a local Kubernetes API with simulated
 * workloads), a real Prometheus scraping it when one is installed (otherwise the sandbox's own
 * feature source, and it says so), and the autoheal server with the shipped model; injects a fault
 * after a short while, and shows the risk rising, the ladder acting and the workload recovering.
 * Ctrl-C stops everything it started.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { targetKey, type DecisionRecord, type FeatureSource, type RiskModel } from '@autoheal/core';
import { createSandboxFeatureSource } from '@autoheal/trainer';
import { startPrometheus, startSandbox } from '@autoheal/sandbox';
import { loadAdapterSchemas } from '../config/adapter-schemas.js';
import { validateConfig } from '../config/load-config.js';
import { parseDuration } from '../config/duration.js';
import { CliExit, type CliIo } from '../cli/io.js';
import { createCliLogger } from '../cli/logger.js';
import { collectedFeatureNames, loadCompatibilityModel, loadRiskModel } from '../compose.js';
import { DEFAULT_MODEL_PATH } from '../config/config-schema.js';
import { startServer } from '../serve.js';

const FAULTS = ['bad-release', 'memory-leak', 'cache-bloat', 'cpu-saturation'] as const;
type Fault = (typeof FAULTS)[number];

export const DEMO_HELP = `Usage: autoheal demo [options]

Starts a sandbox cluster with prod/backend and prod/frontend under load, a real Prometheus when the
"prometheus" binary is installed, and the autoheal server with ${DEFAULT_MODEL_PATH}; then injects a
fault into prod/backend and shows autoheal predicting and healing it. Ctrl-C stops everything.

Options:
  --fault TYPE          bad-release (default: needs the whole ladder) | memory-leak | cache-bloat | cpu-saturation
  --warmup 45s          collect a baseline before autoheal starts judging (the rate windows need
                        samples to mean something)
  --fault-after 30s     when to inject the fault, counted from the end of the warm-up (default 30s)
  --strength 0.5        fault strength in (0, 1] (a bad release at 1 never passes readiness: the
                        rollout stalls while the old pods keep serving, so users see no failure)
  --recheck-delay 45s   re-check delay of the ladder (default 45s in the demo, with 30 s rate windows;
                        production uses 120s with the original 2m windows)
  --port 5000           server port (0 picks a free one)
  --no-prometheus       use the sandbox's own feature source even if Prometheus is installed
  --exit-when-healed    stop once the faulty workload is kept healthy (for tests and CI)
  --timeout 10m         give up after this long (exit code 1)
  --model PATH          ONNX model (default ${DEFAULT_MODEL_PATH})`;

function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function bar(probability: number | null, threshold: number): string {
  if (probability === null) return '[' + '?'.repeat(20) + ']';
  const filled = Math.round(probability * 20);
  const mark = Math.round(threshold * 20);
  let text = '';
  for (let i = 0; i < 20; i++) text += i === mark ? '|' : i < filled ? '#' : '.';
  return `[${text}]`;
}

/** The signals an operator looks at first, compactly: restarts, ready ratio, 5xx/s, memory. */
function signals(record: DecisionRecord): string {
  const f = record.features;
  const show = (value: number | null | undefined, format: (v: number) => string) => (value === null || value === undefined ? '—' : format(value));
  return [
    `restarts ${show(f.restart_count_last_5m, (v) => v.toFixed(0))}`,
    `ready ${show(f.ready_replica_ratio, (v) => v.toFixed(2))}`,
    `5xx ${show(f.http_5xx_error_rate, (v) => v.toFixed(2))}/s`,
    `mem ${show(f.memory_usage_bytes, (v) => `${Math.round(v / 1048576)}Mi`)}`,
  ].join(' ');
}

/** One terminal line per decision of interest. */
export function demoLine(record: DecisionRecord, startedAt: number): string {
  const seconds = Math.round((Date.parse(record.time) - startedAt) / 1000);
  // An unknown verdict has no meaningful probability: never print one that looks like a judgement.
  const p = record.assessment.verdict === 'unknown' ? null : record.assessment.probability;
  const risk = p === null ? ' n/a' : p.toFixed(2);
  const what =
    record.decision === 'heal'
      ? `HEAL step ${record.ladder.attempt}/${record.ladder.maxAttempts} (${record.action?.step}): ${record.action?.outcome?.message ?? 'planned'}`
      : record.decision === 'suppressed'
        ? `held back (${record.suppressedReason})`
        : record.decision;
  return `t+${String(seconds).padStart(4)}s  ${`${record.target.namespace}/${record.target.name}`.padEnd(14)} risk ${risk} ${bar(p, record.assessment.threshold)} ${record.assessment.verdict.padEnd(8)} ${what.padEnd(18)} ${signals(record)}`;
}

export async function demoCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      fault: { type: 'string', default: 'bad-release' },
      warmup: { type: 'string', default: '45s' },
      strength: { type: 'string', default: '0.5' },
      'fault-after': { type: 'string', default: '30s' },
      'recheck-delay': { type: 'string', default: '45s' },
      port: { type: 'string', default: '5000' },
      'no-prometheus': { type: 'boolean', default: false },
      'exit-when-healed': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '10m' },
      model: { type: 'string', default: DEFAULT_MODEL_PATH },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout(`${DEMO_HELP}\n`);
    return 0;
  }
  const fault = values.fault as Fault;
  if (!FAULTS.includes(fault)) throw new CliExit(1, `--fault "${values.fault}" is not a fault type: use one of ${FAULTS.join(', ')}`);
  const strength = Number(values.strength);
  if (!(strength > 0 && strength <= 1)) throw new CliExit(1, `--strength "${values.strength}" must be a number in (0, 1], e.g. 0.5`);
  const warmupMs = parseDuration(values.warmup!);
  const faultAfterMs = parseDuration(values['fault-after']!);
  const timeoutMs = parseDuration(values.timeout!);
  if (warmupMs === undefined || faultAfterMs === undefined || timeoutMs === undefined) {
    throw new CliExit(1, '--warmup, --fault-after and --timeout take durations such as 30s or 10m');
  }

  const say = (text: string) => io.stderr(`${text}\n`);
  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
    cleanups.length = 0;
  };
  let interrupted: () => void = () => undefined;
  const interruptedPromise = new Promise<'interrupted'>((resolve) => {
    interrupted = () => resolve('interrupted');
  });
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  try {
    say('autoheal demo — starting a sandbox cluster (a local emulator of the Kubernetes API, not a real cluster)…');
    const sandbox = await startSandbox({ time: 'real', seed: 7 });
    cleanups.push(() => sandbox.close());
    say(`  Kubernetes API  ${sandbox.url}   (kubectl --kubeconfig ${sandbox.kubeconfigPath} get deploy -n prod)`);

    let prometheusUrl: string | undefined;
    const withPrometheus = !values['no-prometheus'] && hasBinary('prometheus');
    if (withPrometheus) {
      const prometheus = await startPrometheus({ scrapeTargets: [new URL(sandbox.url).host], scrapeIntervalSeconds: 2 });
      cleanups.push(() => prometheus.close());
      prometheusUrl = prometheus.url;
      say(`  Prometheus      ${prometheus.url}   (a real Prometheus scraping the sandbox every 2 s)`);
    } else {
      say(
        values['no-prometheus']
          ? '  Prometheus      not used (--no-prometheus): features come from the sandbox metrics, computed with the same queries'
          : '  Prometheus      not installed (apt-get install prometheus): features come from the sandbox metrics, computed with the same queries',
      );
    }

    const token = randomBytes(18).toString('base64url');
    await loadAdapterSchemas();
    const config = validateConfig({
      server: { host: '127.0.0.1', port: Number(values.port), apiToken: token },
      // 30 s rate windows (production: 2m) so the demo reacts, and recovers, within minutes.
      // minRequests 0: a workload whose pods are all down serves no traffic; count that as no errors
      // rather than an unknown 5xx rate, so the demo keeps judging it (see docs/operations.md).
      ...(prometheusUrl ? { prometheus: { url: prometheusUrl, rateWindow: '30s', minRequests: 0 } } : {}),
      model: { path: values.model },
      kubernetes: { kubeconfig: sandbox.kubeconfigPath },
      targets: ['prod/backend', 'prod/frontend'],
      policy: { recheckDelay: values['recheck-delay'], cooldown: values['recheck-delay'], healthyReset: '2m' },
      watch: { interval: '5s' },
      log: { level: 'warn' },
    });
    // Without Prometheus the sandbox's own source computes what the model takes (and the seed seven
    // the dashboard shows), which needs the model first.
    let parts: { featureSource: FeatureSource; riskModel: RiskModel; compatibilityModel?: RiskModel } | undefined;
    if (!withPrometheus) {
      const riskModel = await loadRiskModel(config);
      cleanups.push(async () => riskModel.close?.());
      const compatibilityModel = await loadCompatibilityModel(config, riskModel);
      if (compatibilityModel) cleanups.push(async () => compatibilityModel.close?.());
      const featureSource = createSandboxFeatureSource({
        scrape: () => sandbox.scrape(),
        now: () => sandbox.clock.now(),
        scrapeIntervalMs: 2000,
        featureNames: collectedFeatureNames(riskModel.featureNames),
        // The demo's Prometheus settings below (30 s rate window, minRequests 0), for feature set v2.
        windows: { rateWindowSeconds: 30, minRequests: 0 },
      });
      cleanups.push(() => featureSource.close());
      parts = { featureSource, riskModel, ...(compatibilityModel ? { compatibilityModel } : {}) };
    }
    const logger = createCliLogger('warn');
    // The watch loop starts after the warm-up (below), so the first judgements use full windows.
    const server = await startServer(config, logger, { ...parts, watch: false });
    cleanups.push(() => server.stop());
    say(`  autoheal        ${server.url}   dashboard: ${server.url}/#token=${token}`);
    say(`  model           ${server.autoheal.riskModel.name} ${server.autoheal.riskModel.version}, threshold ${server.autoheal.threshold.toFixed(2)} (the model's tuned one), re-check after ${values['recheck-delay']}`);
    say('');

    const pipeline = server.autoheal.pipeline!;
    const startedAt = Date.now();
    const faulty = targetKey({ namespace: 'prod', name: 'backend' });
    let healed = false;
    let acted = false;
    let faultInjected = false;
    let resolveHealed: () => void = () => undefined;
    const healedPromise = new Promise<'healed'>((resolve) => {
      resolveHealed = () => resolve('healed');
    });
    pipeline.subscribe((record) => {
      const interesting = targetKey(record.target) === faulty || record.decision !== 'none';
      if (interesting) say(demoLine(record, startedAt));
      if (targetKey(record.target) !== faulty) return;
      // Only a step taken after the fault counts towards "healed"; anything before it is reported as is.
      if (record.decision === 'heal' && faultInjected) acted = true;
      if (acted && (record.decision === 'kept' || record.decision === 'reset') && !healed) {
        healed = true;
        say(`\n✔ prod/backend recovered after ${record.ladder.attempt} step(s); autoheal keeps the rollout (see the Events: kubectl --kubeconfig ${sandbox.kubeconfigPath} describe deploy backend -n prod)\n`);
        resolveHealed();
      }
      if (record.decision === 'handoff') say('\n✘ still at risk after the whole ladder: autoheal stops acting and asks for a human (Slack, Event).\n');
    });

    say(`Warming up for ${Math.round(warmupMs / 1000)} s: Prometheus collects a baseline of the healthy workloads…`);
    const stopWatch = new AbortController();
    let watchDone: Promise<void> = Promise.resolve();
    const warmupTimer = setTimeout(() => {
      say('Warm-up done: autoheal now evaluates every target every 5 s.');
      watchDone = pipeline.watch(config.targets, { intervalMs: config.watch.interval, concurrency: 2, signal: stopWatch.signal });
    }, warmupMs);
    const faultTimer = setTimeout(() => {
      faultInjected = true;
      say(`\n⚡ injecting fault "${fault}" into prod/backend\n`);
      sandbox.injectFault({ namespace: 'prod', deployment: 'backend', type: fault, strength });
    }, warmupMs + faultAfterMs);
    cleanups.push(async () => {
      clearTimeout(warmupTimer);
      clearTimeout(faultTimer);
      stopWatch.abort();
      await watchDone;
    });

    const waits: Array<Promise<string>> = [interruptedPromise, new Promise((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref())];
    if (values['exit-when-healed']) waits.push(healedPromise);
    say(`The fault comes in ${Math.round((warmupMs + faultAfterMs) / 1000)} s. ${values['exit-when-healed'] ? '' : 'Press Ctrl-C to stop.'}`);
    const outcome = await Promise.race(waits);
    say(outcome === 'timeout' ? `\nstopping: --timeout ${values.timeout} reached` : '\nstopping everything the demo started…');
    return outcome === 'timeout' && values['exit-when-healed'] ? 1 : 0;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await cleanup();
  }
}

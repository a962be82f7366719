/**
 * One scenario under one policy: the sandbox in virtual time behind its real Kubernetes API, the
 * sandbox feature source (the trainer's feature definitions, the Prometheus adapter's queries), the
 * real core pipeline, the real ONNX adapter and the real Kubernetes healer over HTTP. The scenario
 * plays (its fault, releases, traffic changes); every evaluation interval the pipeline evaluates the
 * workload as `autoheal watch` would; the sandbox's ground truth says what users lived through.
 *
 * Time: the simulation moves only between evaluations. Scrapes land every `scrapeIntervalMs` (the
 * rate windows need the last 6 minutes, so scraping starts 6 minutes before the warm-up ends), and
 * an evaluation happens right after the scrape at its instant. A step takes no virtual time.
 */
import { performance } from 'node:perf_hooks';
import { createPipeline, type DecisionRecord, type Healer, type HealStepKind, type RiskModel, type TargetRef } from '@autoheal/core';
import { createKubernetesHealer } from '@autoheal/adapter-kubernetes';
import {
  DEFAULT_OBJECTIVE,
  faultCausesPresent,
  scenarioDeployments,
  startSandbox,
  startScenario,
  type CatalogueScenario,
  type FaultType,
  type Remedy,
  type WorkloadTruth,
} from '@autoheal/sandbox';
import { createSandboxFeatureSource } from '@autoheal/trainer';
import { couldHelp, remediesOf } from './judge-actions.js';
import type { PolicyDefinition } from './policies.js';
import { createSimulationClock } from './simulation-clock.js';
import { createSloAlertModel } from './slo-alert-model.js';

/** How long the objective must have held at the end of the window for a run to count as recovered. */
export const RECOVERY_QUIET_MS = 10 * 60_000;

/** The namespace the benchmark's workloads live in. */
export const BENCH_NAMESPACE = 'bench';

/** One step a policy took. Times are offsets from the simulation's start. */
export interface ActionRecord {
  atMs: number;
  step: HealStepKind;
  /** Whether every operation of the step succeeded. */
  ok: boolean;
  /** What the step did (see `judge-actions.ts`). */
  remedies: Remedy[];
  /** The fault causes in place right before it ran. */
  causes: FaultType[];
  /** It could not help (see `judge-actions.ts`). */
  wrong: boolean;
}

/** What one scenario × policy run measured. */
export interface RunResult {
  scenario: string;
  family: CatalogueScenario['family'];
  strength: number | null;
  shape: string;
  variant: number;
  policy: string;
  /** The measured window: from the end of the warm-up to the end of the scenario (offsets, ms). */
  window: { startMs: number; endMs: number };
  /** The fault's onset (offset), `null` for a healthy scenario. */
  onsetMs: number | null;
  /** Requests in the window, from the ground truth. */
  requests: number;
  /** Failed requests in the window, from the ground truth (500s, shed 503s, and 503s with no pod ready). */
  failedRequests: number;
  failures: WorkloadTruth['failures'];
  /** Time in breach within the window. */
  breachMs: number;
  /** Breaches overlapping the window, clipped to it (`endMs: null`: still breaching at the end). */
  breaches: Array<{ startMs: number; endMs: number | null }>;
  actions: ActionRecord[];
  /** Onset → first step at or after the onset; `null` when the policy took none. */
  firstActionAfterOnsetMs: number | null;
  /**
   * Onset → the objective met again for good: the end of the last breach after the onset, when the
   * objective then held for at least {@link RECOVERY_QUIET_MS} until the end of the window; 0 when no
   * breach followed the onset; `null` otherwise (not recovered: still breaching, or breaching again
   * and again until the end).
   */
  recoveredAfterOnsetMs: number | null;
  /** Decisions by kind (`suppressed:<reason>` for suppressions). */
  decisions: Record<string, number>;
  evaluations: number;
  /** Background errors the pipeline reported (notifier, Event writer...), which never stop a run. */
  pipelineErrors: string[];
  /** Wall-clock milliseconds, by part. */
  timings: RunTimings;
}

/** Where a run's wall-clock time went. */
export interface RunTimings {
  /** Sandbox start, healer and pipeline creation, close. */
  setupMs: number;
  /** `advance()` of the simulation (and the scenario's changes). */
  simulateMs: number;
  /** Recording scrapes. */
  scrapeMs: number;
  /** `pipeline.evaluate`, all of it ... */
  evaluateMs: number;
  /** ... of which the feature source's collect (computing features) ... */
  collectMs: number;
  /** ... and the healer's calls over HTTP (state, plans, steps, Events). */
  healerMs: number;
  totalMs: number;
}

/** What a worker keeps between runs. */
export interface RunContext {
  /** Loads (once) an ONNX model by path. */
  onnxModel(path: string): Promise<RiskModel>;
  /** Where the sandbox writes its kubeconfig (one file per worker, rewritten by every run). */
  kubeconfigPath: string;
}

/** Options of {@link runScenario}. */
export interface RunScenarioOptions {
  scenario: CatalogueScenario;
  policy: PolicyDefinition;
  context: RunContext;
  /** Simulation step. @default 1000 */
  tickMs?: number;
  /** @default 15000 (a common Prometheus scrape interval) */
  scrapeIntervalMs?: number;
  /** Sees every decision record with its offset from the simulation's start (to inspect a run: features, diagnosis, step). */
  onDecision?: (record: DecisionRecord, atMs: number) => void;
}

/** Milliseconds spent in `work`, added to `timings[key]`. */
async function timed<T>(timings: RunTimings, key: keyof RunTimings, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings[key] += performance.now() - started;
  }
}

/** The healer, with its calls timed and each applied step judged against the causes in place right before it. */
function instrumentHealer(healer: Healer, timings: RunTimings, causesNow: () => FaultType[], now: () => number, actions: ActionRecord[]): Healer {
  const time = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => (...args: A) => timed(timings, 'healerMs', () => call(...args));
  return {
    name: healer.name,
    readState: time(healer.readState.bind(healer)),
    writeState: time(healer.writeState.bind(healer)),
    plan: time(healer.plan.bind(healer)),
    ...(healer.recordDecision ? { recordDecision: time(healer.recordDecision.bind(healer)) } : {}),
    async apply(target, plan, options) {
      const causes = causesNow();
      const atMs = now();
      const outcome = await timed(timings, 'healerMs', () => healer.apply(target, plan, options));
      if (!outcome.dryRun) {
        const remedies = remediesOf(outcome);
        actions.push({ atMs, step: plan.step.kind, ok: outcome.ok, remedies, causes, wrong: !couldHelp(remedies, causes) });
      }
      return outcome;
    },
    close: () => healer.close?.() ?? Promise.resolve(),
  };
}

/** A model shared by the runs of a worker must outlive each run's pipeline: this view has no `close`. */
function borrowed(model: RiskModel): RiskModel {
  const { close: _close, ...rest } = model;
  return { ...rest, score: model.score.bind(model), scoreBatch: model.scoreBatch.bind(model) };
}

function clipBreaches(truth: WorkloadTruth, start: number, windowStart: number, windowEnd: number): RunResult['breaches'] {
  const clipped: RunResult['breaches'] = [];
  for (const breach of truth.breaches) {
    const from = breach.start - start;
    const to = breach.end === null ? null : breach.end - start;
    if ((to !== null && to <= windowStart) || from >= windowEnd) continue;
    clipped.push({ startMs: Math.max(from, windowStart), endMs: to === null || to >= windowEnd ? null : to });
  }
  return clipped;
}

/** Runs one scenario under one policy. */
export async function runScenario(options: RunScenarioOptions): Promise<RunResult> {
  const { scenario, policy, context } = options;
  const tickMs = options.tickMs ?? 1000;
  const scrapeIntervalMs = options.scrapeIntervalMs ?? 15_000;
  const [workload] = scenario.workloads;
  if (!workload || scenario.workloads.length !== 1) throw new Error(`[autoheal] [bench] scenario ${scenario.id} must have exactly one workload`);
  const timings: RunTimings = { setupMs: 0, simulateMs: 0, scrapeMs: 0, evaluateMs: 0, collectMs: 0, healerMs: 0, totalMs: 0 };
  const runStarted = performance.now();
  const setupStarted = performance.now();

  const sandbox = await startSandbox(
    { time: 'virtual', seed: scenario.seed, tickMs, deployments: scenarioDeployments(scenario, BENCH_NAMESPACE), kubeconfigPath: context.kubeconfigPath },
    { onError: () => undefined },
  );
  const simulation = sandbox.simulation;
  const start = sandbox.clock.now();
  const offset = () => sandbox.clock.now() - start;
  const clock = createSimulationClock(() => sandbox.clock.now());
  const changes = startScenario(simulation, scenario, { namespace: BENCH_NAMESPACE, start });
  // The judge first: the feature source is fed what it takes (seed or v2, as the server configures Prometheus).
  const model = policy.healing?.model;
  const riskModel: RiskModel | undefined = !model
    ? undefined
    : model.kind === 'onnx'
      ? borrowed(await context.onnxModel(model.path).catch(async (error: unknown) => Promise.reject(await sandbox.close().then(() => error))))
      : model.kind === 'slo-alert'
        ? createSloAlertModel({ forMs: model.forMs, now: () => sandbox.clock.now() })
        : { name: 'constant', version: String(model.probability), featureNames: ['ready_replica_ratio'], score: async () => ({ probability: model.probability }), scoreBatch: async (v) => v.map(() => ({ probability: model.probability })) };
  // The control policy never looks, so it records no scrapes (its runs measure the truth only).
  const source = riskModel
    ? createSandboxFeatureSource({ scrape: () => sandbox.scrape(), now: () => sandbox.clock.now(), timer: false, objective: DEFAULT_OBJECTIVE, featureNames: riskModel.featureNames })
    : undefined;
  const timedSource = source && {
    ...source,
    collect: (target: TargetRef, o?: { signal?: AbortSignal }) => timed(timings, 'collectMs', () => source.collect(target, o)),
    collectMany: (targets: readonly TargetRef[], o?: { signal?: AbortSignal }) => timed(timings, 'collectMs', () => source.collectMany(targets, o)),
  };
  const target: TargetRef = { namespace: BENCH_NAMESPACE, kind: 'Deployment', name: workload.name };
  const actions: ActionRecord[] = [];
  const decisions: Record<string, number> = {};
  const pipelineErrors: string[] = [];

  const windowStart = scenario.warmupMs;
  const windowEnd = scenario.warmupMs + scenario.durationMs;
  let nextChange = 0;
  // Only the scrapes within the source's history (6 minutes for seed, 31 for v2) feed the windows at the first evaluation.
  let nextScrape = source ? Math.max(scrapeIntervalMs, Math.ceil((windowStart - source.historyMs) / scrapeIntervalMs) * scrapeIntervalMs) : Number.POSITIVE_INFINITY;
  let now = 0;
  const advanceTo = (until: number) => {
    while (now < until) {
      const stop = Math.min(until, nextScrape, changes[nextChange]?.atMs ?? Number.POSITIVE_INFINITY);
      const simulateStarted = performance.now();
      if (stop > now) sandbox.advance(stop - now);
      now = stop;
      while (nextChange < changes.length && (changes[nextChange]?.atMs ?? Number.POSITIVE_INFINITY) <= now) changes[nextChange++]?.apply(simulation);
      timings.simulateMs += performance.now() - simulateStarted;
      if (source && now === nextScrape) {
        const scrapeStarted = performance.now();
        source.scrapeNow();
        timings.scrapeMs += performance.now() - scrapeStarted;
        nextScrape += scrapeIntervalMs;
      }
      clock.release();
    }
  };

  let pipeline: ReturnType<typeof createPipeline> | undefined;
  let evaluations = 0;
  try {
    if (policy.healing && timedSource && riskModel) {
      const healer = createKubernetesHealer({ kubeconfigPath: sandbox.kubeconfigPath, reportingInstance: 'outcome-bench' });
      pipeline = createPipeline({
        featureSource: timedSource,
        riskModel,
        healer: instrumentHealer(healer, timings, () => faultCausesPresent(simulation, BENCH_NAMESPACE, workload.name), offset, actions),
        policy: policy.healing.policy,
        clock,
        onError: (error, errorContext) => pipelineErrors.push(`${errorContext.component}: ${error instanceof Error ? error.message : String(error)}`),
      });
    }
    timings.setupMs += performance.now() - setupStarted;

    advanceTo(windowStart);
    const before = simulation.truthOf(BENCH_NAMESPACE, workload.name);
    const interval = policy.healing?.evaluationIntervalMs ?? scrapeIntervalMs;
    for (let at = windowStart + interval; at <= windowEnd; at += interval) {
      advanceTo(at);
      if (!pipeline) continue;
      const record: DecisionRecord = await timed(timings, 'evaluateMs', () => pipeline!.evaluate(target));
      evaluations += 1;
      options.onDecision?.(record, at);
      const kind = record.decision === 'suppressed' ? `suppressed:${record.suppressedReason}` : record.decision;
      decisions[kind] = (decisions[kind] ?? 0) + 1;
    }
    advanceTo(windowEnd);
    const after = simulation.truthOf(BENCH_NAMESPACE, workload.name);

    const onsetMs = workload.fault ? workload.fault.onsetMs : null;
    const breaches = clipBreaches(after, start, windowStart, windowEnd);
    const breachMs = breaches.reduce((sum, b) => sum + ((b.endMs ?? windowEnd) - b.startMs), 0);
    const firstAction = onsetMs === null ? undefined : actions.find((action) => action.atMs >= onsetMs);
    let recoveredAfterOnsetMs: number | null = null;
    if (onsetMs !== null) {
      const afterOnset = breaches.filter((b) => (b.endMs ?? windowEnd) > onsetMs);
      const last = afterOnset[afterOnset.length - 1];
      // A breach that ended shortly before the window did may be a gap between two (a leak that
      // keeps coming back): recovered only with a quiet period after it.
      const settled = last?.endMs !== undefined && last.endMs !== null && windowEnd - last.endMs >= RECOVERY_QUIET_MS;
      recoveredAfterOnsetMs = !last ? 0 : settled ? (last.endMs as number) - onsetMs : null;
    }
    return {
      scenario: scenario.id,
      family: scenario.family,
      strength: scenario.strength,
      shape: scenario.shape,
      variant: scenario.variant,
      policy: policy.name,
      window: { startMs: windowStart, endMs: windowEnd },
      onsetMs,
      requests: after.requests - before.requests,
      failedRequests: after.failedRequests - before.failedRequests,
      failures: {
        applicationErrors: after.failures.applicationErrors - before.failures.applicationErrors,
        overloaded: after.failures.overloaded - before.failures.overloaded,
        noReadyPod: after.failures.noReadyPod - before.failures.noReadyPod,
      },
      breachMs,
      breaches,
      actions,
      firstActionAfterOnsetMs: firstAction && onsetMs !== null ? firstAction.atMs - onsetMs : null,
      recoveredAfterOnsetMs,
      decisions,
      evaluations,
      pipelineErrors,
      timings,
    };
  } finally {
    const closeStarted = performance.now();
    await pipeline?.close();
    await source?.close();
    await sandbox.close();
    timings.setupMs += performance.now() - closeStarted;
    timings.totalMs = performance.now() - runStarted;
  }
}

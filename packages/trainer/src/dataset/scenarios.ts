/**
 * Scenarios for the simulated dataset: which workloads a run has, how busy they are, and which
 * fault hits them when. Runs are split into folds by index, and the test fold is deliberately
 * different from everything the model is trained on:
 *
 * - other seeds (every run has its own);
 * - fault strengths from held-out bands (training draws from [0.2,0.3) ∪ [0.4,0.5) ∪ [0.6,0.7) ∪
 *   [0.8,0.9); test from [0.3,0.4) ∪ [0.5,0.6) ∪ [0.7,0.8) ∪ [0.9,1.0]);
 * - a held-out workload shape for every fault type: in test, half of the faulty workloads sit
 *   behind an HPA (training: fixed replica counts only);
 * - healthy workloads at traffic scales never trained on (training 1–500 req/s and, for 8% of the
 *   workloads, 1600–3000 req/s; test also 800–1500 req/s with proportionally more replicas, a band
 *   between the trained ones, and 0.1–0.8 req/s).
 *
 * 60% of the faulty workloads are healed during the run (the recovery scenarios), through the
 * simulation's hooks, and recorded for the rest of the run: mostly with the right action for the
 * fault (memory leak → restart, cache bloat → cache clear, cpu saturation → scale out, bad release →
 * rollback), sometimes with the wrong one (a restart: on half of the bad releases, 40% of the
 * cache bloats and cpu saturations), so the model sees workloads
 * that were failing and were healed as well as ones a heal did not fix. The heal plans are drawn
 * from their own random stream, so adding them leaves every other draw of a run unchanged.
 *
 * The vocabulary is the sandbox's scenario catalogue (`@autoheal/sandbox`): runs and workloads are
 * its `ScenarioRun` and `ScenarioWorkload` with the trainer's folds, kinds and heal plans added, they
 * are drawn with its `createScenarioRandom` and played with its `startScenario`, and the right
 * action for a fault is its `faultRemedies`. This generator is the one model v1 was trained on; its
 * draws must stay as they are (`models/risk-v1.onnx` is rebuilt from them byte for byte), so the
 * catalogue's wider draws (`buildScenarioCatalogue`) live beside it, not in it.
 */
import {
  createScenarioRandom,
  faultRemedies,
  type FaultType as SandboxFaultType,
  type Remedy,
  type ScenarioRandom,
  type ScenarioRun,
  type ScenarioWorkload,
} from '@autoheal/sandbox';

/** One of the sandbox's fault types. */
export type FaultType = SandboxFaultType;

/**
 * The fault types model v1 is trained on, in the order its runs pick from (the order is part of the
 * draws, and the list is part of the model's training summary). The sandbox has more.
 */
export const FAULT_TYPES = ['memory-leak', 'cache-bloat', 'cpu-saturation', 'bad-release'] as const satisfies readonly FaultType[];

/** A healing action, as the ladder applies it through the simulation's hooks (the sandbox's `Remedy`). */
export type HealAction = Remedy;

/** The action that addresses each fault type: the first of its `faultRemedies` (a failing dependency has none). */
export const CORRECT_HEAL: Readonly<Partial<Record<FaultType, HealAction>>> = Object.fromEntries(
  Object.entries(faultRemedies).flatMap(([type, fixes]) => (fixes[0] ? [[type, fixes[0]]] : [])),
);

/**
 * When and how a faulty workload is healed: as soon as it has violated its objective for
 * `afterViolationMs` (a reactive healer), or at `atMs` from the run start (a predictive healer
 * acting in the run-up), whichever comes first.
 */
export interface HealPlan {
  action: HealAction;
  /** Whether `action` is the right one for the fault. */
  correct: boolean;
  afterViolationMs: number;
  atMs?: number;
}

/** Which part of the evaluation a run belongs to. */
export type Fold = 'train' | 'validation' | 'calibration' | 'test';

/**
 * What happens to one workload in a run: a `ScenarioWorkload` (shape, fault, at most one normal
 * release and one change of mean traffic) with the trainer's bookkeeping.
 */
export interface WorkloadScenario extends ScenarioWorkload {
  /** `healthy`, `healthy-other-scale` (a traffic level never trained on), or a fault type. */
  kind: 'healthy' | 'healthy-other-scale' | FaultType;
  /** Whether the workload's shape (replicas, HPA) is one training never sees. */
  heldOutShape: boolean;
  /** A heal applied during the run (recovery scenarios), for faulty workloads only. */
  heal?: HealPlan;
}

/** One simulated run: a `ScenarioRun` with its index and fold. */
export interface RunScenario extends ScenarioRun {
  index: number;
  fold: Fold;
  workloads: WorkloadScenario[];
}

/** Options of {@link generateScenarios}. */
export interface ScenarioOptions {
  /** Base seed; run i gets seed `seed * 100_003 + i`. */
  seed: number;
  /** Number of runs (folds cycle every 8: 4 train, 1 validation, 1 calibration, 2 test). */
  runs: number;
  /** Workloads per run. @default 6 */
  workloadsPerRun?: number;
  /** @default 40 minutes */
  durationMs?: number;
  /** @default 10 minutes */
  warmupMs?: number;
  /** Heal half of the faulty workloads during the run (recovery scenarios). @default true */
  heals?: boolean;
}

const NAMES = ['api', 'checkout', 'search', 'web', 'orders', 'auth', 'catalog', 'frontend'] as const;
const TRAIN_STRENGTH_BANDS = [0.2, 0.4, 0.6, 0.8];
const TEST_STRENGTH_BANDS = [0.3, 0.5, 0.7, 0.9];

/** The fold of run `index`: a fixed cycle, so folds never depend on random draws. */
export function foldOfRun(index: number): Fold {
  const position = index % 8;
  if (position < 4) return 'train';
  if (position === 4) return 'validation';
  if (position === 5) return 'calibration';
  return 'test';
}

function drawStrength(random: ScenarioRandom, fold: Fold): number {
  const band = random.pick(fold === 'test' ? TEST_STRENGTH_BANDS : TRAIN_STRENGTH_BANDS);
  // Rounded so scenario descriptions (and the data hash) are short and stable.
  return Math.round((band + random.between(0, 0.1)) * 1000) / 1000;
}

function logUniform(random: ScenarioRandom, low: number, high: number): number {
  return Math.round(Math.exp(random.between(Math.log(low), Math.log(high))) * 100) / 100;
}

/** The trained traffic bands: 1–500 req/s, and 1600–3000 req/s for 8% of the workloads (800–1500 stays unseen). */
export const TRAINED_TRAFFIC_BANDS: ReadonlyArray<readonly [number, number]> = [
  [1, 500],
  [1600, 3000],
];
const BIG_TRAFFIC_SHARE = 0.08;

/** Trained traffic from one uniform draw u in [0, 1): log-uniform within a band (one draw, so the other draws stay put). */
function trainedTraffic(u: number): number {
  const [band, v] = u < 1 - BIG_TRAFFIC_SHARE ? [TRAINED_TRAFFIC_BANDS[0], u / (1 - BIG_TRAFFIC_SHARE)] : [TRAINED_TRAFFIC_BANDS[1], (u - (1 - BIG_TRAFFIC_SHARE)) / BIG_TRAFFIC_SHARE];
  const [low, high] = band as readonly [number, number];
  return Math.round(Math.exp(Math.log(low) + (Math.log(high) - Math.log(low)) * v) * 100) / 100;
}

function drawWorkload(random: ScenarioRandom, fold: Fold, name: string, slot: number, durationMs: number, warmupMs: number): WorkloadScenario {
  const minute = 60_000;
  const isTest = fold === 'test';
  // Slot 0 is always healthy and slot 1 in test runs healthy at another traffic scale, so every
  // fold has healthy data; the other slots get a fault with probability 3/4.
  let kind: WorkloadScenario['kind'];
  if (slot === 0) kind = 'healthy';
  else if (slot === 1 && isTest) kind = 'healthy-other-scale';
  else kind = random.next() < 0.25 ? 'healthy' : random.pick(FAULT_TYPES);

  // Trained traffic: 1–500 req/s (and 1600–3000 req/s for 8%), sized like a real service: about 45 req/s per replica at most,
  // plus a spare replica half of the time (so the bigger the service, the more replicas).
  let requestsPerSecond = trainedTraffic(random.next());
  let replicas = Math.max(2, Math.ceil(requestsPerSecond / 45)) + random.pick([0, 1]);
  let hpa: WorkloadScenario['hpa'];
  let heldOutShape = false;
  if (kind === 'healthy-other-scale') {
    if (random.next() < 0.5) {
      // Busier than anything trained on, with proportionally more replicas (bigger, not overloaded).
      requestsPerSecond = logUniform(random, 800, 1500);
      replicas = Math.ceil(requestsPerSecond / 45);
    } else {
      requestsPerSecond = logUniform(random, 0.1, 0.8);
    }
  } else if (isTest && kind !== 'healthy' && random.next() < 0.5) {
    // The held-out shape: behind an HPA (training has fixed replica counts only).
    heldOutShape = true;
    hpa = { minReplicas: replicas, maxReplicas: replicas + 4, targetCpuUtilization: 70 };
  }
  const scenario: WorkloadScenario = { name, replicas, requestsPerSecond, kind, heldOutShape };
  if (hpa) scenario.hpa = hpa;
  if (kind !== 'healthy' && kind !== 'healthy-other-scale') {
    const onsetMs = warmupMs + Math.round(random.between(3 * minute, durationMs - 15 * minute) / 15_000) * 15_000;
    scenario.fault = { type: kind, strength: drawStrength(random, fold), onsetMs };
    // Model v1 was trained on the sandbox's first cpu-saturation, a step to a peak of 1 + 4 × strength
    // times the load; its data keeps both, so `npm run build:model` still rebuilds models/risk-v1.onnx
    // byte for byte (the sandbox's default surge ramps over ten minutes to a peak sized on the CPU limit).
    if (kind === 'cpu-saturation') Object.assign(scenario.fault, { rampMs: 0, peak: 'load-multiplier' });
  }
  // Healthy disturbances anywhere: releases and traffic swings must not look like failures.
  if (random.next() < 0.4) scenario.deploys = [{ atMs: warmupMs + Math.round(random.between(0, durationMs - 5 * minute) / 15_000) * 15_000 }];
  if (random.next() < 0.4) {
    scenario.loadChanges = [
      {
        atMs: warmupMs + Math.round(random.between(0, durationMs - 5 * minute) / 15_000) * 15_000,
        factor: Math.round(random.pick([random.between(0.3, 0.7), random.between(1.4, 2.2)]) * 100) / 100,
      },
    ];
  }
  return scenario;
}

/** Seed of a run's heal-plan stream (separate, so heal plans leave the other draws unchanged). */
const HEAL_STREAM = 0x4ea1_5eed;

/** Draws the heal plan of a faulty workload (60% of them get one). */
function drawHeal(random: ScenarioRandom, fault: NonNullable<WorkloadScenario['fault']>): HealPlan | undefined {
  const minute = 60_000;
  const heal = random.next() < 0.6;
  const wrongDraw = random.next();
  const reactive = random.next() < 0.5;
  const afterViolationMs = random.pick([15_000, 30_000, 45_000, 60_000]);
  const runUpMs = Math.round(random.between(1 * minute, 8 * minute) / 15_000) * 15_000;
  const correctAction = CORRECT_HEAL[fault.type];
  if (!heal || !correctAction) return undefined;
  // The wrong action is a restart where a restart does not help: a bad release comes back bad, the
  // cache lives on a volume the pods share, and a traffic spike needs capacity.
  const wrong = fault.type === 'bad-release' ? wrongDraw < 0.5 : fault.type !== 'memory-leak' && wrongDraw < 0.4;
  const plan: HealPlan = { action: wrong ? 'restart' : correctAction, correct: !wrong, afterViolationMs };
  if (!reactive) plan.atMs = fault.onsetMs + runUpMs;
  return plan;
}

/** Draws every run's scenario. Deterministic in `seed`; run i's scenario does not depend on `runs`. */
export function generateScenarios(options: ScenarioOptions): RunScenario[] {
  const workloadsPerRun = options.workloadsPerRun ?? 6;
  const durationMs = options.durationMs ?? 40 * 60_000;
  const warmupMs = options.warmupMs ?? 10 * 60_000;
  const runs: RunScenario[] = [];
  for (let index = 0; index < options.runs; index++) {
    const seed = (options.seed * 100_003 + index) >>> 0;
    const random = createScenarioRandom(seed);
    const fold = foldOfRun(index);
    const workloads: WorkloadScenario[] = [];
    const healRandom = createScenarioRandom((seed ^ HEAL_STREAM) >>> 0);
    for (let slot = 0; slot < workloadsPerRun; slot++) {
      const name = `${NAMES[slot % NAMES.length]}${slot >= NAMES.length ? `-${Math.floor(slot / NAMES.length)}` : ''}`;
      const workload = drawWorkload(random, fold, name, slot, durationMs, warmupMs);
      const heal = options.heals === false || !workload.fault ? undefined : drawHeal(healRandom, workload.fault);
      if (heal) workload.heal = heal;
      workloads.push(workload);
    }
    runs.push({ index, seed, fold, warmupMs, durationMs, workloads });
  }
  return runs;
}

/**
 * The scenario catalogue: every fault type × strengths × workload shapes × variants, plus healthy
 * days with the disturbances that must not look like failures (rolling updates, HPA scale events,
 * traffic swings, a background error ratio). One workload per scenario, so a scenario's outcome
 * depends on nothing else. The outcome benchmark plays it under each policy; the trainer's
 * evaluation can draw from it too.
 *
 * Each scenario's draws come from its own generator, seeded from the catalogue seed and the
 * scenario's id: the same seed gives the same catalogue, and adding a fault type, a strength or a
 * shape leaves every other scenario as it was.
 */
import { faultTypes, type FaultType } from '../sim/simulation-options.js';
import type { ScenarioRun, ScenarioWorkload } from './scenario.js';
import { createScenarioRandom, type ScenarioRandom } from './scenario-random.js';

const minute = 60_000;

/** A kind of workload: its traffic band, how it is sized, and whether an HPA runs it. */
export interface WorkloadShape {
  name: string;
  /** Mean traffic, drawn log-uniformly in this band. */
  requestsPerSecond: readonly [number, number];
  /** Replicas are sized for about this much traffic each (a healthy pod then uses well under half a core). */
  requestsPerSecondPerReplica: number;
  minReplicas: number;
  /** An HPA with `minReplicas` = the drawn replicas and `maxReplicas` = `maxFactor` × them. */
  hpa?: { maxFactor: number; targetCpuUtilization: number };
}

/** The default shapes: small and large, each with and without an HPA. */
export const defaultWorkloadShapes: readonly WorkloadShape[] = [
  { name: 'small', requestsPerSecond: [4, 60], requestsPerSecondPerReplica: 25, minReplicas: 2 },
  { name: 'small-hpa', requestsPerSecond: [4, 60], requestsPerSecondPerReplica: 25, minReplicas: 2, hpa: { maxFactor: 3, targetCpuUtilization: 70 } },
  { name: 'large', requestsPerSecond: [250, 500], requestsPerSecondPerReplica: 25, minReplicas: 10 },
  { name: 'large-hpa', requestsPerSecond: [250, 500], requestsPerSecondPerReplica: 25, minReplicas: 10, hpa: { maxFactor: 2, targetCpuUtilization: 70 } },
];

/** One scenario of the catalogue. */
export interface CatalogueScenario extends ScenarioRun {
  /** `<family>/<strength or healthy>/<shape>/<variant>`, e.g. `memory-leak/0.6/small-hpa/2`. */
  id: string;
  /** The fault type, or `healthy`. */
  family: FaultType | 'healthy';
  /** The fault's strength; `null` for healthy scenarios. */
  strength: number | null;
  shape: string;
  variant: number;
}

/** Options of {@link buildScenarioCatalogue}. */
export interface ScenarioCatalogueOptions {
  /** @default 1 */
  seed?: number;
  /** @default every fault type of the sandbox */
  faultTypes?: readonly FaultType[];
  /** @default [0.3, 0.6, 0.9] */
  strengths?: readonly number[];
  /** @default {@link defaultWorkloadShapes} */
  shapes?: readonly WorkloadShape[];
  /** Scenarios per fault type × strength × shape, each with its own draws. @default 3 */
  variants?: number;
  /** Healthy scenarios per shape. @default 12 */
  healthyVariants?: number;
  /** @default 10 minutes */
  warmupMs?: number;
  /** Recorded time of a fault scenario after the warm-up. @default 45 minutes */
  faultDurationMs?: number;
  /** Recorded time of a healthy scenario after the warm-up. @default 2 hours */
  healthyDurationMs?: number;
}

const NAMES = ['api', 'checkout', 'search', 'orders', 'auth', 'catalog', 'web', 'frontend'] as const;

/** FNV-1a over the id: a scenario's seed depends on its id only, not on its place in the catalogue. */
function scenarioSeed(seed: number, id: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

const toSecond = (ms: number) => Math.round(ms / 1000) * 1000;

function logUniform(random: ScenarioRandom, [low, high]: readonly [number, number]): number {
  return Math.round(Math.exp(random.between(Math.log(low), Math.log(high))) * 100) / 100;
}

/** Draws the workload of a shape: its name (which sets a light or heavy profile), traffic, replicas, HPA. */
function drawWorkload(random: ScenarioRandom, shape: WorkloadShape): ScenarioWorkload {
  const name = random.pick(NAMES);
  const requestsPerSecond = logUniform(random, shape.requestsPerSecond);
  const replicas = Math.max(shape.minReplicas, Math.ceil(requestsPerSecond / shape.requestsPerSecondPerReplica));
  const workload: ScenarioWorkload = { name, replicas, requestsPerSecond };
  if (shape.hpa) workload.hpa = { minReplicas: replicas, maxReplicas: Math.ceil(replicas * shape.hpa.maxFactor), targetCpuUtilization: shape.hpa.targetCpuUtilization };
  return workload;
}

/** How long a fault whose cause goes away by itself lasts; persistent faults last until healed. */
function drawFaultEnd(random: ScenarioRandom, type: FaultType, onsetMs: number): number | undefined {
  if (type === 'cpu-saturation') return toSecond(onsetMs + random.between(15, 30) * minute);
  if (type === 'failing-dependency') return toSecond(onsetMs + random.between(8, 20) * minute);
  return undefined;
}

/** Half of the workloads have a background error ratio (0.2–2%, inside the objective): a dependency that fails that share of calls from the start. */
function drawBackgroundErrorRatio(random: ScenarioRandom, workload: ScenarioWorkload): void {
  if (random.next() < 0.5) workload.backgroundErrorRatio = Math.round(random.between(0.002, 0.02) * 10_000) / 10_000;
}

function faultScenario(seed: number, type: FaultType, strength: number, shape: WorkloadShape, variant: number, warmupMs: number, durationMs: number): CatalogueScenario {
  const id = `${type}/${strength}/${shape.name}/${variant}`;
  const scenarioSeedValue = scenarioSeed(seed, id);
  const random = createScenarioRandom(scenarioSeedValue);
  const workload = drawWorkload(random, shape);
  // Half of the workloads have an earlier release (so a rollback has somewhere to go even when the
  // fault did not come with a release), finished well before the warm-up ends.
  if (random.next() < 0.5) workload.deploys = [{ atMs: toSecond(random.between(1, 3) * minute) }];
  const onsetMs = toSecond(warmupMs + random.between(2, 6) * minute);
  const endMs = drawFaultEnd(random, type, onsetMs);
  workload.fault = { type, strength, onsetMs, ...(endMs === undefined ? {} : { endMs }) };
  // The same background error ratio as healthy workloads (half of them, 0.2–2%), drawn last so every
  // earlier draw is unchanged. Why: with errors only in faulty workloads, a model learns "any error is
  // a fault coming" and flags the healthy services that always fail 1–2% of calls; with it, what tells
  // a fault is the errors' rise above the workload's own level, as in a real cluster.
  drawBackgroundErrorRatio(random, workload);
  return { id, family: type, strength, shape: shape.name, variant, seed: scenarioSeedValue, warmupMs, durationMs, workloads: [workload] };
}

function healthyScenario(seed: number, shape: WorkloadShape, variant: number, warmupMs: number, durationMs: number): CatalogueScenario {
  const id = `healthy/${shape.name}/${variant}`;
  const scenarioSeedValue = scenarioSeed(seed, id);
  const random = createScenarioRandom(scenarioSeedValue);
  const workload = drawWorkload(random, shape);
  const end = warmupMs + durationMs;
  // Routine releases (rolling updates), two to four a day-part, at least 10 minutes apart.
  const deploys = 2 + Math.floor(random.next() * 3);
  const times: number[] = [];
  for (let attempt = 0; times.length < deploys && attempt < 50; attempt++) {
    const at = toSecond(random.between(warmupMs + 2 * minute, end - 5 * minute));
    if (times.every((t) => Math.abs(t - at) >= 10 * minute)) times.push(at);
  }
  workload.deploys = times.sort((a, b) => a - b).map((atMs) => ({ atMs }));
  // A traffic swing (busier or quieter for a while), which also moves an HPA.
  const swingAt = toSecond(random.between(warmupMs, end - 50 * minute));
  const factor = Math.round((random.next() < 0.6 ? random.between(1.5, 2) : random.between(0.4, 0.7)) * 100) / 100;
  workload.loadChanges = [
    { atMs: swingAt, factor },
    { atMs: toSecond(swingAt + random.between(15, 45) * minute), factor: 1 },
  ];
  drawBackgroundErrorRatio(random, workload);
  return { id, family: 'healthy', strength: null, shape: shape.name, variant, seed: scenarioSeedValue, warmupMs, durationMs, workloads: [workload] };
}

/**
 * Builds the catalogue: every fault type × strength × shape × variant, then the healthy scenarios,
 * in that order. Deterministic in its options.
 *
 * @example
 * const catalogue = buildScenarioCatalogue({ seed: 1 });
 * // 7 fault types × 3 strengths × 4 shapes × 3 variants + 4 shapes × 12 healthy = 300 scenarios
 */
export function buildScenarioCatalogue(options: ScenarioCatalogueOptions = {}): CatalogueScenario[] {
  const seed = options.seed ?? 1;
  const shapes = options.shapes ?? defaultWorkloadShapes;
  const variants = options.variants ?? 3;
  const warmupMs = options.warmupMs ?? 10 * minute;
  const faultDurationMs = options.faultDurationMs ?? 45 * minute;
  const healthyDurationMs = options.healthyDurationMs ?? 120 * minute;
  if (healthyDurationMs < 60 * minute) throw new RangeError('[autoheal] [sandbox] healthyDurationMs must be at least 60 minutes (a healthy scenario holds releases and a traffic swing)');
  const scenarios: CatalogueScenario[] = [];
  for (const type of options.faultTypes ?? faultTypes) {
    for (const strength of options.strengths ?? [0.3, 0.6, 0.9]) {
      for (const shape of shapes) {
        for (let variant = 0; variant < variants; variant++) scenarios.push(faultScenario(seed, type, strength, shape, variant, warmupMs, faultDurationMs));
      }
    }
  }
  for (const shape of shapes) {
    for (let variant = 0; variant < (options.healthyVariants ?? 12); variant++) scenarios.push(healthyScenario(seed, shape, variant, warmupMs, healthyDurationMs));
  }
  return scenarios;
}

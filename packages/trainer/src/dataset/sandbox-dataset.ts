/**
 * The simulated dataset: runs each scenario in the sandbox's simulation in virtual time, scrapes
 * `/metrics` every evaluation interval, computes the features exactly as the Prometheus adapter
 * would, and labels every sample.
 */
import { computeFeatures, toFeatureArray, type DeploymentFeatures } from '../features/compute-features.js';
import { SeriesRecorder, type ScrapedSample } from '../features/sample-history.js';
import { scenarioDeployments, startScenario, type SaturationPeak } from '@autoheal/sandbox';
import type { Episode } from './episode.js';
import { DEFAULT_HORIZON_MS, DEFAULT_OBJECTIVE, findBreaches, labelSamples, violatesObjective, type AvailabilityObjective } from './label.js';
import { trainerConfigError } from '../errors.js';
import type { FaultType, HealAction, RunScenario, WorkloadScenario } from './scenarios.js';

/** The part of the sandbox's `Simulation` the trainer drives. */
export interface SimulationLike {
  readonly clock: { now(): number };
  advance(ms: number): void;
  injectFault(spec: { namespace: string; deployment: string; type: FaultType; strength: number; startAt?: number; rampMs?: number; peak?: SaturationPeak }): void;
  setLoad(spec: { namespace: string; deployment: string; requestsPerSecond: number }): void;
  setImage(namespace: string, name: string, image: string): void;
  scrape(): ScrapedSample[];
  close(): void;
  /** Healing hooks (needed only by scenarios that heal). */
  restart?(namespace: string, name: string): void;
  scale?(namespace: string, name: string, replicas: number): void;
  rollback?(namespace: string, name: string): unknown;
  execSync?(namespace: string, pod: string, command: string[]): { exitCode: number };
  podsOf?(namespace: string, name: string): string[];
}

/**
 * Replicas a scale-out step asks for: enough for the spike's peak, plus 20%. A `load-multiplier` peak
 * (model v1's runs) is 1 + 4 × strength times the load; a `cpu-limit` peak (the sandbox's default) asks
 * each replica for (1 + strength) × its CPU limit, which replicas × (1 + strength) × 2 bring back to
 * half a core each (under an HPA's usual target, the head-room a scale-out is for).
 */
export function scaleOutReplicas(workload: Pick<WorkloadScenario, 'replicas' | 'fault'>): number {
  const fault = workload.fault?.type === 'cpu-saturation' ? workload.fault : undefined;
  const spike = fault === undefined ? 1 : fault.peak === 'load-multiplier' ? 1 + 4 * fault.strength : 2 * (1 + fault.strength);
  return Math.max(workload.replicas + 1, Math.ceil(workload.replicas * spike * 1.2));
}

/** The cache-clear command of the ladder's exec step. */
export const CLEAR_CACHE_COMMAND = ['sh', '-c', 'rm -rf /tmp/cache/*'];

function missingHook(hook: string): Error {
  return trainerConfigError(`the simulation has no ${hook}() hook, which the recovery scenarios need: use @autoheal/sandbox's createSimulation, or generate scenarios with heals: false`);
}

/** Applies one healing action through the simulation's hooks. */
export function applyHeal(simulation: SimulationLike, workload: Pick<WorkloadScenario, 'name' | 'replicas' | 'fault'>, action: HealAction): void {
  const name = workload.name;
  switch (action) {
    case 'restart':
      if (!simulation.restart) throw missingHook('restart');
      simulation.restart(SIMULATION_NAMESPACE, name);
      return;
    case 'rollback':
      if (!simulation.rollback) throw missingHook('rollback');
      simulation.rollback(SIMULATION_NAMESPACE, name);
      return;
    case 'scale-out':
      if (!simulation.scale) throw missingHook('scale');
      simulation.scale(SIMULATION_NAMESPACE, name, scaleOutReplicas(workload));
      return;
    case 'clear-cache': {
      if (!simulation.execSync || !simulation.podsOf) throw missingHook('execSync');
      // The cache volume is shared: one running pod is enough; pods that are not running refuse exec.
      for (const pod of simulation.podsOf(SIMULATION_NAMESPACE, name)) {
        try {
          if (simulation.execSync(SIMULATION_NAMESPACE, pod, CLEAR_CACHE_COMMAND).exitCode === 0) return;
        } catch {
          // not running: try the next pod
        }
      }
      return;
    }
  }
}

/** Creates a simulation (the sandbox's `createSimulation`, or a double in tests). */
export type SimulationFactory = (options: {
  seed: number;
  tickMs: number;
  deployments: Array<{ namespace: string; name: string; replicas: number; requestsPerSecond?: number; hpa?: { minReplicas: number; maxReplicas: number; targetCpuUtilization: number } }>;
}) => SimulationLike;

/** Options of {@link simulateRun}. */
export interface SimulateRunOptions {
  createSimulation: SimulationFactory;
  /** Simulation step. @default 5000 (the metrics are scraped every 15 s; a 5 s step keeps runs fast) */
  tickMs?: number;
  /** Scrape and evaluation interval. @default 15000 */
  intervalMs?: number;
  /** @default 5 minutes */
  horizonMs?: number;
  objective?: AvailabilityObjective;
}

/** The namespace simulated workloads live in. */
export const SIMULATION_NAMESPACE = 'sim';

/**
 * Simulates one run and returns one labelled episode per workload. The run continues for one horizon
 * past its recorded duration so the last samples' labels see their whole future. Each episode ends
 * with the end of its first breach, except for a healed workload: its episode goes on after the heal
 * and ends with the end of the first breach that starts after the heal (or with the run).
 */
export function simulateRun(run: RunScenario, options: SimulateRunOptions): Episode[] {
  const tickMs = options.tickMs ?? 5000;
  const intervalMs = options.intervalMs ?? 15_000;
  const horizonMs = options.horizonMs ?? DEFAULT_HORIZON_MS;
  const objective = options.objective ?? DEFAULT_OBJECTIVE;
  const simulation = options.createSimulation({ seed: run.seed, tickMs, deployments: scenarioDeployments(run, SIMULATION_NAMESPACE) });
  try {
    const start = simulation.clock.now();
    // The sandbox's catalogue plays the scenario: it injects the faults with their onsets and hands
    // back the healthy disturbances (releases, traffic changes) in time order.
    const events = startScenario(simulation, run, { namespace: SIMULATION_NAMESPACE, start }).map((change) => ({ at: change.atMs, apply: () => change.apply(simulation) }));

    const recorder = new SeriesRecorder();
    const traces = new Map<string, { times: number[]; features: number[][]; bad: boolean[] }>();
    for (const w of run.workloads) traces.set(w.name, { times: [], features: [], bad: [] });
    // Heals pending, and when each workload's current violation started.
    const healAt = new Map<string, number>();
    const violatingSince = new Map<string, number>();
    const recordFrom = run.warmupMs - 6 * 60_000; // enough history for the 5-minute windows
    const end = run.warmupMs + run.durationMs + horizonMs;
    let eventIndex = 0;
    for (let offset = intervalMs; offset <= end; offset += intervalMs) {
      while (eventIndex < events.length && (events[eventIndex] as { at: number }).at < offset) {
        (events[eventIndex] as { apply: () => void }).apply();
        eventIndex++;
      }
      simulation.advance(intervalMs);
      if (offset < recordFrom) continue;
      const now = start + offset;
      recorder.ingest(now, simulation.scrape());
      if (offset < run.warmupMs) continue;
      const byName = new Map<string, DeploymentFeatures>();
      for (const row of computeFeatures(recorder.series(), now)) if (row.namespace === SIMULATION_NAMESPACE) byName.set(row.deployment, row);
      for (const [name, trace] of traces) {
        const row = byName.get(name);
        trace.times.push(now);
        trace.features.push(row ? toFeatureArray(row.values) : new Array<number>(7).fill(Number.NaN));
        trace.bad.push(row ? violatesObjective(row, objective) : false);
      }
      // Heal after this sample (the healer acts on what it just saw).
      for (const w of run.workloads) {
        if (!w.heal || healAt.has(w.name)) continue;
        const trace = traces.get(w.name) as { bad: boolean[] };
        if (trace.bad[trace.bad.length - 1]) {
          if (!violatingSince.has(w.name)) violatingSince.set(w.name, now);
        } else violatingSince.delete(w.name);
        const since = violatingSince.get(w.name);
        const reactive = since !== undefined && now - since >= w.heal.afterViolationMs;
        const planned = w.heal.atMs !== undefined && offset >= w.heal.atMs && now >= start + (w.fault?.onsetMs ?? 0);
        if (reactive || planned) {
          applyHeal(simulation, w, w.heal.action);
          healAt.set(w.name, now);
        }
      }
    }

    const lastRecorded = start + run.warmupMs + run.durationMs;
    return run.workloads.map((w) => {
      const trace = traces.get(w.name) as { times: number[]; features: number[][]; bad: boolean[] };
      const breaches = findBreaches(trace.times, trace.bad, objective);
      const labels = labelSamples(trace.times, breaches, horizonMs);
      // An episode ends with its first breach: what follows (crash loops, recovery) is an incident
      // in progress, not the run-up to one, and a healer would have acted by then. A healed
      // episode goes on after the heal, until the first breach that starts after it has ended.
      const healedAt = healAt.get(w.name);
      const lastBreach = healedAt === undefined ? breaches[0] : breaches.find((b) => b.start > healedAt);
      const endsAt = lastBreach ? Math.min(lastBreach.end, lastRecorded) : lastRecorded;
      const kept = breaches.filter((b) => b.start <= endsAt);
      const keep = trace.times.findIndex((t) => t > endsAt);
      const count = keep === -1 ? trace.times.length : keep;
      return {
        id: `run-${run.index}/${w.name}`,
        seed: run.seed,
        fold: run.fold,
        kind: w.kind,
        strength: w.fault?.strength ?? null,
        faultOnset: w.fault ? start + w.fault.onsetMs : null,
        heldOutShape: w.heldOutShape,
        times: trace.times.slice(0, count),
        features: trace.features.slice(0, count),
        labels: labels.slice(0, count),
        violating: trace.bad.slice(0, count),
        breaches: kept,
        heal: healedAt === undefined || !w.heal ? null : { action: w.heal.action, correct: w.heal.correct, at: healedAt },
      };
    });
  } finally {
    simulation.close();
  }
}

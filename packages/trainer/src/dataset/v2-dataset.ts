/**
 * Model v2's dataset: one catalogue scenario played in the sandbox's simulation in virtual time,
 * scraped every 15 s into a `SeriesRecorder` with staleness markers and 31 minutes of retention,
 * feature set v2 computed with `computeFeatureSets` (the Prometheus adapter's definitions; missing
 * stays NaN, never imputed), and every sample labelled on the simulation's own ground truth.
 *
 * The label (v2): a sample is positive when the workload is in a breach of its availability
 * objective *now*, or a breach starts within the horizon after it. Breaches are the simulation's
 * ground truth (`truthOf`: every request counted, including those the ingress answered because no
 * pod was ready), judged by the sandbox's `violatesObjective` — the one breach definition the
 * outcome benchmark measures with. An ongoing breach is positive because the pipeline acts on the
 * verdict: a crash loop in progress is the most urgent case, not a neutral one.
 */
import { FEATURE_SET_V2_NAMES } from '@autoheal/core';
import { scenarioDeployments, startScenario, violatesObjective, type CatalogueScenario } from '@autoheal/sandbox';
import { computeFeatureSets, toFeatureRow } from '../features/compute-feature-sets.js';
import { SeriesRecorder } from '../features/sample-history.js';
import type { Episode } from './episode.js';
import { DEFAULT_HORIZON_MS, DEFAULT_OBJECTIVE, type AvailabilityObjective, type Breach, type SampleLabel } from './label.js';
import { SIMULATION_NAMESPACE, type SimulationFactory, type SimulationLike } from './sandbox-dataset.js';
import type { Fold } from './scenarios.js';

/** A v2 episode: one catalogue scenario's workload, with what the v2 evaluation groups by. */
export interface V2Episode extends Episode {
  /** The fault family, or `healthy`. */
  kind: string;
  scenarioId: string;
  shape: string;
  replicas: number;
  requestsPerSecond: number;
  hpa: boolean;
  /** Whether each sample's scraped signals violate the objective (ready ratio or error ratio): a failing scrape. */
  violating: boolean[];
  heldOut: { shape: boolean; family: boolean; strength: boolean };
}

/** What the ground truth says about one workload: its breaches (`end` = the last recorded time while still open). */
export interface TruthLike {
  breaches: Array<{ start: number; end: number | null }>;
}

/** The part of the simulation a v2 dataset needs beyond {@link SimulationLike}. */
export interface V2SimulationLike extends SimulationLike {
  truthOf(namespace: string, name: string): TruthLike;
  clearFaults(ref: { namespace: string; deployment: string }): void;
}

/** Options of {@link simulateV2Scenario}. */
export interface SimulateV2Options {
  createSimulation: SimulationFactory;
  /** @default 5000 */
  tickMs?: number;
  /** Scrape and evaluation interval. @default 15000 */
  intervalMs?: number;
  /** @default 5 minutes */
  horizonMs?: number;
  objective?: AvailabilityObjective;
}

/**
 * The v2 label rule: positive when inside a breach (from its start to its end) or when a breach
 * starts within `(t, t + horizonMs]`; `inBreach` and `msToBreach` say which.
 */
export function labelSamplesV2(times: readonly number[], breaches: readonly Breach[], horizonMs: number): SampleLabel[] {
  return times.map((t) => {
    const inBreach = breaches.some((b) => t >= b.start && t <= b.end);
    const next = breaches.find((b) => b.start > t);
    const msToBreach = next && next.start - t <= horizonMs ? next.start - t : null;
    return { label: inBreach || msToBreach !== null ? 1 : 0, inBreach, msToBreach };
  });
}

/**
 * Plays one scenario and returns its labelled episode. The simulation runs one horizon past the
 * recorded duration so the last samples' labels see their whole future.
 */
export function simulateV2Scenario(scenario: CatalogueScenario, fold: Fold, heldOut: V2Episode['heldOut'], options: SimulateV2Options): V2Episode {
  const tickMs = options.tickMs ?? 5000;
  const intervalMs = options.intervalMs ?? 15_000;
  const horizonMs = options.horizonMs ?? DEFAULT_HORIZON_MS;
  const objective = options.objective ?? DEFAULT_OBJECTIVE;
  const workload = scenario.workloads[0];
  if (!workload || scenario.workloads.length !== 1) throw new RangeError(`scenario ${scenario.id} must have exactly one workload`);
  const simulation = options.createSimulation({ seed: scenario.seed, tickMs, deployments: scenarioDeployments(scenario, SIMULATION_NAMESPACE) }) as V2SimulationLike;
  try {
    const start = simulation.clock.now();
    const changes = startScenario(simulation, scenario, { namespace: SIMULATION_NAMESPACE, start });
    // The previous-release window reads 30 minutes back; staleness markers end a deleted pod's series at once.
    const recorder = new SeriesRecorder({ retentionMs: 31 * 60_000, staleMarkers: true });
    const times: number[] = [];
    const features: number[][] = [];
    const violating: boolean[] = [];
    const recordedEnd = scenario.warmupMs + scenario.durationMs;
    let next = 0;
    for (let offset = intervalMs; offset <= recordedEnd + horizonMs; offset += intervalMs) {
      while (next < changes.length && (changes[next] as { atMs: number }).atMs < offset) (changes[next++] as { apply: (s: V2SimulationLike) => void }).apply(simulation);
      simulation.advance(intervalMs);
      if (offset > recordedEnd) continue;
      const now = start + offset;
      recorder.ingest(now, simulation.scrape());
      if (offset < scenario.warmupMs) continue;
      const row = computeFeatureSets(recorder.series(), now, { featureNames: FEATURE_SET_V2_NAMES }).find((r) => r.namespace === SIMULATION_NAMESPACE && r.deployment === workload.name);
      const values = row ? toFeatureRow(row.values, FEATURE_SET_V2_NAMES) : new Array<number>(FEATURE_SET_V2_NAMES.length).fill(Number.NaN);
      times.push(now);
      features.push(values);
      const ready = row?.values.ready_replica_ratio ?? null;
      const errors = row?.values.http_error_ratio ?? null;
      violating.push(violatesObjective({ readyRatio: ready, errorRatio: errors }, objective));
    }
    const lastTime = start + recordedEnd + horizonMs;
    const breaches: Breach[] = simulation.truthOf(SIMULATION_NAMESPACE, workload.name).breaches.map((b) => ({ start: b.start, end: b.end ?? lastTime }));
    return {
      id: scenario.id,
      scenarioId: scenario.id,
      seed: scenario.seed,
      fold,
      kind: scenario.family,
      strength: scenario.strength,
      faultOnset: workload.fault ? start + workload.fault.onsetMs : null,
      heldOutShape: heldOut.shape,
      heldOut,
      shape: scenario.shape,
      replicas: workload.replicas,
      requestsPerSecond: workload.requestsPerSecond,
      hpa: workload.hpa !== undefined,
      times,
      features,
      labels: labelSamplesV2(times, breaches, horizonMs),
      violating,
      breaches,
      heal: null,
    };
  } finally {
    simulation.close();
  }
}

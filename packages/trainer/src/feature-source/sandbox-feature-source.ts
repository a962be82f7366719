/**
 * A FeatureSource over the sandbox's metrics, in-process, for machines and loops without Prometheus:
 * it records scrapes of what `/metrics` renders and computes the features with the trainer's
 * definitions (`computeFeatures`), which are the same windows and formulas as the Prometheus
 * adapter's queries. The demo uses it in real time (a timer scrapes); the outcome benchmark in
 * virtual time (the caller scrapes as the simulation reaches each scrape).
 *
 * Given an availability objective it also provides `objective_violated`: 1 when the observed ready
 * ratio or 5xx share violates the objective now (the sandbox's `violatesObjective`, exactly as the
 * trainer labels), 0 when not, missing when neither can be observed. It is what an SLO recording rule
 * computes, the signal an alert-driven healer has.
 */
import { AdapterError, DEFAULT_FEATURE_NAMES, targetKey, type FeatureObservation, type FeatureSource, type TargetRef } from '@autoheal/core';
import type { AvailabilityObjective } from '../dataset/label.js';
import { violatesObjective } from '../dataset/label.js';
import { computeFeatures, type DeploymentFeatures } from '../features/compute-features.js';
import { SeriesRecorder, type ScrapedSample } from '../features/sample-history.js';

/** The extra feature a source with an objective provides. */
export const OBJECTIVE_VIOLATED_FEATURE = 'objective_violated';

/** Options of {@link createSandboxFeatureSource}. */
export interface SandboxFeatureSourceOptions {
  /** What `/metrics` would render now (the sandbox's `scrape()`). */
  scrape: () => readonly ScrapedSample[];
  /** The sandbox's clock (epoch ms). */
  now: () => number;
  /** How often the timer scrapes (real time). @default 2000 */
  scrapeIntervalMs?: number;
  /**
   * `true`: a timer scrapes every `scrapeIntervalMs` (real time). `false`: only {@link SandboxFeatureSource.scrapeNow}
   * does, which a virtual-time loop calls as the simulation reaches each scrape. @default true
   */
  timer?: boolean;
  /** Adds the `objective_violated` feature, judged against this objective. */
  objective?: AvailabilityObjective;
}

/** A FeatureSource over the sandbox's metrics. */
export interface SandboxFeatureSource extends FeatureSource {
  /** Records one scrape at the clock's current time. */
  scrapeNow(): void;
  /** Stops the timer. */
  close(): Promise<void>;
}

const NO_DATA = 'no data in the window (or too few requests)';
const NO_SERIES = 'no series for this deployment in the sandbox metrics';

/**
 * Creates the source; it scrapes once at once.
 *
 * @example
 * const sandbox = await startSandbox({ time: 'virtual' });
 * const source = createSandboxFeatureSource({ scrape: () => sandbox.scrape(), now: () => sandbox.clock.now(), timer: false });
 * sandbox.advance(15_000);
 * source.scrapeNow();
 * const observation = await source.collect({ namespace: 'prod', name: 'backend' });
 */
export function createSandboxFeatureSource(options: SandboxFeatureSourceOptions): SandboxFeatureSource {
  const recorder = new SeriesRecorder();
  const { objective } = options;
  const featureNames: readonly string[] = objective ? [...DEFAULT_FEATURE_NAMES, OBJECTIVE_VIOLATED_FEATURE] : DEFAULT_FEATURE_NAMES;
  const scrapeNow = () => recorder.ingest(options.now(), options.scrape());
  scrapeNow();
  let timer: NodeJS.Timeout | undefined;
  if (options.timer !== false) {
    timer = setInterval(scrapeNow, options.scrapeIntervalMs ?? 2000);
    timer.unref();
  }

  function observe(target: TargetRef, row: DeploymentFeatures | undefined, at: number): FeatureObservation {
    const values: Record<string, number | null> = {};
    const missing: Array<{ feature: string; reason: string }> = [];
    for (const name of DEFAULT_FEATURE_NAMES) {
      const value = row?.values[name] ?? null;
      values[name] = value;
      if (value === null) missing.push({ feature: name, reason: row ? NO_DATA : NO_SERIES });
    }
    if (objective) {
      const observable = row !== undefined && (row.values.ready_replica_ratio !== null || (row.values.http_5xx_error_rate !== null && row.requestsPerSecond !== null));
      values[OBJECTIVE_VIOLATED_FEATURE] = observable ? Number(violatesObjective(row, objective)) : null;
      if (!observable) missing.push({ feature: OBJECTIVE_VIOLATED_FEATURE, reason: row ? 'neither the ready ratio nor the 5xx share can be observed' : NO_SERIES });
    }
    return { target, observedAt: at, values, missing };
  }

  const collectMany = async (targets: readonly TargetRef[], callOptions?: { signal?: AbortSignal }): Promise<FeatureObservation[]> => {
    callOptions?.signal?.throwIfAborted();
    const at = options.now();
    const rows = new Map(computeFeatures(recorder.series(), at).map((row) => [`${row.namespace}/${row.deployment}`, row]));
    return targets.map((target) => observe(target, rows.get(targetKey({ namespace: target.namespace, name: target.name })), at));
  };

  return {
    name: 'sandbox-metrics',
    featureNames,
    collectMany,
    async collect(target, callOptions) {
      const [observation] = await collectMany([target], callOptions);
      if (!observation) throw new AdapterError('no observation produced', { component: 'sandbox-metrics' });
      return observation;
    },
    async ping() {},
    scrapeNow,
    async close() {
      if (timer) clearInterval(timer);
    },
  };
}

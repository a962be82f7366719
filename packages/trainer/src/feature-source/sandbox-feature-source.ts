/**
 * A FeatureSource over the sandbox's metrics, in-process, for machines and loops without Prometheus:
 * it records scrapes of what `/metrics` renders and computes the features the model asks for with the
 * trainer's definitions, which are the same windows and formulas as the Prometheus adapter's queries.
 * The demo uses it in real time (a timer scrapes); the outcome benchmark in virtual time (the caller
 * scrapes as the simulation reaches each scrape).
 *
 * Which features: `featureNames` (the model's). With only seed features it records and computes as
 * model v1 was trained (`computeFeatures`, no staleness markers, 6 minutes kept). With any feature of
 * set v2 it records as Prometheus stores (staleness markers when a series vanishes, 31 minutes kept:
 * the previous-release window reaches 30 minutes back) and computes seed and v2 with
 * `computeFeatureSets` — `deriveFeatures` of core, what the Prometheus adapter derives from its
 * grouped queries — reporting each absence with its kind, so core explains it as it would from
 * Prometheus.
 *
 * Given an availability objective it also provides `objective_violated`: 1 when the observed ready
 * ratio or 5xx share violates the objective now (the sandbox's `violatesObjective`, exactly as the
 * trainer labels), 0 when not, missing when neither can be observed. It is what an SLO recording rule
 * computes, the signal an alert-driven healer has.
 */
import {
  AdapterError,
  ConfigError,
  DEFAULT_FEATURE_NAMES,
  FEATURE_SET_V2_NAMES,
  targetKey,
  type FeatureObservation,
  type FeatureSource,
  type FeatureWindows,
  type ResolvedRequestMetrics,
  type TargetRef,
} from '@autoheal/core';
import type { AvailabilityObjective } from '../dataset/label.js';
import { violatesObjective } from '../dataset/label.js';
import { computeFeatureSets, SEED_AND_V2_FEATURE_NAMES } from '../features/compute-feature-sets.js';
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
  /**
   * The features to provide: the model's `featureNames` (seed, v2, or both). Unknown names are
   * refused here, naming the ones this source computes.
   * @default DEFAULT_FEATURE_NAMES (the seven seed signals)
   */
  featureNames?: readonly string[];
  /** The windows of feature set v2; the Prometheus adapter's (`rateWindow`, `trendWindow`, …) when comparing. @default DEFAULT_FEATURE_WINDOWS */
  windows?: Partial<FeatureWindows>;
  /** The request metrics of a Deployment (v2). @default flask for every Deployment, as the sandbox renders by default */
  requestMetricsOf?: (namespace: string, deployment: string) => ResolvedRequestMetrics;
}

/** How much history feature set v2 needs: the previous-release window ends 15 min back and lasts 15 min. */
export const FEATURE_SET_V2_HISTORY_MS = 31 * 60_000;
/** How much history the seed features need: the 5-minute restart window and a margin. */
export const SEED_HISTORY_MS = 6 * 60_000;

/** A FeatureSource over the sandbox's metrics. */
export interface SandboxFeatureSource extends FeatureSource {
  /** How far back the features read (ms): scrapes older than this before an evaluation do not count. */
  readonly historyMs: number;
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
  const { objective } = options;
  const requested = [...new Set(options.featureNames ?? DEFAULT_FEATURE_NAMES)].filter((name) => name !== OBJECTIVE_VIOLATED_FEATURE);
  const unknown = requested.filter((name) => !SEED_AND_V2_FEATURE_NAMES.includes(name));
  if (unknown.length > 0) {
    throw new ConfigError(`cannot compute feature(s) ${unknown.join(', ')}; this source computes the seed features and feature set v2 (${SEED_AND_V2_FEATURE_NAMES.join(', ')})${objective ? ` and ${OBJECTIVE_VIOLATED_FEATURE}` : ''}`, {
      component: 'sandbox-metrics',
    });
  }
  const v2 = requested.some((name) => (FEATURE_SET_V2_NAMES as readonly string[]).includes(name) && !(DEFAULT_FEATURE_NAMES as readonly string[]).includes(name));
  const historyMs = v2 ? FEATURE_SET_V2_HISTORY_MS : SEED_HISTORY_MS;
  const recorder = v2 ? new SeriesRecorder({ retentionMs: historyMs, staleMarkers: true }) : new SeriesRecorder();
  const featureNames: readonly string[] = objective ? [...requested, OBJECTIVE_VIOLATED_FEATURE] : requested;
  const scrapeNow = () => recorder.ingest(options.now(), options.scrape());
  scrapeNow();
  let timer: NodeJS.Timeout | undefined;
  if (options.timer !== false) {
    timer = setInterval(scrapeNow, options.scrapeIntervalMs ?? 2000);
    timer.unref();
  }

  /** One Deployment's values (every seed and, with v2, v2 feature), their absences, and the request rate the objective judges the 5xx share by. */
  interface Row {
    values: Record<string, number | null>;
    missing: FeatureObservation['missing'];
    requestsPerSecond: number | null;
  }

  function computeRows(at: number): Map<string, Row> {
    if (!v2) {
      return new Map(
        computeFeatures(recorder.series(), at).map((row: DeploymentFeatures) => [
          `${row.namespace}/${row.deployment}`,
          {
            values: row.values,
            missing: DEFAULT_FEATURE_NAMES.filter((name) => row.values[name] === null).map((feature) => ({ feature, reason: NO_DATA })),
            requestsPerSecond: row.requestsPerSecond,
          },
        ]),
      );
    }
    const sets = computeFeatureSets(recorder.series(), at, {
      ...(options.windows ? { windows: options.windows } : {}),
      ...(options.requestMetricsOf ? { requestMetricsOf: options.requestMetricsOf } : {}),
    });
    return new Map(sets.map((row) => [`${row.namespace}/${row.deployment}`, { values: row.values, missing: row.missing, requestsPerSecond: row.values.http_requests_per_second ?? null }]));
  }

  function observe(target: TargetRef, row: Row | undefined, at: number): FeatureObservation {
    const values: Record<string, number | null> = {};
    const missing: FeatureObservation['missing'] = [];
    for (const name of requested) {
      const value = row?.values[name] ?? null;
      values[name] = value;
      if (value !== null) continue;
      const known = row?.missing.find((entry) => entry.feature === name);
      missing.push(known ?? { feature: name, reason: row ? NO_DATA : NO_SERIES, ...(v2 ? { kind: 'no-data' as const } : {}) });
    }
    if (objective) {
      const ready = row?.values.ready_replica_ratio ?? null;
      const errors = row?.values.http_5xx_error_rate ?? null;
      const observable = row !== undefined && (ready !== null || (errors !== null && row.requestsPerSecond !== null));
      values[OBJECTIVE_VIOLATED_FEATURE] = observable ? Number(violatesObjective({ values: { ...(row.values as DeploymentFeatures['values']), ready_replica_ratio: ready, http_5xx_error_rate: errors }, requestsPerSecond: row.requestsPerSecond }, objective)) : null;
      if (!observable) missing.push({ feature: OBJECTIVE_VIOLATED_FEATURE, reason: row ? 'neither the ready ratio nor the 5xx share can be observed' : NO_SERIES });
    }
    return { target, observedAt: at, values, missing };
  }

  const collectMany = async (targets: readonly TargetRef[], callOptions?: { signal?: AbortSignal }): Promise<FeatureObservation[]> => {
    callOptions?.signal?.throwIfAborted();
    const at = options.now();
    const rows = computeRows(at);
    return targets.map((target) => observe(target, rows.get(targetKey({ namespace: target.namespace, name: target.name })), at));
  };

  return {
    name: 'sandbox-metrics',
    featureNames,
    historyMs,
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

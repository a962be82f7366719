/**
 * The seven seed features and feature set v2 of every Deployment, computed from sample histories:
 * base signals with the Prometheus adapter's definitions (`computeBaseSignals`), then core's
 * `deriveFeatures`, the one derivation every source shares. What the sandbox feature source, the
 * trainer's datasets and the Prometheus adapter produce for the same samples is therefore the same.
 *
 * The seed values equal `computeFeatures` (which stays as it is: the shipped risk-v1 is reproduced
 * from it); a test checks both on a sandbox run.
 */
import {
  DEFAULT_FEATURE_NAMES,
  DEFAULT_FEATURE_WINDOWS,
  FEATURE_SET_V2_NAMES,
  REQUEST_PRESETS,
  deriveFeatures,
  type FeatureVector,
  type FeatureWindows,
  type MissingKind,
  type ResolvedRequestMetrics,
} from '@autoheal/core';
import { computeBaseSignals } from './base-signals.js';
import type { SeriesHistory } from './sample-history.js';

/** The seed and v2 feature names, seed first (the order `computeFeatureSets` reports them in). */
export const SEED_AND_V2_FEATURE_NAMES: readonly string[] = Object.freeze([...new Set<string>([...DEFAULT_FEATURE_NAMES, ...FEATURE_SET_V2_NAMES])]);

/** Options of {@link computeFeatureSets}. */
export interface FeatureSetOptions {
  /** @default SEED_AND_V2_FEATURE_NAMES */
  featureNames?: readonly string[];
  /** The windows; use the same as the Prometheus adapter (its options `rateWindow`, `trendWindow`, `priorWindow`, `priorOffset`, `minRequests`). @default DEFAULT_FEATURE_WINDOWS */
  windows?: Partial<FeatureWindows>;
  /** The request metrics of a Deployment (a preset; `none` for workloads without). @default flask for every Deployment */
  requestMetricsOf?: (namespace: string, deployment: string) => ResolvedRequestMetrics;
}

/** The features of one Deployment at one time. */
export interface DeploymentFeatureSets {
  namespace: string;
  deployment: string;
  /** Evaluation time (epoch ms). */
  at: number;
  /** Values in `featureNames` order; `null` = missing. */
  values: FeatureVector;
  /** Why each missing value is missing, and its kind (whether it is explained is decided by core's `explainMissing`). */
  missing: Array<{ feature: string; reason: string; kind: MissingKind }>;
}

/**
 * Computes the features of every Deployment with any series in `series`, at `at` (epoch ms).
 *
 * @example
 * const recorder = new SeriesRecorder({ retentionMs: 31 * 60_000 }); // the previous-release window reaches 30 min back
 * recorder.ingest(now, sandbox.scrape());
 * const rows = computeFeatureSets(recorder.series(), now); // seed + v2, sorted by namespace/deployment
 */
export function computeFeatureSets(series: readonly SeriesHistory[], at: number, options: FeatureSetOptions = {}): DeploymentFeatureSets[] {
  const windows: FeatureWindows = { ...DEFAULT_FEATURE_WINDOWS, ...options.windows };
  const featureNames = options.featureNames ?? SEED_AND_V2_FEATURE_NAMES;
  const flask: ResolvedRequestMetrics = { kind: 'preset', id: 'flask', preset: REQUEST_PRESETS.flask };
  const requestMetricsOf = options.requestMetricsOf ?? (() => flask);
  const signals = computeBaseSignals(series, at, { windows, requestMetricsOf });
  return [...signals.keys()].sort().map((key) => {
    const [namespace, deployment] = key.split('/') as [string, string];
    const derived = deriveFeatures({ values: signals.get(key) ?? {} }, { at, key, windows, requestMetrics: requestMetricsOf(namespace, deployment).kind !== 'none' }, featureNames);
    return { namespace, deployment, at, values: derived.values, missing: derived.missing };
  });
}

/** Feature values as an array in `featureNames` order, missing as NaN (the ONNX input form). */
export function toFeatureRow(values: FeatureVector, featureNames: readonly string[] = SEED_AND_V2_FEATURE_NAMES): number[] {
  return featureNames.map((name) => values[name] ?? Number.NaN);
}

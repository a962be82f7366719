/**
 * The feature schema: the seven runtime signals of the original project, with their units, valid
 * ranges and how they are measured. A model may declare other feature names; these are the default.
 *
 * Missing is a first-class value: a source that could not measure a feature reports `null` for it,
 * never zero. The pipeline never heals on a vector with a missing feature (verdict `unknown`).
 */
import { z } from 'zod';
import { FEATURE_SET_V2 } from './feature-set-v2.js';
import type { MissingKind } from './missing-explanations.js';

/** The default feature names, in the order the shipped model expects them. */
export const DEFAULT_FEATURE_NAMES = [
  'restart_count_last_5m',
  'cpu_usage_pct',
  'memory_usage_bytes',
  'ready_replica_ratio',
  'unavailable_replicas',
  'network_receive_bytes_per_s',
  'http_5xx_error_rate',
] as const;

export type DefaultFeatureName = (typeof DEFAULT_FEATURE_NAMES)[number];

/** What one feature means, in what unit, and which values are valid. */
export interface FeatureDefinition {
  name: string;
  description: string;
  unit: string;
  min: number;
  /** Inclusive upper bound, when there is one (the ready ratio). */
  max?: number;
  /** Whether more of it can only mean more risk (used for monotone constraints and docs). */
  direction: 'harmful' | 'protective' | 'neutral';
}

/** Definitions of the seven default features. Units follow the original project's PromQL. */
export const DEFAULT_FEATURES: Record<DefaultFeatureName, FeatureDefinition> = {
  restart_count_last_5m: {
    name: 'restart_count_last_5m',
    description: 'Container restarts summed over the pods of the Deployment in the last 5 minutes (increase of kube_pod_container_status_restarts_total[5m]).',
    unit: 'restarts',
    min: 0,
    direction: 'harmful',
  },
  cpu_usage_pct: {
    name: 'cpu_usage_pct',
    description: 'CPU used, in percent of one core, averaged over the pods (rate(container_cpu_usage_seconds_total[2m]) * 100).',
    unit: 'percent of one core',
    min: 0,
    direction: 'neutral',
  },
  memory_usage_bytes: {
    name: 'memory_usage_bytes',
    description: 'Memory working set in bytes, averaged over the pods (container_memory_working_set_bytes).',
    unit: 'bytes',
    min: 0,
    direction: 'neutral',
  },
  ready_replica_ratio: {
    name: 'ready_replica_ratio',
    description: 'Ready replicas divided by desired replicas (kube_deployment_status_replicas_ready / kube_deployment_spec_replicas), in [0, 1].',
    unit: 'ratio',
    min: 0,
    max: 1,
    direction: 'protective',
  },
  unavailable_replicas: {
    name: 'unavailable_replicas',
    description: 'Replicas the Deployment wants but that are not available (kube_deployment_status_replicas_unavailable).',
    unit: 'replicas',
    min: 0,
    direction: 'harmful',
  },
  network_receive_bytes_per_s: {
    name: 'network_receive_bytes_per_s',
    description: 'Bytes received per second, summed over the pods (rate(container_network_receive_bytes_total[2m])).',
    unit: 'bytes per second',
    min: 0,
    direction: 'neutral',
  },
  http_5xx_error_rate: {
    name: 'http_5xx_error_rate',
    description: 'HTTP 5xx responses per second, summed over the pods (sum(rate(flask_http_request_total{status=~"5.."}[2m]))).',
    unit: 'responses per second',
    min: 0,
    direction: 'harmful',
  },
};

/**
 * One value per feature name; `null` means the source could not measure it (missing). Values are
 * finite numbers within the feature's range.
 */
export type FeatureVector = Record<string, number | null>;

/** The definition of a known feature (the seven seed features and feature set v2), for ranges and docs. */
export function featureDefinition(name: string): FeatureDefinition | undefined {
  return (DEFAULT_FEATURES as Record<string, FeatureDefinition>)[name] ?? (FEATURE_SET_V2 as Record<string, FeatureDefinition>)[name];
}

function featureValueSchema(definition: FeatureDefinition | undefined) {
  let schema = z.number({ error: 'must be a number' }).refine(Number.isFinite, 'must be a finite number');
  if (definition) {
    const { min, max, unit } = definition;
    schema = schema.refine((v) => v >= min, `must be >= ${min} (${unit})`);
    if (max !== undefined) schema = schema.refine((v) => v <= max, `must be <= ${max} (${unit})`);
  }
  return schema;
}

/**
 * A strict schema for a complete feature vector (every feature present, finite, in range, no
 * unknown fields), as `POST /predict` accepts it. With the default names this is exactly the
 * original project's request body.
 */
export function completeFeatureVectorSchema(featureNames: readonly string[] = DEFAULT_FEATURE_NAMES) {
  const shape: Record<string, z.ZodType<number>> = {};
  for (const name of featureNames) {
    shape[name] = featureValueSchema(featureDefinition(name));
  }
  return z.strictObject(shape, { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}; expected only ${featureNames.join(', ')}` : undefined) });
}

/** The schema of a vector that may report features as missing (`null`). */
export function featureVectorSchema(featureNames: readonly string[] = DEFAULT_FEATURE_NAMES) {
  const shape: Record<string, z.ZodType<number | null>> = {};
  for (const name of featureNames) {
    shape[name] = featureValueSchema(featureDefinition(name)).nullable();
  }
  return z.strictObject(shape);
}

/** The default complete vector schema: the original project's `/predict` body. */
export const predictRequestSchema = completeFeatureVectorSchema(DEFAULT_FEATURE_NAMES);

/**
 * The vector a model takes from an observation: exactly its own features, in its order (`null` when
 * absent). A source may collect more (the seven seed signals beside feature set v2): those are only
 * recorded, never scored.
 */
export function modelVector(observation: Pick<FeatureObservation, 'values'>, featureNames: readonly string[]): FeatureVector {
  return Object.fromEntries(featureNames.map((feature) => [feature, observation.values[feature] ?? null]));
}

/** Names of the features that are `null` or absent in `vector`. */
export function missingFeatures(vector: FeatureVector, featureNames: readonly string[]): string[] {
  return featureNames.filter((name) => {
    const value = vector[name];
    return value === null || value === undefined || !Number.isFinite(value);
  });
}

/** What one collection of one target produced. */
export interface FeatureObservation {
  target: import('./target.js').TargetRef;
  /** Epoch milliseconds of the evaluation time the values refer to. */
  observedAt: number;
  values: FeatureVector;
  /**
   * Features reported missing, with why (no data, NaN, too few requests, query error) and, when the
   * source knows it, the kind of absence (`no-data` when not given), which decides whether the
   * absence is explained (see `missing-explanations.ts`).
   */
  missing: Array<{ feature: string; reason: string; kind?: MissingKind }>;
}

/**
 * Which feature set a feature belongs to, and what provides it: the words of every "this model
 * needs features that source does not provide" error, so the pipeline (at creation) and the ONNX
 * adapter (at load) say the same thing, and say how to fix it.
 */
import { DEFAULT_FEATURE_NAMES } from './features.js';
import { FEATURE_SET_V2_FIRST_LENGTH, FEATURE_SET_V2_ID, FEATURE_SET_V2_NAMES } from './feature-set-v2.js';

/**
 * The feature sets a model can take: `seed` (the seven signals of the original project, model v1)
 * and `v2` (the scale-free feature set, model v2).
 */
export type FeatureSetId = 'seed' | 'v2';

const SEED = new Set<string>(DEFAULT_FEATURE_NAMES);
const V2 = new Set<string>(FEATURE_SET_V2_NAMES);

/**
 * Reads the `feature_set` a model's metadata names. Absent means `seed`: model v1 was written before
 * the key existed. `v2` and core's {@link FEATURE_SET_V2_ID} both name v2; `seed` and `v1` name seed.
 * Anything else is `undefined` (an unknown set: the caller refuses the model).
 */
export function parseFeatureSetId(value: string | undefined): FeatureSetId | undefined {
  if (value === undefined || value === '') return 'seed';
  const normalized = value.trim().toLowerCase();
  if (normalized === 'seed' || normalized === 'v1') return 'seed';
  if (normalized === 'v2' || normalized === FEATURE_SET_V2_ID) return 'v2';
  return undefined;
}

/** The feature names of a feature set, in the order its models take them. */
export function featureSetNames(featureSet: FeatureSetId): readonly string[] {
  return featureSet === 'v2' ? FEATURE_SET_V2_NAMES : DEFAULT_FEATURE_NAMES;
}

/**
 * The feature names a model of `featureSet` is expected to take, given the names it declares: the
 * whole set, or — for v2, whose features are only ever appended — the first N names when the model
 * declares exactly those (N ≥ {@link FEATURE_SET_V2_FIRST_LENGTH}): a v2 model trained before the
 * trend features were appended keeps loading. Anything else expects the whole set, so a wrong or
 * reordered list is still refused with the whole set named.
 */
export function featureSetNamesFor(featureSet: FeatureSetId, declared: readonly string[]): readonly string[] {
  const names = featureSetNames(featureSet);
  if (featureSet !== 'v2' || declared.length < FEATURE_SET_V2_FIRST_LENGTH || declared.length >= names.length) return names;
  const prefix = names.slice(0, declared.length);
  return prefix.every((name, i) => declared[i] === name) ? prefix : names;
}

/**
 * The features a source must collect for `featureNames`: each one's set, seed first. A name both
 * sets share (`ready_replica_ratio`) counts once.
 */
export function featureSetsOf(featureNames: readonly string[]): FeatureSetId[] {
  const sets: FeatureSetId[] = [];
  if (featureNames.some((name) => SEED.has(name) && !V2.has(name))) sets.push('seed');
  if (featureNames.some((name) => V2.has(name) && !SEED.has(name))) sets.push('v2');
  if (sets.length === 0 && featureNames.some((name) => SEED.has(name))) sets.push('seed');
  return sets;
}

/**
 * Describes features a source does not provide, grouped by set, each group with what provides it.
 *
 * @example
 * describeMissingFeatures(['http_error_ratio', 'memory_limit_ratio'])
 * // 'feature set v2: http_error_ratio, memory_limit_ratio — the Prometheus adapter computes them when its featureNames option lists them …'
 */
export function describeMissingFeatures(missing: readonly string[]): string {
  const seed = missing.filter((name) => SEED.has(name));
  const v2 = missing.filter((name) => V2.has(name) && !SEED.has(name));
  const other = missing.filter((name) => !SEED.has(name) && !V2.has(name));
  const parts: string[] = [];
  if (seed.length > 0) {
    parts.push(
      `seed feature(s) ${seed.join(', ')} — the seven signals of the original project: the Prometheus adapter computes them when its featureNames option lists them (its default), @autoheal/trainer's createSandboxFeatureSource too`,
    );
  }
  if (v2.length > 0) {
    parts.push(
      `feature set v2: ${v2.join(', ')} — the Prometheus adapter computes them when its featureNames option lists them (e.g. featureNames: FEATURE_SET_V2_NAMES; the server derives it from the model's feature_set), @autoheal/trainer's createSandboxFeatureSource({ featureNames }) too`,
    );
  }
  if (other.length > 0) parts.push(`other feature(s) ${other.join(', ')} — no built-in computation: give the Prometheus adapter a query for each (its queries option)`);
  return parts.join('; ');
}

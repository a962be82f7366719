/**
 * The model's `metadata_props`, parsed and checked. onnxruntime-node does not expose them, so they
 * are read from the same bytes with onnx-proto.
 */
import { parseFeatureSetId, type FeatureSetId } from '@autoheal/core';
import { modelInvalid } from './errors.js';
import type { ModelProto } from './onnx-graph.js';

/** Platt calibration applied in the graph after the raw score: `logit = a · raw + b`. */
export interface PlattCalibration {
  method: 'platt';
  a: number;
  b: number;
}

/** What the model says about itself in `metadata_props`. */
export interface ModelProperties {
  featureNames: string[];
  /** `feature_set`: which feature set the model takes; `seed` when absent (model v1 predates the key). */
  featureSet: FeatureSetId;
  name: string | undefined;
  version: string | undefined;
  threshold: number | undefined;
  modelType: 'tree_ensemble' | 'logistic' | undefined;
  calibration: PlattCalibration | undefined;
  /** `training_summary`, parsed when it is JSON, else the raw string. */
  trainingSummary: unknown;
  createdBy: string | undefined;
  /** Per-node cover (JSON array in `nodes_*` order), used to weight node values. */
  nodeCover: number[] | undefined;
  /** Every `metadata_props` entry as written. */
  raw: Record<string, string>;
}

function parseJson(raw: string, key: string, source: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw modelInvalid(`${source} has metadata ${key} that is not valid JSON (${JSON.stringify(raw.slice(0, 80))}). Export the model again with @autoheal/trainer.`, { key }, error);
  }
}

/** Reads and validates `metadata_props`; throws `MODEL_INVALID` naming the bad key. */
export function readModelProperties(model: ModelProto, source: string): ModelProperties {
  const raw: Record<string, string> = {};
  for (const entry of model.metadataProps ?? []) if (entry.key) raw[entry.key] = entry.value ?? '';

  if (raw.feature_names === undefined) {
    throw modelInvalid(`${source} has no feature_names metadata, so its input columns cannot be matched to features. Export it with @autoheal/trainer, or add metadata_props feature_names = JSON array of the input's column names in order.`, { key: 'feature_names' });
  }
  const names = parseJson(raw.feature_names, 'feature_names', source);
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string' && n.length > 0)) {
    throw modelInvalid(`${source} has feature_names metadata that is not a non-empty JSON array of names: ${raw.feature_names.slice(0, 120)}.`, { key: 'feature_names' });
  }
  const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
  if (duplicates.length > 0) throw modelInvalid(`${source} lists feature name(s) ${[...new Set(duplicates)].join(', ')} more than once in feature_names.`, { key: 'feature_names', duplicates });

  const featureSet = parseFeatureSetId(raw.feature_set);
  if (featureSet === undefined) {
    throw modelInvalid(`${source} has feature_set metadata ${JSON.stringify(raw.feature_set)}; expected "v2" (feature set v2) or "seed" (the seven signals; also what an absent feature_set means). Export it with @autoheal/trainer.`, { key: 'feature_set' });
  }

  let threshold: number | undefined;
  if (raw.threshold !== undefined) {
    threshold = Number(raw.threshold);
    if (raw.threshold.trim() === '' || !Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
      throw modelInvalid(`${source} has threshold metadata ${JSON.stringify(raw.threshold)}; it must be a decimal in [0, 1] such as "0.42".`, { key: 'threshold' });
    }
  }

  const modelType = raw.model_type;
  if (modelType !== undefined && modelType !== 'tree_ensemble' && modelType !== 'logistic') {
    throw modelInvalid(`${source} has model_type ${JSON.stringify(modelType)}; expected "tree_ensemble" or "logistic".`, { key: 'model_type' });
  }

  let calibration: PlattCalibration | undefined;
  if (raw.calibration !== undefined) {
    const value = parseJson(raw.calibration, 'calibration', source) as Partial<PlattCalibration> | null;
    if (!value || value.method !== 'platt' || typeof value.a !== 'number' || typeof value.b !== 'number') {
      throw modelInvalid(`${source} has calibration metadata ${raw.calibration.slice(0, 120)}; expected {"method":"platt","a":number,"b":number}.`, { key: 'calibration' });
    }
    calibration = { method: 'platt', a: value.a, b: value.b };
  }

  let nodeCover: number[] | undefined;
  if (raw.node_cover !== undefined) {
    const value = parseJson(raw.node_cover, 'node_cover', source);
    if (!Array.isArray(value) || !value.every((c) => typeof c === 'number' && c >= 0)) {
      throw modelInvalid(`${source} has node_cover metadata that is not a JSON array of non-negative numbers.`, { key: 'node_cover' });
    }
    nodeCover = value;
  }

  let trainingSummary: unknown;
  if (raw.training_summary !== undefined) {
    try {
      trainingSummary = JSON.parse(raw.training_summary);
    } catch {
      // A free-text summary is still worth showing; only structured keys must parse.
      trainingSummary = raw.training_summary;
    }
  }

  return {
    featureNames: names as string[],
    featureSet,
    name: raw.model_name || undefined,
    version: raw.model_version || undefined,
    threshold,
    modelType,
    calibration,
    trainingSummary,
    createdBy: raw.created_by || undefined,
    nodeCover,
    raw,
  };
}

/**
 * Compares the model's feature names with the expected ones and describes every difference:
 * missing names, extra names, and (same set) the first positions where the order differs.
 * Returns `undefined` when they match exactly.
 */
export function describeFeatureMismatch(actual: readonly string[], expected: readonly string[]): { message: string; missing: string[]; extra: string[]; misordered: Array<{ position: number; expected: string; actual: string }> } | undefined {
  const missing = expected.filter((name) => !actual.includes(name));
  const extra = actual.filter((name) => !expected.includes(name));
  const misordered: Array<{ position: number; expected: string; actual: string }> = [];
  if (missing.length === 0 && extra.length === 0) {
    expected.forEach((name, position) => {
      if (actual[position] !== name) misordered.push({ position, expected: name, actual: actual[position]! });
    });
  }
  if (missing.length === 0 && extra.length === 0 && misordered.length === 0) return undefined;
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`missing feature(s) ${missing.join(', ')}`);
  if (extra.length > 0) parts.push(`extra feature(s) ${extra.join(', ')}`);
  if (misordered.length > 0) {
    parts.push(`wrong order: ${misordered.slice(0, 3).map((m) => `column ${m.position} is ${m.actual} but should be ${m.expected}`).join('; ')}${misordered.length > 3 ? `; and ${misordered.length - 3} more` : ''}`);
  }
  return { message: parts.join('; '), missing, extra, misordered };
}

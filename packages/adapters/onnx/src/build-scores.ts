/**
 * Turns a batch's numbers (probabilities, and the contribution matrix when asked for) into the
 * result objects callers get. Everything up to here works on typed arrays; this is the one place
 * that allocates per row, and it allocates only what the result holds.
 *
 * The objects are made by constructor functions whose `prototype` is `Object.prototype`, so they
 * are plain objects in every observable way (prototype, own keys and their order, `constructor`),
 * exactly like the literals they replace. The reason is V8's allocation-site pretenuring: a batch's
 * result objects all survive the young-generation collections that run while it is being built, so
 * V8 decides to allocate that object literal straight in the old generation, after which every
 * young-generation collection has to trace tens of thousands of old-to-young pointers. Measured on
 * 10,000 rows, that made building the results about five times slower (≈ 25 ms instead of 5 ms of
 * CPU per call). Objects made by `new` have no allocation site and are never pretenured.
 */
import type { FeatureContribution } from '@autoheal/core';
import type { OnnxRiskScore } from './onnx-risk-model.js';

type Constructor<T, A extends unknown[]> = new (...args: A) => T;

function contributionObject(this: FeatureContribution, feature: string, value: number | null, contribution: number): void {
  this.feature = feature;
  this.value = value;
  this.contribution = contribution;
}
contributionObject.prototype = Object.prototype;
const Contribution = contributionObject as unknown as Constructor<FeatureContribution, [string, number | null, number]>;

function explainedScoreObject(this: OnnxRiskScore, probability: number, contributions: FeatureContribution[], baseValue: number): void {
  this.probability = probability;
  this.contributions = contributions;
  this.baseValue = baseValue;
}
explainedScoreObject.prototype = Object.prototype;
const ExplainedScore = explainedScoreObject as unknown as Constructor<OnnxRiskScore, [number, FeatureContribution[], number]>;

function probabilityScoreObject(this: OnnxRiskScore, probability: number): void {
  this.probability = probability;
}
probabilityScoreObject.prototype = Object.prototype;
const ProbabilityScore = probabilityScoreObject as unknown as Constructor<OnnxRiskScore, [number]>;

/** One `{ probability }` per row. */
export function probabilityScores(probabilities: Float32Array, count: number): OnnxRiskScore[] {
  const scores: OnnxRiskScore[] = new Array(count);
  for (let r = 0; r < count; r++) scores[r] = new ProbabilityScore(probabilities[r]!);
  return scores;
}

/**
 * One `{ probability, contributions, baseValue }` per row. `credits` holds each row's contributions
 * (row-major, `featureNames.length` columns); `values` the values that were scored, as given (NaN
 * for missing, reported as `null`). Contributions are listed largest magnitude first; ties keep the
 * feature order.
 */
export function explainedScores(
  probabilities: Float32Array,
  count: number,
  featureNames: readonly string[],
  values: Float64Array,
  credits: Float64Array,
  baseValue: number,
): OnnxRiskScore[] {
  const width = featureNames.length;
  const scores: OnnxRiskScore[] = new Array(count);
  const order = new Int32Array(width);
  for (let r = 0, o = 0; r < count; r++, o += width) {
    // An insertion sort of indices: a handful of features, and far cheaper than sorting objects
    // with a comparator once per row.
    for (let i = 0; i < width; i++) {
      const magnitude = Math.abs(credits[o + i]!);
      let j = i;
      while (j > 0 && Math.abs(credits[o + order[j - 1]!]!) < magnitude) {
        order[j] = order[j - 1]!;
        j--;
      }
      order[j] = i;
    }
    const contributions: FeatureContribution[] = new Array(width);
    for (let j = 0; j < width; j++) {
      const i = order[j]!;
      const value = values[o + i]!;
      contributions[j] = new Contribution(featureNames[i]!, value !== value ? null : value, credits[o + i]!);
    }
    scores[r] = new ExplainedScore(probabilities[r]!, contributions, baseValue);
  }
  return scores;
}

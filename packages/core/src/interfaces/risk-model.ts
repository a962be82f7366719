import type { RiskScore } from '../assessment.js';
import type { FeatureVector } from '../features.js';
import type { CallOptions } from './call-options.js';

/** Scores feature vectors: the probability that the workload breaches its objective soon. */
export interface RiskModel {
  readonly name: string;
  /** The model's version (from its metadata), shown in every DecisionRecord. */
  readonly version: string;
  /** The ordered feature names the model expects. */
  readonly featureNames: readonly string[];
  /** The threshold the model was tuned for, when it says so. */
  readonly recommendedThreshold?: number;
  /**
   * Scores one vector. Missing values (`null`) are passed to the model as NaN where it can route
   * them; the pipeline still treats any missing feature as `unknown`.
   */
  score(vector: FeatureVector, options?: CallOptions): Promise<RiskScore>;
  /** Scores many vectors in one call (one model invocation), in order. */
  scoreBatch(vectors: readonly FeatureVector[], options?: CallOptions): Promise<RiskScore[]>;
  close?(): Promise<void>;
}

import type { FeatureObservation } from '../features.js';
import type { TargetRef } from '../target.js';
import type { CallOptions } from './call-options.js';

/**
 * Where features come from (Prometheus, a fixture, ...). A source never invents a value: what it
 * cannot measure it reports as missing (`null` plus a reason in `missing`).
 */
export interface FeatureSource {
  /** Short name used in logs and error prefixes, e.g. `prometheus`. */
  readonly name: string;
  /** The feature names this source provides. The pipeline checks the model's names against these. */
  readonly featureNames: readonly string[];
  /** Collects the features of one target at the current time. */
  collect(target: TargetRef, options?: CallOptions): Promise<FeatureObservation>;
  /**
   * Collects many targets in one go, in the order given. Implementations should cost a number of
   * backend queries proportional to the number of features, not of targets.
   */
  collectMany(targets: readonly TargetRef[], options?: CallOptions): Promise<FeatureObservation[]>;
  /** Checks that the backend answers (for readiness probes and `autoheal doctor`). */
  ping?(options?: CallOptions): Promise<void>;
  close?(): Promise<void>;
}

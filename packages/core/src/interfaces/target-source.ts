import type { TargetListing } from '../target-listing.js';
import type { CallOptions } from './call-options.js';

/**
 * Where the targets of a watch round come from: the config's static list, or workloads discovered
 * in the cluster (the Kubernetes adapter's discovery). The loop asks at the start of every round, so
 * a target that appears is evaluated from the next round and one that disappears is no longer
 * evaluated (its ladder state lives with the workload, so nothing is lost if it comes back).
 */
export interface TargetSource {
  readonly name: string;
  /**
   * The targets to evaluate now, each with its own overrides, and the workloads it saw but left
   * out with why. Called once per round: serve it from a cache, not from a fresh read of everything.
   * Rejects only when it has nothing to tell yet (never listed); a source that lost its connection
   * answers with what it last saw.
   */
  targets(options?: CallOptions): Promise<TargetListing>;
  close?(): Promise<void>;
}

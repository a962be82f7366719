/**
 * What a {@link TargetSource} answers for one round: the targets to evaluate (with the overrides the
 * workload asked for) and the workloads it saw but left out, with why, for `status` and `doctor`.
 */
import type { TargetOverrides } from './pipeline/policy.js';
import type { TargetRef } from './target.js';

/** A target to evaluate this round. */
export interface ListedTarget {
  target: TargetRef;
  /** The workload's own threshold, allowed steps and strategy (e.g. from its annotations). */
  overrides?: TargetOverrides;
  /** Which source listed it: `config`, `discovery`, ... */
  origin: string;
}

/**
 * Why a workload a source saw is not evaluated. `not-opted-in`: it does not carry the opt-in mark;
 * `invalid-overrides`: it opted in but its overrides are not valid (skipped rather than judged
 * by defaults it did not ask for).
 */
export type SkipReason = 'not-opted-in' | 'invalid-overrides';

/** A workload seen and left out. */
export interface SkippedTarget {
  target: TargetRef;
  reason: SkipReason;
  /** Words for operators: what is wrong and how to fix it. */
  message: string;
  origin: string;
}

/** One round's answer of a target source. */
export interface TargetListing {
  targets: ListedTarget[];
  skipped: SkippedTarget[];
}

import type { DecisionRecord } from '../decision.js';
import type { HealingState, HealOutcome, HealPlan, HealStep } from '../healing.js';
import type { TargetRef } from '../target.js';
import type { CallOptions } from './call-options.js';

/**
 * Acts on a workload. Planning and applying are separate calls so that dry-run shows exactly the
 * plan that would have been applied. The Healer also owns the persisted ladder state.
 */
export interface Healer {
  readonly name: string;
  /** Reads the target's ladder state (attempt 0 when none is recorded). */
  readState(target: TargetRef, options?: CallOptions): Promise<HealingState>;
  /** Writes the target's ladder state (`null` clears it). Retries on write conflicts. */
  writeState(target: TargetRef, state: HealingState | null, options?: CallOptions): Promise<void>;
  /** Computes what `step` would do to `target` now, without writing anything. */
  plan(target: TargetRef, step: HealStep, attempt: number, options?: CallOptions): Promise<HealPlan>;
  /** Applies a plan. With `dryRun` it writes nothing (server-side dry-run where the backend has it). */
  apply(target: TargetRef, plan: HealPlan, options?: CallOptions & { dryRun?: boolean }): Promise<HealOutcome>;
  /** Records a decision where operators look (a Kubernetes Event on the Deployment). Optional. */
  recordDecision?(record: DecisionRecord, options?: CallOptions): Promise<void>;
  close?(): Promise<void>;
}

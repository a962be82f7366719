import type { DecisionRecord } from '../decision.js';
import type { HealingIntent, HealingState, HealOutcome, HealPlan, HealStep } from '../healing.js';
import type { TargetRef } from '../target.js';
import type { WorkloadStatus } from '../workload.js';
import type { ActionFence } from './action-fence.js';
import type { CallOptions } from './call-options.js';

/** Options of {@link Healer.writeState}. */
export interface WriteStateOptions extends CallOptions {
  /**
   * Write only if the stored state is still this one (compared with `sameHealingState`); otherwise
   * reject with a `HealingError` of code `STATE_CONFLICT` whose `details.current` is the stored
   * state. This is how a step is claimed: of two actors that read the same state, one writes.
   */
  expected?: HealingState;
}

/** Options of {@link Healer.apply}. */
export interface ApplyOptions extends CallOptions {
  /** Validate and describe only; write nothing (server-side dry-run where the backend has it). */
  dryRun?: boolean;
  /**
   * Checked right before every mutating call; when it answers with a reason, the step stops there
   * and the outcome says why (the rest "not attempted").
   */
  fence?: ActionFence;
  /**
   * The claim this step runs under. A healer that keeps the state next to the workload checks,
   * before each write, that the stored intent is still this one, and stops if not.
   */
  intent?: HealingIntent;
}

/** What {@link Healer.readTarget} sees: the ladder state and the workload's rollout, read together. */
export interface TargetStatus {
  state: HealingState;
  /** Absent when the healer cannot tell; the rollout guard then does not apply. */
  workload?: WorkloadStatus;
}

/** What the record of a step says about it, for a claim whose holder never reported back. */
export interface StepEvidence {
  /** `applied`: the step's record says it finished; `failed`: it ran and failed; `unknown`: no record of it. */
  found: 'applied' | 'failed' | 'unknown';
  /** Words for the decision record ("Event AutohealRestart at 10:04:05: restart step (attempt 1) … succeeded"). */
  evidence: string;
}

/**
 * Acts on a workload. Planning and applying are separate calls so that dry-run shows exactly the
 * plan that would have been applied. The Healer also owns the persisted ladder state.
 */
export interface Healer {
  readonly name: string;
  /** Reads the target's ladder state (attempt 0 when none is recorded). */
  readState(target: TargetRef, options?: CallOptions): Promise<HealingState>;
  /**
   * Writes the target's ladder state (`null` clears it). Retries on the backend's own write
   * conflicts; with `expected`, writes only if the stored state is still that one (see
   * {@link WriteStateOptions}).
   */
  writeState(target: TargetRef, state: HealingState | null, options?: WriteStateOptions): Promise<void>;
  /** Computes what `step` would do to `target` now, without writing anything. */
  plan(target: TargetRef, step: HealStep, attempt: number, options?: CallOptions): Promise<HealPlan>;
  /** Applies a plan. With `dryRun` it writes nothing (server-side dry-run where the backend has it). */
  apply(target: TargetRef, plan: HealPlan, options?: ApplyOptions): Promise<HealOutcome>;
  /** Records a decision where operators look (a Kubernetes Event on the Deployment). Optional. */
  recordDecision?(record: DecisionRecord, options?: CallOptions): Promise<void>;
  /**
   * The ladder state and the workload's rollout from one read (the pipeline prefers it to
   * `readState`, for the rollout guard). Optional.
   */
  readTarget?(target: TargetRef, options?: CallOptions): Promise<TargetStatus>;
  /**
   * What the workload's own records say about a claimed step whose holder never reported back
   * (the Kubernetes healer looks for the step's Event). Optional: without it the record says the
   * outcome is unknown. Never throws for a missing record.
   */
  findStep?(target: TargetRef, intent: HealingIntent, options?: CallOptions): Promise<StepEvidence>;
  /**
   * Puts back the replica count (or the autoscaler's floor) the healer raised this episode, when
   * the workload is kept; nothing when it raised none or someone changed it since. Resolves with
   * what was done, in words, or `undefined` when nothing was. Optional.
   */
  undoScaleUp?(target: TargetRef, options?: CallOptions & { fence?: ActionFence }): Promise<string | undefined>;
  close?(): Promise<void>;
}

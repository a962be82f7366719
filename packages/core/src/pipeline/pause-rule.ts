/**
 * The pause rule, pure like the ladder: while a target is held (paused by an operator, everything
 * paused, the pause marks unreadable, or a maintenance window), the loop still looks and records,
 * but takes no step and writes no ladder state. What the ladder would have done is named in the
 * note, so nothing is hidden: "paused (…); would have taken step 1/3 (restart)".
 *
 * Why a wrapper around the ladder's answer rather than one more rule inside it: a hold must stop
 * every effect the ladder can ask for (a step, a state write for a hold or a handoff, a reset), and
 * it must not change what the ladder would decide once the hold ends. Judging the ladder's answer
 * says both in one place. An operator's `heal` meets the same hold as a rule that `--force` passes;
 * an operator's reset is never held (it is the operator's explicit ask).
 */
import { activeMaintenanceWindow, type MaintenanceWindow } from '../maintenance-window.js';
import { describeHold, type Hold, type PauseStatus } from '../pause.js';
import type { HealingState } from '../healing.js';
import type { LadderDecision } from './ladder.js';
import { stepLabel } from './words.js';

/** The global pause of the policy (`policy.pause`). */
export interface PolicyPause {
  all: boolean;
  reason?: string | undefined;
}

/**
 * The holds on a target at `now`, most specific first: its own pause, the global pauses (config,
 * then the source's), pause marks that could not be read, then a maintenance window. A mark whose
 * `until` has passed no longer holds: expiry is judged here, on the pipeline's clock, so a source
 * never needs one and virtual time in tests expires a pause like real time does.
 */
export function holdsFor(input: { pauses?: PauseStatus | undefined; policyPause: PolicyPause; maintenanceWindows: readonly MaintenanceWindow[]; now: number }): Hold[] {
  const { pauses, policyPause, maintenanceWindows, now } = input;
  const holds: Hold[] = [];
  const inForce = (pauses?.pauses ?? []).filter((mark) => mark.until === undefined || mark.until > now);
  for (const mark of inForce) if (mark.scope === 'target') holds.push({ kind: 'paused', ...mark });
  if (policyPause.all) holds.push({ kind: 'paused', scope: 'global', source: 'config policy.pause', ...(policyPause.reason ? { reason: policyPause.reason } : {}) });
  for (const mark of inForce) if (mark.scope === 'global') holds.push({ kind: 'paused', ...mark });
  if (pauses?.unavailable !== undefined) holds.push({ kind: 'pause-unknown', reason: pauses.unavailable });
  const window = activeMaintenanceWindow(maintenanceWindows, now);
  if (window) holds.push({ kind: 'maintenance', ...window });
  return holds;
}

/** The suppressed reason of a hold. */
export function holdReason(hold: Hold): 'paused' | 'maintenance' {
  return hold.kind === 'maintenance' ? 'maintenance' : 'paused';
}

/** What the ladder would have done, in words (for the note of a held decision). */
function wouldHave(decision: LadderDecision, maxAttempts: number): string {
  if (decision.kind === 'step') return `taken ${stepLabel(decision.due.attempt, maxAttempts, decision.due.step.kind)}`;
  const { decided } = decision;
  if (decided.decision === 'suppressed') return `been suppressed (${decided.suppressedReason})`;
  if (decided.decision === 'awaiting-recheck') return 'counted a healthy evaluation towards keeping the last step';
  return `decided ${decided.decision}`;
}

/**
 * The loop's decision under `holds`: unchanged when nothing is held, or when the ladder would
 * neither act nor write and the target is not at risk; otherwise `suppressed` with the first hold's
 * reason, the `stored` state unchanged, and nothing saved.
 */
export function applyHolds(decision: LadderDecision, holds: readonly Hold[], context: { stored: HealingState; atRisk: boolean; maxAttempts: number }): LadderDecision {
  const hold = holds[0];
  if (hold === undefined) return decision;
  if (decision.kind === 'settle' && decision.save === 'none' && !context.atRisk) return decision;
  return {
    kind: 'settle',
    decided: {
      decision: 'suppressed',
      suppressedReason: holdReason(hold),
      state: context.stored,
      note: `${describeHold(hold)}; would have ${wouldHave(decision, context.maxAttempts)}`,
    },
    save: 'none',
  };
}

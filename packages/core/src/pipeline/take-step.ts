/**
 * The step executor: the only path that changes a workload or the ladder state. Given a step the
 * ladder found due, it re-validates (when asked), plans, stops at dry-run, checks the fence, takes a
 * circuit-breaker slot, **claims the attempt**, applies with a timeout under the fence, and clears
 * the claim — in that order, each stop recorded as the ladder words it (`stepStopped`).
 *
 * Why the claim comes before any change: the attempt used to be written after `apply`, so a failed
 * state write or a crash between the two repeated the step. Now the state after the step (attempt
 * n+1, the time, the steps taken) is written first, with an intent naming this process, under a
 * precondition on the state that was read (`writeState(…, { expected })`). Of two actors that read
 * the same state (a second replica, a CI `autoheal run` next to the server), one claims and the
 * other records `in-flight`. Once claimed, the attempt counts whatever happens next: it is never
 * applied a second time. A claim whose holder never reports back (crashed, partitioned) is found by
 * {@link StepExecutor.recoverIntent} after its deadline, and the step's own record (the Kubernetes
 * Event) says whether it finished.
 *
 * Why all effects live here: the rules are pure (`ladder.ts`), so every way the product can touch a
 * cluster is this one file. Safety that must hold for every action is written once, here.
 */
import type { Clock } from '../clock.js';
import type { SuppressedReason } from '../decision.js';
import { AutohealError, errorMessage, HealingError } from '../errors.js';
import { withoutIntent, type HealingIntent, type HealingState, type HealOutcome, type HealPlan } from '../healing.js';
import type { ActionFence } from '../interfaces/action-fence.js';
import type { Healer, StepEvidence, TargetStatus } from '../interfaces/healer.js';
import { targetKey, type TargetRef } from '../target.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { judgeRevalidation, stateAfterStep, stepStopped, type Decided, type StateChange, type StepDue } from './ladder.js';
import { throwIfAborted, type Looker } from './look.js';
import type { Policy } from './policy.js';
import type { PipelineErrorContext } from './types.js';
import { isoTime, stepLabel } from './words.js';

const COMPONENT = 'pipeline';
const PLANNING_FAILED = 'planning failed: ';
/**
 * How long after a step's own time limit (`actionTimeoutMs`) others keep waiting for its holder:
 * enough for the holder's last write (clearing the claim) and for clocks that differ a little
 * between machines.
 */
export const INTENT_GRACE_MS = 30_000;

/** The result of a state write: whether it happened, and if not, why in words. */
export type SaveOutcome = { ok: true } | { ok: false; conflict: boolean; problem: string };

/** Reads and saves ladder state, and takes steps. */
export interface StepExecutor {
  /** The target's persisted ladder state and rollout; a failure is a retryable `HealingError` naming the healer. */
  readTarget(target: TargetRef, signal: AbortSignal | undefined): Promise<TargetStatus>;
  /**
   * Persists a state change (never in dry-run), only if the stored state is still `expected`.
   * A failed write is reported to `onError` (unless it lost to another writer) and does not undo
   * the decision.
   */
  saveState(target: TargetRef, change: StateChange, state: HealingState, expected: HealingState): Promise<SaveOutcome>;
  /**
   * Clears the state now, even in dry-run (an operator's reset is explicit). Rejects with a
   * retryable `HealingError` naming the healer when the write fails.
   */
  clearState(target: TargetRef, signal: AbortSignal | undefined): Promise<void>;
  /**
   * A claim found in the state that no longer counts as in flight (its deadline passed, or it is
   * this process's own from before): asks the healer what became of the step, clears the claim and
   * says so. The attempt stays counted; the step is never applied again for it. `maxAttempts` is
   * the target's ladder length (its overrides applied), for the words.
   */
  recoverIntent(target: TargetRef, state: HealingState, maxAttempts: number, signal: AbortSignal | undefined): Promise<{ state: HealingState; note?: string }>;
  /**
   * Takes a due step: re-validate (at `targetPolicy.threshold`), plan, dry-run stop, fence, breaker
   * slot, claim, apply, clear the claim.
   */
  take(target: TargetRef, due: StepDue, targetPolicy: Policy, signal: AbortSignal | undefined): Promise<Decided>;
  /** Puts back this episode's scale-ups (on `kept`); words for the record, or `undefined` when nothing was done. */
  undoScaleUp(target: TargetRef): Promise<string | undefined>;
}

export interface StepExecutorParts {
  healer: Healer;
  looker: Looker;
  circuit: CircuitBreaker;
  clock: Clock;
  policy: Policy;
  /** This process's name in claims and breaker slots. */
  identity: string;
  /** "May this process still act?" (leader election); absent: always. */
  fence?: ActionFence;
  reportError(error: unknown, context: PipelineErrorContext): void;
}

const isConflict = (error: unknown): boolean => AutohealError.isInstance(error) && error.code === 'STATE_CONFLICT';
const currentOf = (error: unknown): HealingState | undefined => (AutohealError.isInstance(error) ? (error.details as { current?: HealingState } | undefined)?.current : undefined);

/**
 * Creates the step executor.
 *
 * @example
 * const executor = createStepExecutor({ healer, looker, circuit, clock, policy, identity: 'autoheal-0', reportError });
 * const decided = await executor.take(target, due, targetPolicy, signal);
 */
export function createStepExecutor(parts: StepExecutorParts): StepExecutor {
  const { healer, looker, circuit, clock, policy, identity, fence, reportError } = parts;

  async function readTarget(target: TargetRef, signal: AbortSignal | undefined): Promise<TargetStatus> {
    try {
      return healer.readTarget ? await healer.readTarget(target, { signal }) : { state: await healer.readState(target, { signal }) };
    } catch (error) {
      throwIfAborted(signal, error);
      const failure = new HealingError(`could not read the ladder state of ${targetKey(target)} from healer "${healer.name}": ${errorMessage(error)}`, {
        component: COMPONENT,
        cause: error,
        retryable: true,
      });
      // The record says it too (state-unavailable); onError lets operators alert on a target that cannot be read.
      reportError(failure, { component: 'healer:readState', target });
      throw failure;
    }
  }

  // No signal is passed on purpose: a step that ran must be counted even when autoheal is shutting
  // down, or the next run would repeat it.
  async function saveState(target: TargetRef, change: StateChange, state: HealingState, expected: HealingState): Promise<SaveOutcome> {
    if (change === 'none' || policy.dryRun) return { ok: true };
    try {
      await healer.writeState(target, change === 'clear' ? null : state, { expected });
      return { ok: true };
    } catch (error) {
      if (isConflict(error)) return { ok: false, conflict: true, problem: 'the ladder state changed since it was read (another autoheal process wrote it); the next evaluation decides again' };
      reportError(error, { component: 'healer:writeState', target });
      return { ok: false, conflict: false, problem: `the ladder state could not be saved (${errorMessage(error)})` };
    }
  }

  async function clearState(target: TargetRef, signal: AbortSignal | undefined): Promise<void> {
    try {
      await healer.writeState(target, null, { signal });
    } catch (error) {
      throwIfAborted(signal, error);
      throw new HealingError(`could not reset the ladder state of ${targetKey(target)} in healer "${healer.name}": ${errorMessage(error)}`, {
        component: COMPONENT,
        cause: error,
        retryable: true,
      });
    }
  }

  async function findStep(target: TargetRef, intent: HealingIntent, signal: AbortSignal | undefined): Promise<StepEvidence> {
    if (!healer.findStep) return { found: 'unknown', evidence: `healer "${healer.name}" keeps no record of steps` };
    try {
      return await healer.findStep(target, intent, { signal });
    } catch (error) {
      throwIfAborted(signal, error);
      return { found: 'unknown', evidence: `its record could not be read (${errorMessage(error)})` };
    }
  }

  async function recoverIntent(target: TargetRef, state: HealingState, maxAttempts: number, signal: AbortSignal | undefined): Promise<{ state: HealingState; note?: string }> {
    const { intent } = state;
    // A live claim of another process is the ladder's business (`in-flight`); nothing to recover.
    if (!intent || (clock.now() < intent.deadline && intent.holder !== identity)) return { state };
    const step = stepLabel(intent.attempt, maxAttempts, intent.step);
    const found = await findStep(target, intent, signal);
    const outcome =
      found.found === 'applied'
        ? `its record shows it finished: ${found.evidence}`
        : found.found === 'failed'
          ? `its record shows it ran and failed: ${found.evidence}`
          : `nothing shows it finished, it may have been interrupted part-way (${found.evidence})`;
    const note = `${step} claimed by ${intent.holder} at ${isoTime(intent.startedAt)} never reported back; ${outcome}; it counts as taken and is not applied again`;
    const cleared = withoutIntent(state);
    const saved = await saveState(target, 'write', cleared, state);
    if (!saved.ok) return { state, note: `${note}; the claim could not be cleared: ${saved.problem}` };
    return { state: cleared, note };
  }

  /**
   * Applies a plan, giving up after `policy.actionTimeoutMs`: the healer's signal is then aborted and
   * the step is reported as failed. A thrown error becomes a failed outcome too; neither is rethrown,
   * because the step may have changed the cluster and must be counted.
   */
  async function applyWithTimeout(target: TargetRef, plan: HealPlan, signal: AbortSignal | undefined, stepFence: ActionFence, intent: HealingIntent): Promise<HealOutcome> {
    const failed = (message: string): HealOutcome => ({ ok: false, dryRun: false, message, results: [] });
    const controller = new AbortController();
    const forwardAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) forwardAbort();
    else signal?.addEventListener('abort', forwardAbort, { once: true });

    const applying = healer.apply(target, plan, { signal: controller.signal, fence: stepFence, intent }).catch((error: unknown) => failed(`apply failed: ${errorMessage(error)}`));
    const timedOut = clock.sleep(policy.actionTimeoutMs, controller.signal).then(
      () => failed(`apply timed out after ${policy.actionTimeoutMs} ms (healer "${healer.name}"); the step may be partly done`),
      () => new Promise<never>(() => {}), // the step ended first and cancelled the timer: never wins the race
    );
    try {
      return await Promise.race([applying, timedOut]);
    } finally {
      signal?.removeEventListener('abort', forwardAbort);
      // Cancels the timer, or tells a step that is still running to stop.
      controller.abort(new HealingError(`step on ${targetKey(target)} stopped waiting`, { component: COMPONENT }));
    }
  }

  async function plan(target: TargetRef, due: StepDue, signal: AbortSignal | undefined): Promise<HealPlan> {
    try {
      return await healer.plan(target, due.step, due.attempt, { signal });
    } catch (error) {
      throwIfAborted(signal, error);
      // A plan that cannot be computed is treated like a refusal: nothing is applied, and the next
      // evaluation tries again.
      return { step: due.step, attempt: due.attempt, operations: [], refusal: `${PLANNING_FAILED}${errorMessage(error)}` };
    }
  }

  /** Writes the claim; `undefined` when this process holds it, else why not (the decision to record). */
  async function claim(target: TargetRef, due: StepDue, claimed: HealingState, signal: AbortSignal | undefined): Promise<{ reason: SuppressedReason; why: string } | undefined> {
    try {
      await healer.writeState(target, claimed, { expected: due.state, signal });
      return undefined;
    } catch (error) {
      throwIfAborted(signal, error);
      if (isConflict(error)) {
        const holder = currentOf(error)?.intent?.holder;
        return {
          reason: 'in-flight',
          why: holder
            ? `${holder} claimed this target first (it is acting on it); nothing applied here`
            : 'the ladder state changed since it was read (another autoheal process wrote it); nothing applied, the next evaluation decides again',
        };
      }
      reportError(error, { component: 'healer:writeState', target });
      return { reason: 'state-unavailable', why: `the claim on this attempt could not be written (${errorMessage(error)}); nothing applied` };
    }
  }

  /** Clears the claim after the step; words for the record when that did not work (the attempt is counted either way). */
  async function release(target: TargetRef, claimed: HealingState): Promise<string | undefined> {
    const saved = await saveState(target, 'write', withoutIntent(claimed), claimed);
    if (saved.ok) return undefined;
    return saved.conflict
      ? 'the ladder state changed during the step (another writer); left as it is'
      : `the claim could not be cleared (${saved.problem}); the attempt is counted and the claim expires at ${isoTime(claimed.intent!.deadline)}`;
  }

  async function take(target: TargetRef, due: StepDue, targetPolicy: Policy, signal: AbortSignal | undefined): Promise<Decided> {
    const stop = (reason: SuppressedReason, why: string, action?: Decided['action']) => stepStopped(due, reason, why, targetPolicy.ladder.length, action);
    if (due.revalidate) {
      // A fresh look right before acting: never heal a target that recovered while we were deciding.
      const fresh = await looker.look(target, targetPolicy.threshold, signal);
      const stopped = judgeRevalidation(fresh.assessment);
      if (stopped) return stop(stopped.reason, stopped.why);
    }

    const planned = await plan(target, due, signal);
    const action = { step: due.step.kind, plan: planned };
    // The healer's refusal and dry-run hold even when forced.
    if (planned.refusal !== undefined) {
      // A refusal by the healer is deliberate (no earlier release, paused, forbidden); a plan that
      // could not be computed is not, and is asked again at the next evaluation.
      const onPurpose = !planned.refusal.startsWith(PLANNING_FAILED);
      return { ...stop('refused', `healer "${healer.name}" refused: ${planned.refusal}`, action), ...(onPurpose ? { refusedOnPurpose: true } : {}) };
    }
    if (due.dryRun) {
      // Dry-run claims nothing and takes no slot: it changes nothing at all.
      const wouldDo = planned.operations.map((operation) => operation.description).join(', ') || 'nothing';
      const forced = due.overridden.length > 0 ? ` (with --force past: ${due.overridden.join(', ')})` : '';
      return stop('dry-run', `dry-run, nothing applied; would ${wouldDo}${forced}`, action);
    }

    const fenced = fence?.check();
    if (fenced !== undefined) return stop('not-leader', `this process may not act: ${fenced}`, action);

    const actedAt = clock.now();
    const overridden = [...due.overridden];
    const force = due.operator?.force === true;
    const wasOpen = circuit.state(actedAt).open;
    // The slot before the claim: a slot taken for a claim that is then lost stays counted (errs on
    // the side of fewer steps), whereas a claim without a slot would have to be taken back.
    const slot = await circuit.acquire(actedAt, { target: targetKey(target), holder: identity, step: due.step.kind }, { force, signal });
    if (!slot.taken) return stop('circuit-open', slot.why ?? 'circuit breaker open');
    if (force && wasOpen && !overridden.includes('circuit-open')) overridden.push('circuit-open');

    const intent: HealingIntent = { attempt: due.attempt, step: due.step.kind, holder: identity, startedAt: actedAt, deadline: actedAt + policy.actionTimeoutMs + INTENT_GRACE_MS };
    // A failed step still counts as an attempt, so the ladder escalates instead of repeating it.
    const claimed: HealingState = { ...stateAfterStep(due, actedAt, targetPolicy), intent };
    const lost = await claim(target, due, claimed, signal);
    if (lost) return stop(lost.reason, lost.why, action);

    // Checked before every write of the step: the leader's Lease, and the step's own time.
    const stepFence: ActionFence = {
      check: () => fence?.check() ?? (clock.now() >= actedAt + policy.actionTimeoutMs ? `the step's time (${policy.actionTimeoutMs} ms) ran out` : undefined),
    };
    const outcome = await applyWithTimeout(target, planned, signal, stepFence, intent);
    const problem = await release(target, claimed);
    const note = [
      due.diagnosis ? `diagnosis: ${due.diagnosis.summary}` : undefined,
      overridden.length > 0 ? `forced past: ${overridden.join(', ')}` : undefined,
      due.operator?.reason ? `reason: ${due.operator.reason}` : undefined,
      slot.why,
      problem,
    ]
      .filter(Boolean)
      .join('; ');
    return { decision: 'heal', state: withoutIntent(claimed), action: { ...action, outcome }, ...(due.operator ? { byOperator: true } : {}), ...(note ? { note } : {}) };
  }

  async function undoScaleUp(target: TargetRef): Promise<string | undefined> {
    if (policy.dryRun || !healer.undoScaleUp) return undefined;
    const fenced = fence?.check();
    if (fenced !== undefined) return `scale-up not undone: this process may not act (${fenced})`;
    try {
      return await healer.undoScaleUp(target, fence ? { fence } : {});
    } catch (error) {
      reportError(error, { component: 'healer:undoScaleUp', target });
      return `scale-up not undone: ${errorMessage(error)}`;
    }
  }

  return { readTarget, saveState, clearState, recoverIntent, take, undoScaleUp };
}

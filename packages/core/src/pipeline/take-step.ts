/**
 * The step executor: the only path that changes a workload or the ladder state. Given a step the
 * ladder found due, it re-validates (when asked), plans, stops at dry-run, takes a circuit-breaker
 * slot, applies with a timeout and saves the new state — in that order, each stop recorded as the
 * ladder words it (`stepStopped`).
 *
 * Why all effects live here: the rules are pure (`ladder.ts`), so every way the product can touch a
 * cluster is this one file. Safety that must hold for every action (the breaker slot taken in the
 * same synchronous call that checks it, the state counted even when autoheal is shutting down) is
 * written once, here.
 */
import type { Clock } from '../clock.js';
import type { SuppressedReason } from '../decision.js';
import { errorMessage, HealingError } from '../errors.js';
import type { HealingState, HealOutcome, HealPlan } from '../healing.js';
import type { Healer } from '../interfaces/healer.js';
import { targetKey, type TargetRef } from '../target.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { judgeRevalidation, stateAfterStep, stepStopped, type Decided, type StateChange, type StepDue } from './ladder.js';
import { throwIfAborted, type Looker } from './look.js';
import type { Policy } from './policy.js';
import type { PipelineErrorContext } from './types.js';

const COMPONENT = 'pipeline';
const PLANNING_FAILED = 'planning failed: ';

/** Reads and saves ladder state, and takes steps. */
export interface StepExecutor {
  /** The target's persisted ladder state; a failure is a retryable `HealingError` naming the healer. */
  readState(target: TargetRef, signal: AbortSignal | undefined): Promise<HealingState>;
  /**
   * Persists a state change (never in dry-run). Returns the problem in words when the write failed
   * (also reported to `onError`); a failed write does not undo the decision.
   */
  saveState(target: TargetRef, change: StateChange, state: HealingState): Promise<string | undefined>;
  /**
   * Clears the state now, even in dry-run (an operator's reset is explicit). Rejects with a
   * retryable `HealingError` naming the healer when the write fails.
   */
  clearState(target: TargetRef, signal: AbortSignal | undefined): Promise<void>;
  /** Takes a due step: re-validate, plan, dry-run stop, breaker slot, apply, save. */
  take(target: TargetRef, due: StepDue, threshold: number, signal: AbortSignal | undefined): Promise<Decided>;
}

export interface StepExecutorParts {
  healer: Healer;
  looker: Looker;
  circuit: CircuitBreaker;
  clock: Clock;
  policy: Policy;
  reportError(error: unknown, context: PipelineErrorContext): void;
}

/**
 * Creates the step executor.
 *
 * @example
 * const executor = createStepExecutor({ healer, looker, circuit, clock, policy, reportError });
 * const decided = await executor.take(target, due, threshold, signal);
 */
export function createStepExecutor(parts: StepExecutorParts): StepExecutor {
  const { healer, looker, circuit, clock, policy, reportError } = parts;
  const maxAttempts = policy.ladder.length;

  async function readState(target: TargetRef, signal: AbortSignal | undefined): Promise<HealingState> {
    try {
      return await healer.readState(target, { signal });
    } catch (error) {
      throwIfAborted(signal, error);
      throw new HealingError(`could not read the ladder state of ${targetKey(target)} from healer "${healer.name}": ${errorMessage(error)}`, {
        component: COMPONENT,
        cause: error,
        retryable: true,
      });
    }
  }

  // No signal is passed on purpose: a step that ran must be counted even when autoheal is shutting
  // down, or the next run would repeat it.
  async function saveState(target: TargetRef, change: StateChange, state: HealingState): Promise<string | undefined> {
    if (change === 'none' || policy.dryRun) return undefined;
    try {
      await healer.writeState(target, change === 'clear' ? null : state);
      return undefined;
    } catch (error) {
      reportError(error, { component: 'healer:writeState', target });
      return `the ladder state could not be saved (${errorMessage(error)})`;
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

  /**
   * Applies a plan, giving up after `policy.actionTimeoutMs`: the healer's signal is then aborted and
   * the step is reported as failed. A thrown error becomes a failed outcome too; neither is rethrown,
   * because the step may have changed the cluster and must be counted.
   */
  async function applyWithTimeout(target: TargetRef, plan: HealPlan, signal: AbortSignal | undefined): Promise<HealOutcome> {
    const failed = (message: string): HealOutcome => ({ ok: false, dryRun: false, message, results: [] });
    const controller = new AbortController();
    const forwardAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) forwardAbort();
    else signal?.addEventListener('abort', forwardAbort, { once: true });

    const applying = healer.apply(target, plan, { signal: controller.signal }).catch((error: unknown) => failed(`apply failed: ${errorMessage(error)}`));
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

  async function take(target: TargetRef, due: StepDue, threshold: number, signal: AbortSignal | undefined): Promise<Decided> {
    const stop = (reason: SuppressedReason, why: string, action?: Decided['action']) => stepStopped(due, reason, why, maxAttempts, action);
    if (due.revalidate) {
      // A fresh look right before acting: never heal a target that recovered while we were deciding.
      const fresh = await looker.look(target, threshold, signal);
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
      const wouldDo = planned.operations.map((operation) => operation.description).join(', ') || 'nothing';
      const forced = due.overridden.length > 0 ? ` (with --force past: ${due.overridden.join(', ')})` : '';
      return stop('dry-run', `dry-run, nothing applied; would ${wouldDo}${forced}`, action);
    }

    const actedAt = clock.now();
    const overridden = [...due.overridden];
    if (!circuit.tryAcquire(actedAt)) {
      // Another target took the last slot while this one was re-validating and planning. A forced
      // operator step goes ahead and still counts, so the loop sees it in the window.
      if (!due.operator?.force) {
        const current = circuit.state(actedAt);
        return stop('circuit-open', `circuit breaker open (${current.actionsInWindow}/${current.maxActions} steps in the window)`);
      }
      if (!overridden.includes('circuit-open')) overridden.push('circuit-open');
      circuit.record(actedAt);
    }
    const outcome = await applyWithTimeout(target, planned, signal);
    // A failed step still counts as an attempt, so the ladder escalates instead of repeating it.
    const next = stateAfterStep(due, actedAt, policy);
    const problem = await saveState(target, 'write', next);
    const note = [
      due.diagnosis ? `diagnosis: ${due.diagnosis.summary}` : undefined,
      overridden.length > 0 ? `forced past: ${overridden.join(', ')}` : undefined,
      due.operator?.reason ? `reason: ${due.operator.reason}` : undefined,
      problem,
    ]
      .filter(Boolean)
      .join('; ');
    return { decision: 'heal', state: next, action: { ...action, outcome }, ...(due.operator ? { byOperator: true } : {}), ...(note ? { note } : {}) };
  }

  return { readState, saveState, clearState, take };
}

/**
 * One evaluation of one target, the way every entry point runs it: look → (holding the target's
 * in-flight lock) read the state and the rollout → settle a claim nobody reported back → the ladder
 * decides → save what changed → take the step if one is due → build the record → publish it. The
 * loop (`evaluate`), the operator's `healNow` and `resetTarget`, and `inspect` differ only in the
 * request they hand the ladder. Every evaluation ends in a record, even when the state cannot be read
 * (`suppressed`/`state-unavailable`).
 *
 * Why the in-flight lock spans from reading the state to saving it: two evaluations of one target
 * at once (the loop and an operator, or two overlapping rounds) would both read attempt n and both
 * take step n+1. The second one is recorded as `suppressed`/`in-flight` instead. Across processes
 * the same is done by the claim (`take-step.ts`) and by writing the state only over the state read.
 */
import { HealingError } from '../errors.js';
import type { DecisionRecord } from '../decision.js';
import type { FeatureObservation } from '../features.js';
import { targetKey, type TargetRef } from '../target.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { Diagnosis } from '../decision.js';
import { buildRecord } from './decision-record.js';
import { diagnose } from './diagnose.js';
import { decide, inFlight, ladderPosition, skipRefused, type Decided, type LadderRequest } from './ladder.js';
import type { HealingState } from '../healing.js';
import type { TargetStatus } from '../interfaces/healer.js';
import { errorMessage } from '../errors.js';
import type { Look, Looker } from './look.js';
import type { Policy } from './policy.js';
import type { Publisher } from './publisher.js';
import type { StepExecutor } from './take-step.js';
import { thresholdForTarget } from './threshold.js';
import type { TargetInspection } from './types.js';
import { isoTime, stepLabel } from './words.js';

const COMPONENT = 'pipeline';

export interface EvaluatorParts {
  policy: Policy;
  looker: Looker;
  executor: StepExecutor;
  circuit: CircuitBreaker;
  publisher: Publisher;
  clock: { now(): number };
  nextId(nowMs: number): string;
  /** This process's name in claims: a live claim by anyone else makes a target `in-flight`. */
  identity: string;
}

/** The evaluations, one per kind of request. */
export interface Evaluator {
  /** The loop's evaluation; `prefetched` is the target's observation from a round's batch collect. */
  evaluate(target: TargetRef, signal: AbortSignal | undefined, prefetched?: FeatureObservation): Promise<DecisionRecord>;
  /** The operator's step (`request.kind === 'heal-now'`). */
  healNow(target: TargetRef, request: Extract<LadderRequest, { kind: 'heal-now' }>, signal: AbortSignal | undefined): Promise<DecisionRecord>;
  /** The operator's reset: rejects (retryable) while the target is in flight or when the state cannot be written. */
  reset(target: TargetRef, reason: string | undefined, signal: AbortSignal | undefined): Promise<DecisionRecord>;
  /** Looks and reads the state; decides and changes nothing. */
  inspect(target: TargetRef, signal: AbortSignal | undefined): Promise<TargetInspection>;
}

/**
 * Creates the evaluator.
 *
 * @example
 * const evaluator = createEvaluator({ policy, looker, executor, circuit, publisher, clock, nextId });
 * const record = await evaluator.evaluate(target, signal);
 */
export function createEvaluator(parts: EvaluatorParts): Evaluator {
  const { policy, looker, executor, circuit, publisher, clock, nextId, identity } = parts;
  const maxAttempts = policy.ladder.length;
  // Targets with an evaluation between "read the state" and "state written": at most one action per target.
  const inFlightTargets = new Set<string>();

  async function record(target: TargetRef, startedAt: number, look: Look, decided: Decided): Promise<DecisionRecord> {
    const now = clock.now();
    const built = buildRecord({ id: nextId(startedAt), target, startedAt, now, look, circuit: circuit.state(now), policy }, decided);
    publisher.publish(built);
    return built;
  }

  /**
   * Reads the state, lets the ladder decide, saves what changed and takes a due step. A step the
   * healer refuses on purpose is skipped for the episode and the ladder asked again at once (at most
   * once per rung), so the loop never asks for the same refused step at every evaluation.
   */
  async function decideAndAct(target: TargetRef, threshold: number, look: Look, request: LadderRequest, signal: AbortSignal | undefined): Promise<Decided> {
    const read = await readOrRecord(target, request, signal);
    if ('decided' in read) return read.decided;
    const { workload } = read;
    // A claim nobody reported back is settled first: its attempt counts, its step is never repeated.
    const recovered = await executor.recoverIntent(target, read.state, signal);
    // `stored` is what the healer holds as far as this evaluation knows: every write is made over it.
    let stored: HealingState = recovered.state;
    // Named before a step is chosen, from the same look: the record shows it whether or not it chose.
    const diagnosis = look.assessment.verdict === 'at-risk' ? diagnose(look.observation.values, stored) : undefined;
    const notes: string[] = recovered.note ? [recovered.note] : [];
    const withNotes = (decided: Decided, extra?: string): Decided => {
      const all = [...notes, decided.note, extra].filter(Boolean);
      return withDiagnosis(all.length === 0 ? decided : { ...decided, note: all.join('; ') }, diagnosis);
    };
    await circuit.refresh(clock.now(), signal);
    for (let rung = 0; ; rung++) {
      const now = clock.now();
      const next = decide({
        state: stored,
        assessment: look.assessment,
        now,
        policy,
        circuit: circuit.state(now),
        request,
        identity,
        ...(workload ? { workload } : {}),
        ...(diagnosis ? { diagnosis } : {}),
      });
      if (next.kind === 'settle') {
        const saved = await executor.saveState(target, next.save, next.decided.state, stored);
        const undone = saved.ok && next.decided.undoScaleUp ? await executor.undoScaleUp(target) : undefined;
        return withNotes(next.decided, saved.ok ? undone : saved.problem);
      }
      const saved = await executor.saveState(target, next.save, next.due.state, stored);
      if (!saved.ok) {
        // Never act over a state that could not be saved: the claim would be made over the wrong one.
        return withNotes({ decision: 'suppressed', suppressedReason: saved.conflict ? 'in-flight' : 'state-unavailable', state: stored, note: `step not taken: ${saved.problem}` });
      }
      stored = next.due.state;
      // The first step of the evaluation re-validated already; a skip moves on at the same moment.
      const due = rung === 0 ? next.due : { ...next.due, revalidate: false };
      const decided = await executor.take(target, due, threshold, signal);
      if (!decided.refusedOnPurpose || request.kind !== 'evaluate' || rung >= policy.ladder.length) return withNotes(decided);
      const skipped = skipRefused(next.due.state, next.due.step.kind);
      if ((await executor.saveState(target, 'write', skipped, stored)).ok) stored = skipped;
      if (decided.note) notes.push(`skipped: ${decided.note}`);
    }
  }

  /**
   * Reads the target, or the decision to record when it cannot be read (an API error): every
   * evaluation ends in a record, and nothing is done without the ladder state.
   */
  async function readOrRecord(target: TargetRef, request: LadderRequest, signal: AbortSignal | undefined): Promise<TargetStatus | { decided: Decided }> {
    try {
      return await executor.readTarget(target, signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      const decided: Decided = {
        decision: 'suppressed',
        suppressedReason: 'state-unavailable',
        state: { attempt: 0 },
        note: `${errorMessage(error)}; nothing is done without the ladder state`,
        ...(request.kind !== 'evaluate' ? { byOperator: true } : {}),
      };
      return { decided };
    }
  }

  /** Attaches the diagnosis to the decision (for the record). */
  function withDiagnosis(decided: Decided, diagnosis: Diagnosis | undefined): Decided {
    return diagnosis ? { ...decided, diagnosis } : decided;
  }

  /** Runs one decision holding the target's lock, or records `in-flight` when another holds it. */
  async function exclusively(target: TargetRef, threshold: number, look: Look, request: LadderRequest, signal: AbortSignal | undefined): Promise<Decided> {
    const key = targetKey(target);
    if (inFlightTargets.has(key)) {
      const read = await readOrRecord(target, request, signal);
      return 'decided' in read ? read.decided : inFlight(read.state, request);
    }
    inFlightTargets.add(key);
    try {
      return await decideAndAct(target, threshold, look, request, signal);
    } finally {
      inFlightTargets.delete(key);
    }
  }

  async function run(target: TargetRef, request: LadderRequest, signal: AbortSignal | undefined, prefetched?: FeatureObservation): Promise<DecisionRecord> {
    const startedAt = clock.now();
    const threshold = thresholdForTarget(policy, target);
    const look = await looker.look(target, threshold, signal, prefetched);
    return record(target, startedAt, look, await exclusively(target, threshold, look, request, signal));
  }

  async function reset(target: TargetRef, reason: string | undefined, signal: AbortSignal | undefined): Promise<DecisionRecord> {
    const key = targetKey(target);
    const startedAt = clock.now();
    const look = await looker.look(target, thresholdForTarget(policy, target), signal);
    if (inFlightTargets.has(key)) {
      throw new HealingError(`cannot reset ${key} while an evaluation is deciding or acting on it; try again in a moment`, { component: COMPONENT, retryable: true });
    }
    inFlightTargets.add(key);
    let decided: Decided;
    try {
      const previous = (await executor.readTarget(target, signal)).state;
      const now = clock.now();
      const next = decide({ state: previous, assessment: look.assessment, now, policy, circuit: circuit.state(now), request: { kind: 'reset', ...(reason ? { reason } : {}) } });
      if (next.kind !== 'settle') throw new HealingError('the ladder answered a reset with a step', { component: COMPONENT });
      // Written even in dry-run: the operator asked for it explicitly.
      await executor.clearState(target, signal);
      decided = { ...next.decided, note: `was ${stepLabel(previous.attempt, maxAttempts, previous.lastStep)}${reason ? `; reason: ${reason}` : ''}` };
    } finally {
      inFlightTargets.delete(key);
    }
    return record(target, startedAt, look, decided);
  }

  async function inspect(target: TargetRef, signal: AbortSignal | undefined): Promise<TargetInspection> {
    const startedAt = clock.now();
    const look = await looker.look(target, thresholdForTarget(policy, target), signal);
    const { state } = await executor.readTarget(target, signal);
    await circuit.refresh(clock.now(), signal);
    const now = clock.now();
    return {
      target,
      time: isoTime(startedAt),
      features: { ...look.observation.values },
      missing: [...look.observation.missing],
      assessment: look.assessment,
      state,
      ladder: ladderPosition(state, policy, now, state.attempt > 0 && state.lastActionAt !== undefined && state.lastActionAt + policy.recheckDelayMs > now),
      circuit: circuit.state(now),
    };
  }

  return {
    evaluate: (target, signal, prefetched) => run(target, { kind: 'evaluate' }, signal, prefetched),
    healNow: (target, request, signal) => run(target, request, signal),
    reset,
    inspect,
  };
}

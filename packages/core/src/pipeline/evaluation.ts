/**
 * One evaluation of one target, the way every entry point runs it: look → read what holds the
 * target (pauses, a maintenance window) → (holding the target's in-flight lock) read the state and
 * the rollout → settle a claim nobody reported back → the ladder decides → save what changed → take
 * the step if one is due → build the record → publish it. The loop (`evaluate`), the operator's
 * `healNow` and `resetTarget`, and `inspect` differ only in the request they hand the ladder. Every
 * evaluation ends in a record, even when the state cannot be read (`suppressed`/`state-unavailable`).
 *
 * Why the in-flight lock spans from reading the state to saving it: two evaluations of one target
 * at once (the loop and an operator, or two overlapping rounds) would both read attempt n and both
 * take step n+1. The second one is recorded as `suppressed`/`in-flight` instead. Across processes
 * the same is done by the claim (`take-step.ts`) and by writing the state only over the state read.
 *
 * Why the holds are read before the lock and handed to the ladder: a held target is a suppression
 * the ladder decides (`pause-rule.ts`) before any fence check, breaker slot or claim is attempted,
 * so a pause or maintenance window never costs a slot or writes a claim. While held, the loop does
 * not even clear a claim nobody reported back: it stays counted and is settled once the hold ends.
 *
 * Each target is judged by its own policy (`policyForTarget`: its threshold, allowed steps and
 * strategy from its overrides), the same in every entry point.
 */
import { errorMessage, HealingError } from '../errors.js';
import type { DecisionRecord } from '../decision.js';
import type { PauseSource } from '../interfaces/pause-source.js';
import type { Hold, PauseStatus } from '../pause.js';
import { targetKey, type TargetRef } from '../target.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { Diagnosis } from '../decision.js';
import { buildRecord } from './decision-record.js';
import { diagnose } from './diagnose.js';
import { decide, inFlight, ladderPosition, skipRefused, type Decided, type LadderRequest } from './ladder.js';
import type { HealingState } from '../healing.js';
import type { TargetStatus } from '../interfaces/healer.js';
import type { Look, Looker } from './look.js';
import { rolloutGuard } from './ladder-guards.js';
import { holdsFor } from './pause-rule.js';
import { policyForTarget, type Policy, type TargetOverrides } from './policy.js';
import type { Publisher } from './publisher.js';
import type { StepExecutor } from './take-step.js';
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
  /** Where operators' pause marks are read; without one, only `policy.pause` and the maintenance windows hold. */
  pauses?: PauseSource | undefined;
  /** A target's own overrides (threshold, allowed steps, strategy), e.g. from its annotations. */
  overridesFor?: ((target: TargetRef) => TargetOverrides | undefined) | undefined;
}

/** The evaluations, one per kind of request. */
export interface Evaluator {
  /** The loop's evaluation; `prefetched` is the target's look from a round's batch (collected and scored for the whole round). */
  evaluate(target: TargetRef, signal: AbortSignal | undefined, prefetched?: Look): Promise<DecisionRecord>;
  /** The operator's step (`request.kind === 'heal-now'`). */
  healNow(target: TargetRef, request: Extract<LadderRequest, { kind: 'heal-now' }>, signal: AbortSignal | undefined): Promise<DecisionRecord>;
  /** The operator's reset: rejects (retryable) while the target is in flight or when the state cannot be written. */
  reset(target: TargetRef, reason: string | undefined, signal: AbortSignal | undefined): Promise<DecisionRecord>;
  /** Looks and reads the state; decides and changes nothing. */
  inspect(target: TargetRef, signal: AbortSignal | undefined): Promise<TargetInspection>;
  /** The policy that judges `target` (its overrides applied). Throws a `ConfigError` for overrides that leave no step. */
  policyFor(target: TargetRef): Policy;
}

/**
 * Creates the evaluator.
 *
 * @example
 * const evaluator = createEvaluator({ policy, looker, executor, circuit, publisher, clock, nextId });
 * const record = await evaluator.evaluate(target, signal);
 */
export function createEvaluator(parts: EvaluatorParts): Evaluator {
  const { policy, looker, executor, circuit, publisher, clock, nextId, identity, pauses, overridesFor } = parts;
  // Targets with an evaluation between "read the state" and "state written": at most one action per target.
  const inFlightTargets = new Set<string>();

  const policyFor = (target: TargetRef): Policy => policyForTarget(policy, target, overridesFor?.(target));

  /** The pauses of a target; a source that fails leaves the target held (`pause-unknown`), never free. */
  async function readPauses(target: TargetRef, signal: AbortSignal | undefined): Promise<PauseStatus | undefined> {
    if (!pauses) return undefined;
    try {
      return await pauses.pauseOf(target, { signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      return { pauses: [], unavailable: `pause source "${pauses.name}" failed: ${errorMessage(error)}` };
    }
  }

  async function holdsOf(target: TargetRef, signal: AbortSignal | undefined): Promise<Hold[]> {
    return holdsFor({ pauses: await readPauses(target, signal), policyPause: policy.pause, maintenanceWindows: policy.maintenanceWindows, now: clock.now() });
  }

  async function record(target: TargetRef, targetPolicy: Policy, startedAt: number, look: Look, decided: Decided, holds: readonly Hold[]): Promise<DecisionRecord> {
    const now = clock.now();
    const built = buildRecord({ id: nextId(startedAt), target, startedAt, now, look, circuit: circuit.state(now), policy: targetPolicy, holds }, decided);
    publisher.publish(built);
    return built;
  }

  /**
   * Reads the state, lets the ladder decide, saves what changed and takes a due step. A step the
   * healer refuses on purpose is skipped for the episode and the ladder asked again at once (at most
   * once per rung), so the loop never asks for the same refused step at every evaluation.
   */
  async function decideAndAct(target: TargetRef, policy: Policy, holds: readonly Hold[], look: Look, request: LadderRequest, signal: AbortSignal | undefined): Promise<Decided> {
    const read = await readOrRecord(target, request, signal);
    if ('decided' in read) return read.decided;
    const { workload } = read;
    // A hold changes nothing, not even a dead claim (its attempt is counted already); only an
    // operator's forced step passes it, and then acts over the settled state like the loop.
    const mayWrite = holds.length === 0 || (request.kind === 'heal-now' && request.force);
    // A claim nobody reported back is settled first: its attempt counts, its step is never repeated.
    const recovered = mayWrite ? await executor.recoverIntent(target, read.state, policy.ladder.length, signal) : { state: read.state };
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
        holds,
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
      const decided = await executor.take(target, due, policy, signal);
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
  async function exclusively(target: TargetRef, targetPolicy: Policy, holds: readonly Hold[], look: Look, request: LadderRequest, signal: AbortSignal | undefined): Promise<Decided> {
    const key = targetKey(target);
    if (inFlightTargets.has(key)) {
      const read = await readOrRecord(target, request, signal);
      return 'decided' in read ? read.decided : inFlight(read.state, request);
    }
    inFlightTargets.add(key);
    try {
      return await decideAndAct(target, targetPolicy, holds, look, request, signal);
    } finally {
      inFlightTargets.delete(key);
    }
  }

  async function run(target: TargetRef, request: LadderRequest, signal: AbortSignal | undefined, prefetched?: Look): Promise<DecisionRecord> {
    const startedAt = clock.now();
    const targetPolicy = policyFor(target);
    // A round's look was judged at the same threshold (the loop asks `policyFor` too).
    const look = prefetched ?? (await looker.look(target, targetPolicy.threshold, signal));
    const holds = await holdsOf(target, signal);
    return record(target, targetPolicy, startedAt, look, await exclusively(target, targetPolicy, holds, look, request, signal), holds);
  }

  async function reset(target: TargetRef, reason: string | undefined, signal: AbortSignal | undefined): Promise<DecisionRecord> {
    const key = targetKey(target);
    const startedAt = clock.now();
    const targetPolicy = policyFor(target);
    const look = await looker.look(target, targetPolicy.threshold, signal);
    const holds = await holdsOf(target, signal);
    if (inFlightTargets.has(key)) {
      throw new HealingError(`cannot reset ${key} while an evaluation is deciding or acting on it; try again in a moment`, { component: COMPONENT, retryable: true });
    }
    inFlightTargets.add(key);
    let decided: Decided;
    try {
      const previous = (await executor.readTarget(target, signal)).state;
      const now = clock.now();
      const next = decide({ state: previous, assessment: look.assessment, now, policy: targetPolicy, circuit: circuit.state(now), request: { kind: 'reset', ...(reason ? { reason } : {}) } });
      if (next.kind !== 'settle') throw new HealingError('the ladder answered a reset with a step', { component: COMPONENT });
      // Written even in dry-run: the operator asked for it explicitly.
      await executor.clearState(target, signal);
      decided = { ...next.decided, note: `was ${stepLabel(previous.attempt, targetPolicy.ladder.length, previous.lastStep)}${reason ? `; reason: ${reason}` : ''}` };
    } finally {
      inFlightTargets.delete(key);
    }
    return record(target, targetPolicy, startedAt, look, decided, holds);
  }

  async function inspect(target: TargetRef, signal: AbortSignal | undefined): Promise<TargetInspection> {
    const startedAt = clock.now();
    const targetPolicy = policyFor(target);
    const look = await looker.look(target, targetPolicy.threshold, signal);
    const holds = await holdsOf(target, signal);
    const { state, workload } = await executor.readTarget(target, signal);
    await circuit.refresh(clock.now(), signal);
    const now = clock.now();
    const rollingOut = targetPolicy.rolloutGuard ? rolloutGuard(workload, now) : undefined;
    return {
      target,
      time: isoTime(startedAt),
      features: { ...look.observation.values },
      missing: [...look.observation.missing],
      assessment: look.assessment,
      state,
      ladder: ladderPosition(state, targetPolicy, now, state.attempt > 0 && state.lastActionAt !== undefined && state.lastActionAt + targetPolicy.recheckDelayMs > now),
      circuit: circuit.state(now),
      holds,
      ...(rollingOut !== undefined ? { rollingOut } : {}),
    };
  }

  return {
    evaluate: (target, signal, prefetched) => run(target, { kind: 'evaluate' }, signal, prefetched),
    healNow: (target, request, signal) => run(target, request, signal),
    reset,
    inspect,
    policyFor,
  };
}

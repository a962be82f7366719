/**
 * The healing ladder as a pure function: given the persisted state, the verdict of a look, the time,
 * the policy and the circuit breaker, what happens next. No I/O, no clock, no healer: every rule of
 * the state machine in `docs/architecture.md` is a line here and is tested here without I/O.
 *
 * Why one function for every caller: the watch loop, the operator's `healNow`, `resetTarget` and
 * `inspect` must follow the same rules. Where an operator may differ (`force` passes some rules; a
 * named step), the difference is a field of the request, not a second copy of the rules.
 *
 * Why it is one file of about 470 lines: it is the rules table, read top to bottom against
 * the diagram; what could stand alone already does (the whole-target guards in `ladder-guards.ts`,
 * the holds in `pause-rule.ts`), and splitting the table itself would split the diagram.
 *
 * What stays outside: the effects (re-validating, planning, the dry-run stop, taking a breaker slot,
 * applying, saving) are `take-step.ts`; the ladder only says which of them to attempt, and
 * {@link stepStopped} and {@link stateAfterStep} say what their results mean.
 *
 * The state machine (attempt n of the persisted `HealingState` means n steps taken this episode):
 * - another process's claim on the target still live → `suppressed`/`in-flight` (naming the holder);
 * - held (paused, or in a maintenance window: `input.holds`) and the ladder would act or write, or
 *   the target is at risk → `suppressed`/`paused` or `maintenance`, nothing saved (`pause-rule.ts`);
 * - unknown verdict → `suppressed`/`unknown` (never act on what cannot be seen);
 * - within `recheckDelayMs` of the last step → `awaiting-recheck`;
 * - healthy, attempt 0 → `none`; healthy after a step → `kept` (once), then quiet `none`, then
 *   `reset` after `healthyResetMs` of continuous health;
 * - at risk but still starting or rolling out (not stalled) → `suppressed`/`rolling-out`;
 * - at risk with a diagnosis that names no step (`outside-pods`, strategy diagnose) → `handoff`
 *   (once, with the diagnosis' evidence) before the ceiling; healthy after that without a step →
 *   quiet `none`, then `reset` after `healthyResetMs`;
 * - at risk: the healthy period is broken; after the last step → `handoff` (once), then
 *   `suppressed`/`ceiling-reached`; in the cooldown → `cooldown`; breaker open → `circuit-open`;
 *   otherwise step `ladder[attempt]` is due.
 */
import type { RiskAssessment } from '../assessment.js';
import type { DecisionKind, Diagnosis, SuppressedReason } from '../decision.js';
import { healStepSchema, type HealingState, type HealOutcome, type HealPlan, type HealStep, type HealStepKind } from '../healing.js';
import type { WorkloadStatus } from '../workload.js';
import type { CircuitState } from './circuit-breaker.js';
import { claimedElsewhere, intentLive, rolloutGuard } from './ladder-guards.js';
import { describeHold, type Hold } from '../pause.js';
import { applyHolds, holdReason } from './pause-rule.js';
import type { Policy } from './policy.js';
import { describeRisk, isoTime, stepLabel } from './words.js';

/** The parts of the policy the ladder reads. */
export type LadderPolicy = Pick<Policy, 'strategy' | 'ladder' | 'keep' | 'recheckDelayMs' | 'cooldownMs' | 'healthyResetMs' | 'dryRun' | 'revalidateBeforeAction' | 'circuitBreaker' | 'rolloutGuard'>;

/** Who asks, and for what. */
export type LadderRequest =
  /** The automatic loop (`evaluate`, `watch`, `runOnce`). */
  | { kind: 'evaluate' }
  /**
   * An operator's "heal this now". `force` passes the overridable rules (paused, maintenance,
   * unknown, recovered, cooldown, circuit-open, ceiling-reached), never in-flight (a live claim),
   * the fence (`not-leader`), an unreadable state, the healer's refusal or dry-run.
   */
  | { kind: 'heal-now'; step?: HealStepKind; force: boolean; dryRun: boolean; reason?: string }
  /** An operator's reset: the episode ends, the attempt count goes back to 0. */
  | { kind: 'reset'; reason?: string };

/** Everything the ladder decides from. */
export interface LadderInput {
  state: HealingState;
  /** The judgement of the look this decision is about. */
  assessment: Pick<RiskAssessment, 'verdict' | 'probability' | 'threshold' | 'reason'>;
  /** The diagnosis of the trouble (strategy `diagnose`), when the target is at risk. */
  diagnosis?: Diagnosis;
  /** Epoch ms. */
  now: number;
  policy: LadderPolicy;
  circuit: CircuitState;
  request: LadderRequest;
  /** The workload's rollout, when the healer reports it (the rollout guard). */
  workload?: WorkloadStatus;
  /** Who decides: a claim held by anyone else and still live makes the target `in-flight`. */
  identity?: string;
  /** What holds the target (pauses, a maintenance window), most specific first; see `pause-rule.ts`. */
  holds?: readonly Hold[];
}

/** What the state machine decided, before it becomes a DecisionRecord. */
export interface Decided {
  decision: DecisionKind;
  suppressedReason?: SuppressedReason;
  /** The ladder state after the decision. */
  state: HealingState;
  action?: { step: HealStepKind; plan: HealPlan; outcome?: HealOutcome };
  /** Extra words for the summary (why it was suppressed, when the reset is due, ...). */
  note?: string;
  /** Set for a reset or a step asked for by an operator rather than decided by the loop. */
  byOperator?: boolean;
  /** Overrides `policy.dryRun` in the record (an operator's dry-run of one step). */
  dryRun?: boolean;
  /** When to look again, if not the re-check after the last step (holding before `kept`). */
  recheckAt?: number;
  /** Set when the healer refused the step on purpose: the ladder skips it and moves on. */
  refusedOnPurpose?: boolean;
  /** The diagnosis of the look, shown in the record whether or not it chose the step. */
  diagnosis?: Diagnosis;
  /** Set on `kept` when the policy wants the episode's scale-ups put back (`keep.undoScaleUp`). */
  undoScaleUp?: boolean;
}

/** What to persist before the decision is recorded. */
export type StateChange = 'none' | 'write' | 'clear';

/** A step is due: the rules the ladder can judge without I/O all let it through. */
export interface StepDue {
  step: HealStep;
  /** The attempt the step will be (1-based). */
  attempt: number;
  /** The state the step starts from. */
  state: HealingState;
  /** Look again right before acting and stop if the target recovered or cannot be judged. */
  revalidate: boolean;
  /** Plan and record only. */
  dryRun: boolean;
  /** Set when an operator asked; `force` also passes a breaker that filled up while planning. */
  operator?: { force: boolean; reason?: string };
  /** The rules `force` passed, named in the summary. */
  overridden: SuppressedReason[];
  /** Set when the diagnosis chose the step (rather than the ladder's order). */
  diagnosis?: Diagnosis;
}

/** The ladder's answer: settle on a decision, or take a step (after the effects in `take-step.ts`). */
export type LadderDecision = { kind: 'settle'; decided: Decided; save: StateChange } | { kind: 'step'; due: StepDue; save: StateChange };

/** The state right after a step was applied (or failed: a failed step still counts as an attempt). */
export function stateAfterStep(due: Pick<StepDue, 'attempt' | 'step' | 'state'>, actedAt: number, policy: Pick<LadderPolicy, 'ladder'>): HealingState {
  const { skipped, worked } = due.state;
  return {
    attempt: due.attempt,
    lastActionAt: actedAt,
    lastStep: due.step.kind,
    steps: [...stepsTaken(due.state, policy), due.step.kind],
    ...(skipped ? { skipped } : {}),
    ...(worked ? { worked } : {}),
    keptNotified: false,
    handoffNotified: false,
  };
}

/**
 * A due step that an effect stopped (re-validation, the healer's refusal, dry-run, a breaker that
 * filled up meanwhile) or that a rule stopped: a `suppressed` decision naming the step and why.
 */
export function stepStopped(due: StepDue, reason: SuppressedReason, why: string, maxAttempts: number, action?: Decided['action']): Decided {
  const who = due.operator ? ' by an operator' : '';
  const reasonNote = due.operator?.reason ? `; reason: ${due.operator.reason}` : '';
  return {
    decision: 'suppressed',
    suppressedReason: reason,
    state: due.state,
    note: `${stepLabel(due.attempt, maxAttempts, due.step.kind)}${who} not taken: ${why}${reasonNote}`,
    ...(due.operator ? { byOperator: true } : {}),
    ...(due.operator && due.dryRun ? { dryRun: true } : {}),
    ...(action ? { action } : {}),
  };
}

/** The decision for an evaluation that found another one deciding or acting on the same target. */
export function inFlight(state: HealingState, request: LadderRequest): Decided {
  const operator = request.kind !== 'evaluate';
  return {
    decision: 'suppressed',
    suppressedReason: 'in-flight',
    state,
    note: operator ? 'another evaluation of this target is still deciding or acting; try again in a moment' : 'another evaluation of this target is still deciding or acting',
    ...(operator ? { byOperator: true } : {}),
  };
}

/** The settings of a step kind: the ladder's own when the kind is in the ladder, else the defaults. */
export function stepOfKind(policy: Pick<LadderPolicy, 'ladder'>, kind: HealStepKind): HealStep {
  return policy.ladder.find((step) => step.kind === kind) ?? healStepSchema.parse({ kind });
}

/** Where the target stands on the ladder: for records and `inspect`. */
export function ladderPosition(state: HealingState, policy: Pick<LadderPolicy, 'ladder' | 'cooldownMs' | 'recheckDelayMs'>, now: number, recheckPending: boolean, recheckAt?: number) {
  const position: { attempt: number; maxAttempts: number; nextStep: HealStepKind | null; cooldownUntil?: number; recheckAt?: number } = {
    attempt: state.attempt,
    maxAttempts: policy.ladder.length,
    nextStep: state.attempt < policy.ladder.length ? (nextStep(state, policy)?.kind ?? null) : null,
  };
  if (state.lastActionAt !== undefined && state.lastActionAt + policy.cooldownMs > now) position.cooldownUntil = state.lastActionAt + policy.cooldownMs;
  if (recheckAt !== undefined) position.recheckAt = recheckAt;
  else if (recheckPending && state.lastActionAt !== undefined) position.recheckAt = state.lastActionAt + policy.recheckDelayMs;
  return position;
}

/** Whether a re-check is still pending at `now` (a step ran less than `recheckDelayMs` ago). */
export function awaitingRecheck(state: HealingState, policy: Pick<LadderPolicy, 'recheckDelayMs'>, now: number): boolean {
  return state.attempt > 0 && state.lastActionAt !== undefined && now < state.lastActionAt + policy.recheckDelayMs;
}

/** A rule that can stop a due step, with the words that explain it. */
interface StepRule {
  reason: SuppressedReason;
  applies: boolean;
  why: () => string;
}

function circuitWords(circuit: CircuitState, windowMs: number): string {
  return `circuit breaker open (${circuit.actionsInWindow}/${circuit.maxActions} steps in the last ${windowMs} ms)`;
}

function cooldownRule(state: HealingState, policy: LadderPolicy, now: number): StepRule {
  return {
    reason: 'cooldown',
    applies: state.lastActionAt !== undefined && now < state.lastActionAt + policy.cooldownMs,
    why: () => `cooldown until ${isoTime((state.lastActionAt ?? 0) + policy.cooldownMs)}`,
  };
}

function circuitRule(circuit: CircuitState, policy: LadderPolicy): StepRule {
  return { reason: 'circuit-open', applies: circuit.open, why: () => circuitWords(circuit, policy.circuitBreaker.windowMs) };
}

/**
 * The kinds of the steps taken this episode. A state written before `steps` existed took the first
 * `attempt` rungs of the ladder in order.
 */
export function stepsTaken(state: HealingState, policy: Pick<LadderPolicy, 'ladder'>): HealStepKind[] {
  return state.steps ?? policy.ladder.slice(0, state.attempt).map((step) => step.kind);
}

/**
 * The step kinds a diagnosis may choose: the ladder's own, and `scale` when a ladder step already
 * scales up (scaling alone is a part of what that step would do, never more).
 */
export function diagnosableKinds(policy: Pick<LadderPolicy, 'ladder'>): Set<HealStepKind> {
  const kinds = new Set<HealStepKind>(policy.ladder.map((step) => step.kind));
  if (policy.ladder.some((step) => (step.kind === 'restart' || step.kind === 'cache') && step.scaleUp !== false && step.scaleUp.by > 0)) kinds.add('scale');
  return kinds;
}

/** The settings of a diagnosed step: the ladder's own, or for `scale` the scale-up of the ladder's first scaling step. */
function diagnosedStep(policy: Pick<LadderPolicy, 'ladder'>, kind: HealStepKind): HealStep {
  if (kind === 'scale' && !policy.ladder.some((step) => step.kind === 'scale')) {
    for (const step of policy.ladder) {
      if ((step.kind === 'restart' || step.kind === 'cache') && step.scaleUp !== false) return { kind: 'scale', by: Math.max(1, step.scaleUp.by), maxReplicas: step.scaleUp.maxReplicas };
    }
  }
  return stepOfKind(policy, kind);
}

/**
 * The next step of the episode. With strategy `diagnose` and a diagnosis that names a step the
 * policy allows and this episode has not yet taken (or that worked before the relapse) nor seen
 * refused, that step. Otherwise, with strategy `diagnose`, after a relapse of a step that was kept
 * (it held for the whole keep window), that step again: it fixed this trouble once, and the next
 * rung would be a guess the signals did not make (a cache that grows back is cleared again, not
 * rolled back), unless its pods now crash (`crashLoop`: the step did not fix the cause). Otherwise the first rung of the ladder not yet consumed (taken or refused —
 * counted per kind, so a ladder may repeat a kind), else the step that worked before the relapse (a
 * cache clear that held for a while is worth more than handing off), else none. A relapse inside
 * the keep window (the step never held) climbs the ladder, as before.
 */
export function nextStep(state: HealingState, policy: Pick<LadderPolicy, 'ladder'> & Partial<Pick<LadderPolicy, 'strategy'>>, diagnosis?: Diagnosis): HealStep | undefined {
  const taken = stepsTaken(state, policy);
  const skipped = state.skipped ?? [];
  const named = diagnosis?.step;
  if (policy.strategy !== 'ladder' && handsOff(diagnosis)) return undefined;
  if (policy.strategy !== 'ladder' && named !== undefined && diagnosableKinds(policy).has(named) && !skipped.includes(named) && (!taken.includes(named) || state.worked === named)) {
    return diagnosedStep(policy, named);
  }
  // Not when the trouble is back as a crash loop: the kept step restarted pods that crash again, so
  // it did not fix the cause (a flapping bad release is kept after a restart, then relapses; the
  // outcome benchmark's reactive policy repeated restarts on bad configs until the ceiling).
  if (policy.strategy !== 'ladder' && relapsedAfterKept(state) && !diagnosis?.crashLoop && !skipped.includes(state.worked!)) return diagnosedStep(policy, state.worked!);
  const consumed = [...taken, ...skipped];
  const seen = new Map<HealStepKind, number>();
  for (const rung of policy.ladder) {
    const needed = (seen.get(rung.kind) ?? 0) + 1;
    seen.set(rung.kind, needed);
    if (consumed.filter((kind) => kind === rung.kind).length < needed) return rung;
  }
  if (state.worked !== undefined && !skipped.includes(state.worked)) return stepOfKind(policy, state.worked);
  return undefined;
}

/**
 * A confident diagnosis that names no step (`outside-pods`): nothing the ladder changes is in
 * trouble, so every step left would be a wrong one and the target goes to a human instead.
 */
export function handsOff(diagnosis: Diagnosis | undefined): diagnosis is Diagnosis {
  return diagnosis !== undefined && diagnosis.cause !== 'unclear' && diagnosis.step === undefined;
}

/** The last step was kept (it held through the keep window) and the target is at risk again. */
function relapsedAfterKept(state: HealingState): boolean {
  return state.keptNotified === true && state.worked !== undefined && state.worked === state.lastStep;
}

/** Healthy after a step: held until it counts as kept, kept once, quiet, reset at the end of the healthy period. */
function whenHealthy(state: HealingState, policy: LadderPolicy, now: number): LadderDecision {
  if (state.attempt === 0 && !state.handoffNotified) return { kind: 'settle', decided: { decision: 'none', state }, save: 'none' };
  const healthySince = state.healthySince ?? now;
  if (now - healthySince >= policy.healthyResetMs) {
    return { kind: 'settle', decided: { decision: 'reset', state: { attempt: 0 } }, save: 'clear' };
  }
  if (state.attempt === 0) {
    // Handed off without a step (no step could help): nothing to keep. Quiet until healthy for
    // healthyResetMs, then reset, so the next trouble is judged (and handed off) afresh.
    const next: HealingState = { ...state, healthySince };
    return { kind: 'settle', decided: { decision: 'none', state: next, note: `handed off; cleared at ${isoTime(healthySince + policy.healthyResetMs)} if it stays healthy` }, save: next.healthySince !== state.healthySince ? 'write' : 'none' };
  }
  const resetNote = `the attempt count resets at ${isoTime(healthySince + policy.healthyResetMs)} if it stays healthy`;
  if (state.keptNotified) {
    // Kept already: quiet (`none`) until the reset; the state changes only when the streak starts.
    const next: HealingState = { ...state, healthySince };
    return { kind: 'settle', decided: { decision: 'none', state: next, note: resetNote }, save: next.healthySince !== state.healthySince ? 'write' : 'none' };
  }

  const { healthyEvaluations, minHealthyMs } = policy.keep;
  const healthyCount = (state.healthyCount ?? 0) + 1;
  if (healthyCount >= healthyEvaluations && now - healthySince >= minHealthyMs) {
    const kept: HealingState = { ...state, healthySince, healthyCount, keptNotified: true, ...(state.lastStep ? { worked: state.lastStep } : {}) };
    return { kind: 'settle', decided: { decision: 'kept', state: kept, note: resetNote, ...(policy.keep.undoScaleUp ? { undoScaleUp: true } : {}) }, save: 'write' };
  }
  // Holding: healthy, but not yet long enough to call the step a success. A relapse now escalates.
  const interval = healthyEvaluations > 1 ? minHealthyMs / (healthyEvaluations - 1) : minHealthyMs;
  const recheckAt = healthyCount >= healthyEvaluations ? healthySince + minHealthyMs : now + Math.max(1_000, interval);
  const holding: HealingState = { ...state, healthySince, healthyCount };
  const note = `healthy at ${healthyCount} of ${healthyEvaluations} evaluations since ${isoTime(healthySince)}; kept once healthy ${healthyEvaluations} times over at least ${minHealthyMs / 1000} s`;
  return { kind: 'settle', decided: { decision: 'awaiting-recheck', state: holding, note, recheckAt }, save: 'write' };
}

/** At risk in the loop: the next step is due unless none is left, the cooldown or the breaker stops it. */
function whenAtRisk(stored: HealingState, input: LadderInput): LadderDecision {
  const { policy, now, circuit } = input;
  const maxAttempts = policy.ladder.length;
  // Not judged at all while starting or rolling out: nothing changes, not even the healthy streak.
  const rolling = policy.rolloutGuard ? rolloutGuard(input.workload, now) : undefined;
  if (rolling !== undefined) {
    return { kind: 'settle', decided: { decision: 'suppressed', suppressedReason: 'rolling-out', state: stored, note: `not judged: ${rolling}` }, save: 'none' };
  }
  // The healthy streak is broken: the reset timer and the hold start again at the next healthy evaluation.
  let state = stored;
  let save: StateChange = 'none';
  if (state.healthySince !== undefined || state.healthyCount !== undefined) {
    const { healthySince: _since, healthyCount: _count, ...rest } = state;
    state = rest;
    save = 'write';
  }

  // Handed off before the last step (a diagnosis ruled every step out): a look that names no step
  // (unclear: a pod not ready for a moment) does not take the ladder back up; a diagnosed step does.
  const handedOffEarly = state.handoffNotified === true && state.attempt < maxAttempts && policy.strategy !== 'ladder';
  const stays = handedOffEarly && input.diagnosis?.step === undefined;
  const step = state.attempt < maxAttempts && !stays ? nextStep(state, policy, input.diagnosis) : undefined;
  if (step === undefined) {
    // A diagnosis that rules out every step hands off before the ceiling: its words say why.
    const noRemedy = state.attempt < maxAttempts && policy.strategy !== 'ladder' && handsOff(input.diagnosis) ? input.diagnosis : undefined;
    if (state.handoffNotified) {
      const note = noRemedy
        ? `no step of the ladder can help (${noRemedy.cause}); waiting for a human`
        : handedOffEarly
          ? 'handed off before the last step; no diagnosis names a step; waiting for a human'
          : 'every step of the ladder was tried; waiting for a human';
      return { kind: 'settle', decided: { decision: 'suppressed', suppressedReason: 'ceiling-reached', state, note }, save };
    }
    const refused = state.skipped?.length ? `; refused by the healer: ${state.skipped.join(', ')}` : '';
    const note = noRemedy ? `no step of the ladder can help: ${noRemedy.evidence.join('; ')}${refused}` : refused ? `no step left to try${refused}` : undefined;
    return { kind: 'settle', decided: { decision: 'handoff', state: { ...state, handoffNotified: true }, ...(note ? { note } : {}) }, save: 'write' };
  }

  const diagnosed = input.diagnosis?.step === step.kind && policy.strategy !== 'ladder' ? { diagnosis: input.diagnosis } : {};
  const due: StepDue = { step, attempt: state.attempt + 1, state, revalidate: policy.revalidateBeforeAction, dryRun: policy.dryRun, overridden: [], ...diagnosed };
  for (const rule of [cooldownRule(state, policy, now), circuitRule(circuit, policy)]) {
    if (rule.applies) return { kind: 'settle', decided: stepStopped(due, rule.reason, rule.why(), maxAttempts), save };
  }
  return { kind: 'step', due, save };
}

/**
 * The state after the healer refused a due step on purpose (no earlier release, a paused
 * Deployment, forbidden): the step is skipped for the rest of the episode, so the ladder moves on
 * to the next one — or hands off — instead of asking again at every evaluation.
 */
export function skipRefused(state: HealingState, kind: HealStepKind): HealingState {
  return { ...state, skipped: [...(state.skipped ?? []), kind] };
}

/**
 * The operator's step: the loop's rules in one list, each of which `force` may pass (and is then
 * named). The look taken at the start of the call is the re-validation, so there is no second one.
 */
function healNow(input: LadderInput, request: Extract<LadderRequest, { kind: 'heal-now' }>): LadderDecision {
  const { state, policy, now, circuit, assessment } = input;
  const { verdict } = assessment;
  const maxAttempts = policy.ladder.length;
  // No named step and no step left: the ceiling. Forced, the last step of the ladder runs again,
  // as the last attempt: the count never goes past the ladder's length.
  // The loop's choice (the diagnosis, else the ladder), unless the operator names a step.
  // An operator asked for a step: a diagnosis that names none does not stand in the way of the ladder's choice.
  const ladderStep = state.attempt < maxAttempts ? nextStep(state, policy, handsOff(input.diagnosis) ? undefined : input.diagnosis) : undefined;
  const step = request.step !== undefined ? stepOfKind(policy, request.step) : (ladderStep ?? policy.ladder[maxAttempts - 1]!);
  const due: StepDue = {
    step,
    attempt: Math.min(state.attempt + 1, maxAttempts),
    state,
    revalidate: false,
    dryRun: request.dryRun || policy.dryRun,
    operator: { force: request.force, ...(request.reason ? { reason: request.reason } : {}) },
    overridden: [],
  };
  const hold = input.holds?.[0];
  const rules: StepRule[] = [
    { reason: hold ? holdReason(hold) : 'paused', applies: hold !== undefined, why: () => (hold ? describeHold(hold) : '') },
    { reason: 'unknown', applies: verdict === 'unknown', why: () => `the target cannot be judged (${describeRisk(assessment)})` },
    { reason: 'recovered', applies: verdict === 'healthy', why: () => `not at risk now (${describeRisk(assessment)})` },
    cooldownRule(state, policy, now),
    circuitRule(circuit, policy),
    {
      reason: 'ceiling-reached',
      applies: request.step === undefined && ladderStep === undefined,
      why: () => `every step of the ladder was tried (attempt ${state.attempt}/${maxAttempts}); name a step or reset the target`,
    },
  ];
  for (const rule of rules) {
    if (!rule.applies) continue;
    if (!request.force) return { kind: 'settle', decided: stepStopped(due, rule.reason, rule.why(), maxAttempts), save: 'none' };
    due.overridden.push(rule.reason);
  }
  return { kind: 'step', due, save: 'none' };
}

/**
 * The next decision for one target. Pure: the same input always gives the same answer.
 *
 * @example
 * const next = decide({ state, assessment: look.assessment, now, policy, circuit: breaker.state(now), request: { kind: 'evaluate' } });
 * if (next.kind === 'step') await takeStep(target, next.due);
 */
export function decide(input: LadderInput): LadderDecision {
  const { state, policy, now, request } = input;
  const { verdict } = input.assessment;
  // Another process claimed a step and may still be applying it: decide nothing, write nothing.
  if (request.kind !== 'reset' && intentLive(state.intent, now) && state.intent.holder !== input.identity) {
    return { kind: 'settle', decided: claimedElsewhere(state, state.intent, policy.ladder.length, request), save: 'none' };
  }
  switch (request.kind) {
    case 'reset':
      return { kind: 'settle', decided: { decision: 'reset', state: { attempt: 0 }, byOperator: true }, save: 'clear' };
    case 'heal-now':
      return healNow(input, request);
    case 'evaluate':
      return applyHolds(evaluate(input), input.holds ?? [], { stored: state, atRisk: verdict === 'at-risk', maxAttempts: policy.ladder.length });
  }
}

/** The loop's decision before holds. */
function evaluate(input: LadderInput): LadderDecision {
  const { state, policy, now } = input;
  const { verdict } = input.assessment;
  if (verdict === 'unknown') return { kind: 'settle', decided: { decision: 'suppressed', suppressedReason: 'unknown', state, note: 'never act on what cannot be seen' }, save: 'none' };
  if (awaitingRecheck(state, policy, now)) return { kind: 'settle', decided: { decision: 'awaiting-recheck', state }, save: 'none' };
  return verdict === 'healthy' ? whenHealthy(state, policy, now) : whenAtRisk(state, input);
}

/**
 * What the re-validation right before a step means: a target that recovered or can no longer be
 * judged is left alone. `undefined` when the step may go ahead.
 */
export function judgeRevalidation(fresh: LadderInput['assessment']): { reason: SuppressedReason; why: string } | undefined {
  if (fresh.verdict === 'unknown') return { reason: 'unknown', why: `re-validation could not judge the target: ${describeRisk(fresh)}` };
  if (fresh.verdict === 'healthy') return { reason: 'recovered', why: `re-validation found it healthy (${describeRisk(fresh)})` };
  return undefined;
}

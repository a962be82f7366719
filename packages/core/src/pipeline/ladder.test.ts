/**
 * The state machine of docs/architecture.md, transition by transition, and every rule that can stop
 * a step, on the pure ladder: no healer, no clock, no I/O.
 */
import { describe, expect, it } from 'vitest';
import type { HealingState } from '../healing.js';
import { awaitingRecheck, decide, inFlight, judgeRevalidation, ladderPosition, nextStep, skipRefused, stateAfterStep, stepsTaken, stepStopped, type LadderInput, type LadderRequest } from './ladder.js';
import { policySchema } from './policy.js';

const T = Date.parse('2026-01-01T00:00:00.000Z');
const policy = policySchema.parse({ recheckDelayMs: 120_000, cooldownMs: 120_000, healthyResetMs: 600_000 });
const closed = { open: false, actionsInWindow: 0, maxActions: 5 };
const open = { open: true, actionsInWindow: 5, maxActions: 5 };
const healthy = { verdict: 'healthy' as const, probability: 0.1, threshold: 0.5 };
const atRisk = { verdict: 'at-risk' as const, probability: 0.9, threshold: 0.5 };
const unknown = { verdict: 'unknown' as const, probability: null, threshold: 0.5, reason: 'missing features: cpu_usage_pct (no data)' };
const evaluate: LadderRequest = { kind: 'evaluate' };

function input(overrides: Partial<LadderInput> = {}): LadderInput {
  return { state: { attempt: 0 }, assessment: atRisk, now: T, policy, circuit: closed, request: evaluate, ...overrides };
}

/** A state `ago` ms after step `attempt` was taken. */
function after(attempt: number, ago: number, extra: Partial<HealingState> = {}): HealingState {
  const kinds = ['restart', 'cache', 'rollback'] as const;
  return { attempt, lastActionAt: T - ago, lastStep: kinds[attempt - 1]!, keptNotified: false, handoffNotified: false, ...extra };
}

describe('ladder: the transitions of the state diagram (the loop)', () => {
  const transitions: Array<{ name: string; given: Partial<LadderInput>; expect: Record<string, unknown> }> = [
    { name: 'Idle → Idle: healthy with no attempt is none', given: { assessment: healthy }, expect: { kind: 'settle', decided: { decision: 'none', state: { attempt: 0 } }, save: 'none' } },
    { name: 'Idle → Healing: at risk, step 1 of the ladder is due', given: {}, expect: { kind: 'step', due: { step: { kind: 'restart' }, attempt: 1, revalidate: true, dryRun: false, overridden: [] }, save: 'none' } },
    { name: 'Healing → Awaiting: before the re-check nothing is judged, at risk or healthy', given: { state: after(1, 60_000) }, expect: { kind: 'settle', decided: { decision: 'awaiting-recheck' }, save: 'none' } },
    { name: 'Awaiting → Healing: still at risk at the re-check escalates to the next step', given: { state: after(1, 120_000) }, expect: { kind: 'step', due: { step: { kind: 'cache' }, attempt: 2 } } },
    { name: 'Awaiting → Handoff: still at risk after the last step hands off once', given: { state: after(3, 120_000) }, expect: { kind: 'settle', decided: { decision: 'handoff', state: { attempt: 3, handoffNotified: true } }, save: 'write' } },
    { name: 'Awaiting → Holding: healthy at the re-check starts the hold, not yet kept', given: { state: after(1, 120_000), assessment: healthy }, expect: { kind: 'settle', decided: { decision: 'awaiting-recheck', state: { attempt: 1, healthySince: T, healthyCount: 1 }, recheckAt: T + 30_000 }, save: 'write' } },
    { name: 'Holding → Holding: healthy again, but fewer than keep.healthyEvaluations', given: { state: after(1, 150_000, { healthySince: T - 30_000, healthyCount: 1 }), assessment: healthy }, expect: { kind: 'settle', decided: { decision: 'awaiting-recheck', state: { healthyCount: 2, healthySince: T - 30_000 } }, save: 'write' } },
    { name: 'Holding → Holding: enough healthy evaluations, but spanning less than keep.minHealthyMs', given: { state: after(1, 150_000, { healthySince: T - 20_000, healthyCount: 2 }), assessment: healthy }, expect: { kind: 'settle', decided: { decision: 'awaiting-recheck', state: { healthyCount: 3 }, recheckAt: T + 40_000 } } },
    { name: 'Holding → Kept: healthy keep.healthyEvaluations times over keep.minHealthyMs keeps the step, once', given: { state: after(1, 180_000, { healthySince: T - 60_000, healthyCount: 2 }), assessment: healthy }, expect: { kind: 'settle', decided: { decision: 'kept', state: { attempt: 1, healthySince: T - 60_000, healthyCount: 3, keptNotified: true, worked: 'restart' } }, save: 'write' } },
    { name: 'Holding → Healing: a relapse while holding escalates (the step did not hold)', given: { state: after(1, 150_000, { healthySince: T - 30_000, healthyCount: 2 }) }, expect: { kind: 'step', due: { step: { kind: 'cache' }, attempt: 2 }, save: 'write' } },
    { name: 'Awaiting → Kept at once with keep { healthyEvaluations: 1, minHealthyMs: 0 } (the original behaviour)', given: { state: after(1, 120_000), assessment: healthy, policy: { ...policy, keep: { healthyEvaluations: 1, minHealthyMs: 0, undoScaleUp: true } } }, expect: { kind: 'settle', decided: { decision: 'kept', state: { attempt: 1, healthySince: T, keptNotified: true } }, save: 'write' } },
    { name: 'Kept → Kept (quiet): healthy while the healthy period runs is none', given: { state: after(1, 200_000, { healthySince: T - 60_000, keptNotified: true }), assessment: healthy }, expect: { kind: 'settle', decided: { decision: 'none' }, save: 'none' } },
    { name: 'Kept → Reset: healthy for healthyResetMs clears the state', given: { state: after(1, 900_000, { healthySince: T - 600_000, keptNotified: true }), assessment: healthy }, expect: { kind: 'settle', decided: { decision: 'reset', state: { attempt: 0 } }, save: 'clear' } },
    { name: 'Kept → Healing: at risk again breaks the healthy period and escalates', given: { state: after(1, 200_000, { healthySince: T - 60_000, keptNotified: true }) }, expect: { kind: 'step', due: { attempt: 2, state: { attempt: 1 } }, save: 'write' } },
    { name: 'Kept → Handoff: at risk again with no step left', given: { state: after(3, 200_000, { healthySince: T - 60_000, keptNotified: true }) }, expect: { kind: 'settle', decided: { decision: 'handoff' }, save: 'write' } },
    { name: 'Handoff → ceiling-reached: handed off already, never another step', given: { state: after(3, 200_000, { handoffNotified: true }) }, expect: { kind: 'settle', decided: { decision: 'suppressed', suppressedReason: 'ceiling-reached' }, save: 'none' } },
    { name: 'Handoff → Kept: healthy again after the handoff (held like any step)', given: { state: after(3, 300_000, { handoffNotified: true, healthySince: T - 60_000, healthyCount: 2 }), assessment: healthy }, expect: { kind: 'settle', decided: { decision: 'kept' }, save: 'write' } },
    { name: 'Idle → Suppressed: unknown never acts', given: { assessment: unknown }, expect: { kind: 'settle', decided: { decision: 'suppressed', suppressedReason: 'unknown', note: 'never act on what cannot be seen' }, save: 'none' } },
    { name: 'unknown wins over a pending re-check', given: { assessment: unknown, state: after(1, 10_000) }, expect: { kind: 'settle', decided: { suppressedReason: 'unknown' } } },
  ];
  for (const transition of transitions) {
    it(transition.name, () => {
      expect(decide(input(transition.given))).toMatchObject(transition.expect);
    });
  }

  it('drops the broken healthy period from the state the step starts from', () => {
    const next = decide(input({ state: after(1, 200_000, { healthySince: T - 60_000, keptNotified: true }) }));
    expect(next.kind === 'step' && 'healthySince' in next.due.state).toBe(false);
  });

  it('reports the time of the reset in the kept note', () => {
    const next = decide(input({ state: after(1, 120_000), assessment: healthy, policy: { ...policy, keep: { healthyEvaluations: 1, minHealthyMs: 0, undoScaleUp: true } } }));
    expect(next.kind === 'settle' && next.decided.note).toBe(`the attempt count resets at ${new Date(T + 600_000).toISOString()} if it stays healthy`);
  });
});

describe('ladder: kept only when it holds', () => {
  it('never keeps a release that flaps: alternating healthy and at-risk looks escalate instead', () => {
    let state: HealingState = after(1, 120_000);
    const decisions: string[] = [];
    for (let i = 0; i < 8; i++) {
      const now = T + i * 15_000;
      const next = decide(input({ state, now, assessment: i % 2 === 0 ? healthy : atRisk, policy: { ...policy, cooldownMs: 0, recheckDelayMs: 0 } }));
      if (next.kind === 'settle') {
        decisions.push(next.decided.decision);
        state = next.decided.state;
      } else {
        decisions.push(`step ${next.due.step.kind}`);
        state = stateAfterStep(next.due, now, policy);
      }
    }
    expect(decisions).not.toContain('kept');
    expect(decisions).toEqual(['awaiting-recheck', 'step cache', 'awaiting-recheck', 'step rollback', 'awaiting-recheck', 'handoff', 'awaiting-recheck', 'suppressed']);
  });

  it('asks to look again when the hold can next complete', () => {
    const next = decide(input({ state: after(1, 120_000), assessment: healthy, policy: { ...policy, keep: { healthyEvaluations: 4, minHealthyMs: 90_000, undoScaleUp: true } } }));
    expect(next).toMatchObject({ kind: 'settle', decided: { recheckAt: T + 30_000 } });
  });

  it('once kept, stays quiet without writing the state at every healthy look', () => {
    const next = decide(input({ state: after(1, 400_000, { healthySince: T - 200_000, healthyCount: 3, keptNotified: true, worked: 'restart' }), assessment: healthy }));
    expect(next).toMatchObject({ kind: 'settle', decided: { decision: 'none' }, save: 'none' });
  });
});

describe('ladder: no dead ends', () => {
  it('moves past a step the healer refused on purpose, for the rest of the episode', () => {
    const state = skipRefused(after(1, 200_000), 'cache');
    expect(decide(input({ state }))).toMatchObject({ kind: 'step', due: { step: { kind: 'rollback' }, attempt: 2 } });
  });

  it('re-runs the step that worked when the next one is refused, instead of asking for it again', () => {
    const kept = after(2, 900_000, { steps: ['restart', 'cache'], worked: 'cache', keptNotified: true });
    const state = skipRefused(kept, 'rollback');
    expect(decide(input({ state }))).toMatchObject({ kind: 'step', due: { step: { kind: 'cache' }, attempt: 3 } });
  });

  it('after a relapse of a kept step, repeats it (strategy diagnose) instead of climbing to a rung nothing pointed at', () => {
    const kept = after(2, 600_000, { steps: ['restart', 'cache'], worked: 'cache', keptNotified: true });
    expect(decide(input({ state: kept }))).toMatchObject({ kind: 'step', due: { step: { kind: 'cache' }, attempt: 3 } });
  });

  it('after a relapse of a kept step, still climbs with strategy ladder (the original behaviour)', () => {
    const kept = after(2, 600_000, { steps: ['restart', 'cache'], worked: 'cache', keptNotified: true });
    expect(decide(input({ state: kept, policy: { ...policy, strategy: 'ladder' } }))).toMatchObject({ kind: 'step', due: { step: { kind: 'rollback' }, attempt: 3 } });
  });

  it('climbs when the last step never held, even if an earlier one did', () => {
    // The cache clear was kept once; the repeat of it relapsed inside its keep window.
    const repeated = after(2, 150_000, { steps: ['cache', 'cache'], lastStep: 'cache', worked: 'cache', keptNotified: false });
    expect(decide(input({ state: repeated }))).toMatchObject({ kind: 'step', due: { step: { kind: 'restart' }, attempt: 3 } });
  });

  it('after a relapse of a kept step into a crash loop, climbs instead of repeating it (the step did not fix the cause)', () => {
    // The outcome benchmark's reactive policy: a flapping bad config kept after a restart, then crashing again.
    const kept = after(1, 600_000, { steps: ['restart'], worked: 'restart', keptNotified: true });
    const diagnosis = { cause: 'unclear' as const, evidence: [], summary: 'no confident diagnosis: the ladder in its order', crashLoop: true as const };
    expect(decide(input({ state: kept, diagnosis }))).toMatchObject({ kind: 'step', due: { step: { kind: 'cache' }, attempt: 2 } });
    expect(decide(input({ state: kept, diagnosis: { ...diagnosis, crashLoop: undefined } }))).toMatchObject({ kind: 'step', due: { step: { kind: 'restart' }, attempt: 2 } });
  });

  it('after a relapse of a kept step, follows a diagnosis that names a step not yet taken', () => {
    const kept = after(1, 600_000, { steps: ['restart'], worked: 'restart', keptNotified: true });
    const diagnosis = { cause: 'bad-release' as const, step: 'rollback' as const, evidence: ['release 3 min old'], summary: 'rollback first' };
    expect(decide(input({ state: kept, diagnosis }))).toMatchObject({ kind: 'step', due: { step: { kind: 'rollback' }, attempt: 2 } });
  });

  it('hands off, naming the refusals, when every step left was refused', () => {
    const state = skipRefused(skipRefused(after(1, 200_000), 'cache'), 'rollback');
    const next = decide(input({ state }));
    expect(next).toMatchObject({ kind: 'settle', decided: { decision: 'handoff', note: 'no step left to try; refused by the healer: cache, rollback' }, save: 'write' });
  });

  it('never exceeds the attempt ceiling, even with a step that worked', () => {
    const state = after(3, 900_000, { steps: ['restart', 'cache', 'cache'], worked: 'cache', skipped: ['rollback'] });
    expect(decide(input({ state }))).toMatchObject({ kind: 'settle', decided: { decision: 'handoff' } });
  });

  it('counts a kind per rung, so a ladder may repeat a kind', () => {
    const twice = policySchema.parse({ ladder: [{ kind: 'restart' }, { kind: 'restart' }, { kind: 'rollback' }] });
    expect(nextStep({ attempt: 1, steps: ['restart'] }, twice)?.kind).toBe('restart');
    expect(nextStep({ attempt: 2, steps: ['restart', 'restart'] }, twice)?.kind).toBe('rollback');
  });

  it('reads a state written before `steps` existed as the first attempt rungs taken', () => {
    expect(stepsTaken({ attempt: 2 }, policy)).toEqual(['restart', 'cache']);
    expect(nextStep({ attempt: 2 }, policy)?.kind).toBe('rollback');
  });
});

describe('ladder: every rule that stops a due step in the loop', () => {
  const refusals: Array<{ name: string; given: Partial<LadderInput>; reason: string; note: RegExp }> = [
    { name: 'cooldown: past the re-check but within cooldownMs', given: { state: after(1, 150_000), policy: { ...policy, cooldownMs: 300_000 } }, reason: 'cooldown', note: /^step 2\/3 \(cache\) not taken: cooldown until 2026-01-01T00:02:30\.000Z$/ },
    { name: 'circuit-open: the breaker is full', given: { circuit: open }, reason: 'circuit-open', note: /^step 1\/3 \(restart\) not taken: circuit breaker open \(5\/5 steps in the last 3600000 ms\)$/ },
  ];
  for (const refusal of refusals) {
    it(refusal.name, () => {
      const next = decide(input(refusal.given));
      expect(next).toMatchObject({ kind: 'settle', decided: { decision: 'suppressed', suppressedReason: refusal.reason } });
      expect(next.kind === 'settle' && next.decided.note).toMatch(refusal.note);
    });
  }

  it('carries dry-run and re-validation from the policy into the due step', () => {
    const next = decide(input({ policy: { ...policy, dryRun: true, revalidateBeforeAction: false } }));
    expect(next).toMatchObject({ kind: 'step', due: { dryRun: true, revalidate: false } });
  });

  it('follows a custom ladder, one step per attempt', () => {
    const custom = policySchema.parse({ ladder: [{ kind: 'rollback' }, { kind: 'restart', scaleUp: false }] });
    expect(decide(input({ policy: custom }))).toMatchObject({ kind: 'step', due: { step: { kind: 'rollback' }, attempt: 1 } });
    expect(decide(input({ policy: custom, state: after(1, 200_000) }))).toMatchObject({ kind: 'step', due: { step: { kind: 'restart', scaleUp: false }, attempt: 2 } });
    expect(decide(input({ policy: custom, state: after(2, 200_000) }))).toMatchObject({ kind: 'settle', decided: { decision: 'handoff' } });
  });
});

describe('ladder: the operator\'s heal-now, with and without force', () => {
  const healNow = (extra: Partial<Extract<LadderRequest, { kind: 'heal-now' }>> = {}): LadderRequest => ({ kind: 'heal-now', force: false, dryRun: false, ...extra });
  const rules: Array<{ reason: string; given: Partial<LadderInput>; words: string }> = [
    { reason: 'unknown', given: { assessment: unknown }, words: 'the target cannot be judged (risk unknown (missing features: cpu_usage_pct (no data)))' },
    { reason: 'recovered', given: { assessment: healthy }, words: 'not at risk now (risk 0.10 < 0.50)' },
    { reason: 'cooldown', given: { state: after(1, 60_000) }, words: 'cooldown until 2026-01-01T00:01:00.000Z' },
    { reason: 'circuit-open', given: { circuit: open }, words: 'circuit breaker open (5/5 steps in the last 3600000 ms)' },
    { reason: 'ceiling-reached', given: { state: after(3, 600_000) }, words: 'every step of the ladder was tried (attempt 3/3); name a step or reset the target' },
  ];
  for (const rule of rules) {
    it(`refuses on ${rule.reason}, naming it; force passes it and names it`, () => {
      const refused = decide(input({ ...rule.given, request: healNow({ reason: 'INC-7' }) }));
      const forced = decide(input({ ...rule.given, request: healNow({ force: true }) }));

      expect(refused).toMatchObject({ kind: 'settle', decided: { decision: 'suppressed', suppressedReason: rule.reason, byOperator: true }, save: 'none' });
      expect(refused.kind === 'settle' && refused.decided.note).toContain(`by an operator not taken: ${rule.words}; reason: INC-7`);
      expect(forced).toMatchObject({ kind: 'step', due: { overridden: [rule.reason], operator: { force: true }, revalidate: false } });
    });
  }

  it('names every rule force passed, in the order of the rules', () => {
    const forced = decide(input({ assessment: healthy, state: after(1, 60_000), circuit: open, request: healNow({ force: true }) }));
    expect(forced).toMatchObject({ kind: 'step', due: { overridden: ['recovered', 'cooldown', 'circuit-open'] } });
  });

  it('takes ladder[attempt] by default, a named step with its ladder settings, and an unladdered kind with defaults', () => {
    const custom = policySchema.parse({ ladder: [{ kind: 'restart', scaleUp: { by: 2, maxReplicas: 6 } }] });
    expect(decide(input({ policy: custom, request: healNow() }))).toMatchObject({ kind: 'step', due: { step: { kind: 'restart', scaleUp: { by: 2 } }, attempt: 1 } });
    expect(decide(input({ policy: custom, request: healNow({ step: 'cache' }) }))).toMatchObject({ kind: 'step', due: { step: { kind: 'cache', command: ['sh', '-c', 'rm -rf /tmp/cache/*'] } } });
  });

  it('past the ceiling, a named step runs; forced, the last step runs again; the attempt never goes past the ladder length', () => {
    expect(decide(input({ state: after(3, 600_000), request: healNow({ step: 'restart' }) }))).toMatchObject({ kind: 'step', due: { step: { kind: 'restart' }, attempt: 3 } });
    expect(decide(input({ state: after(3, 600_000), request: healNow({ force: true }) }))).toMatchObject({ kind: 'step', due: { step: { kind: 'rollback' }, attempt: 3 } });
  });

  it('plans only when the operator or the policy asks for dry-run', () => {
    expect(decide(input({ request: healNow({ dryRun: true }) }))).toMatchObject({ kind: 'step', due: { dryRun: true } });
    expect(decide(input({ policy: { ...policy, dryRun: true }, request: healNow() }))).toMatchObject({ kind: 'step', due: { dryRun: true } });
  });
});

describe('ladder: reset, in-flight and the effects\' verdicts', () => {
  it('an operator reset clears the state from any position', () => {
    for (const state of [{ attempt: 0 }, after(2, 10_000), after(3, 1, { handoffNotified: true })]) {
      expect(decide(input({ state, request: { kind: 'reset' } }))).toMatchObject({ kind: 'settle', decided: { decision: 'reset', state: { attempt: 0 }, byOperator: true }, save: 'clear' });
    }
  });

  it('in-flight is a suppression that keeps the state, worded for the loop and for an operator', () => {
    expect(inFlight(after(1, 5), evaluate)).toEqual({ decision: 'suppressed', suppressedReason: 'in-flight', state: after(1, 5), note: 'another evaluation of this target is still deciding or acting' });
    expect(inFlight({ attempt: 0 }, { kind: 'heal-now', force: true, dryRun: false })).toMatchObject({ suppressedReason: 'in-flight', byOperator: true, note: expect.stringContaining('try again') });
  });

  it('re-validation stops the step when the target recovered or cannot be judged', () => {
    expect(judgeRevalidation(healthy)).toEqual({ reason: 'recovered', why: 're-validation found it healthy (risk 0.10 < 0.50)' });
    expect(judgeRevalidation(unknown)).toMatchObject({ reason: 'unknown' });
    expect(judgeRevalidation(atRisk)).toBeUndefined();
  });

  it('a stopped step keeps the state and records the plan when there is one', () => {
    const next = decide(input());
    if (next.kind !== 'step') throw new Error('expected a step');
    const plan = { step: next.due.step, attempt: 1, operations: [], refusal: 'paused' };
    expect(stepStopped(next.due, 'refused', 'healer "h" refused: paused', 3, { step: 'restart', plan })).toEqual({
      decision: 'suppressed',
      suppressedReason: 'refused',
      state: { attempt: 0 },
      note: 'step 1/3 (restart) not taken: healer "h" refused: paused',
      action: { step: 'restart', plan },
    });
  });

  it('a step, applied or failed, counts as an attempt and re-arms the notifications', () => {
    expect(stateAfterStep({ attempt: 2, state: after(1, 1), step: { kind: "cache", command: ["x"], perPodTimeoutMs: 1, restart: true, scaleUp: false } }, T, policy)).toEqual({
      attempt: 2,
      lastActionAt: T,
      lastStep: 'cache',
      steps: ['restart', 'cache'],
      keptNotified: false,
      handoffNotified: false,
    });
  });

  it('the ladder position names the next step, the cooldown and a pending re-check', () => {
    expect(ladderPosition(after(1, 30_000), policy, T, true)).toEqual({ attempt: 1, maxAttempts: 3, nextStep: 'cache', cooldownUntil: T + 90_000, recheckAt: T + 90_000 });
    expect(ladderPosition(after(3, 600_000), policy, T, false)).toEqual({ attempt: 3, maxAttempts: 3, nextStep: null });
    expect(awaitingRecheck(after(1, 30_000), policy, T)).toBe(true);
    expect(awaitingRecheck(after(1, 120_000), policy, T)).toBe(false);
  });
});

describe('ladder: the guards that hold a whole target (another process\'s claim, a rollout)', () => {
  const claim = { attempt: 2, step: 'cache' as const, holder: 'autoheal-b', startedAt: T - 10_000, deadline: T + 60_000 };
  const rolling = { desiredReplicas: 3, availableReplicas: 2, updating: true, stalled: false, firstRollout: false };
  const starting = { createdAt: T - 40_000, progressDeadlineMs: 600_000, desiredReplicas: 3, availableReplicas: 1, updating: false, stalled: false, firstRollout: true };

  it("another process's live claim: in-flight naming the holder, nothing saved, whatever the verdict", () => {
    for (const assessment of [atRisk, healthy, unknown]) {
      const next = decide(input({ state: { ...after(2, 10_000), intent: claim }, assessment, identity: 'autoheal-a' }));
      expect(next).toMatchObject({ kind: 'settle', decided: { decision: 'suppressed', suppressedReason: 'in-flight' }, save: 'none' });
      expect(next.kind === 'settle' && next.decided.note).toBe(`step 2/3 (cache) was claimed by autoheal-b at ${new Date(T - 10_000).toISOString()} and is still in flight (until ${new Date(T + 60_000).toISOString()} at the latest)`);
    }
  });

  it('a claim past its deadline holds nothing: the ladder goes on from the attempt it counted', () => {
    expect(decide(input({ state: { ...after(2, 130_000), intent: { ...claim, deadline: T - 1 } }, identity: 'autoheal-a' }))).toMatchObject({ kind: 'step', due: { attempt: 3, step: { kind: 'rollback' } } });
  });

  it("the operator's force never passes another process's live claim", () => {
    expect(decide(input({ state: { ...after(2, 10_000), intent: claim }, request: { kind: 'heal-now', force: true, dryRun: false } }))).toMatchObject({ decided: { suppressedReason: 'in-flight', byOperator: true } });
  });

  it('rolling out (not stalled): at risk is not judged, nothing saved, the healthy streak kept', () => {
    const state = after(1, 200_000, { healthySince: T - 60_000, healthyCount: 2 });
    const next = decide(input({ state, workload: rolling }));
    expect(next).toEqual({
      kind: 'settle',
      decided: { decision: 'suppressed', suppressedReason: 'rolling-out', state, note: 'not judged: rolling out (2/3 available); judged once the rollout completes or stalls' },
      save: 'none',
    });
  });

  it('still starting (younger than its progress deadline, not yet available): not judged', () => {
    expect(decide(input({ workload: starting }))).toMatchObject({ decided: { suppressedReason: 'rolling-out', note: 'not judged: still starting (created 40 s ago, 1/3 available, progress deadline 600 s)' } });
  });

  it('judged as usual once stalled, once available, past the progress deadline, once complete before (degrading, not starting), or with the guard off', () => {
    expect(decide(input({ workload: { ...rolling, stalled: true } }))).toMatchObject({ kind: 'step' });
    expect(decide(input({ workload: { ...starting, availableReplicas: 3 } }))).toMatchObject({ kind: 'step' });
    expect(decide(input({ workload: { ...starting, createdAt: T - 600_000 } }))).toMatchObject({ kind: 'step' });
    expect(decide(input({ workload: { ...starting, firstRollout: false } }))).toMatchObject({ kind: 'step' });
    expect(decide(input({ workload: rolling, policy: { ...policy, rolloutGuard: false } }))).toMatchObject({ kind: 'step' });
    expect(decide(input({}))).toMatchObject({ kind: 'step' });
  });

  it("a rollout does not hide a healthy target, and does not hold an operator's heal (the operator judges)", () => {
    expect(decide(input({ assessment: healthy, workload: rolling }))).toMatchObject({ decided: { decision: 'none' } });
    expect(decide(input({ workload: rolling, request: { kind: 'heal-now', force: false, dryRun: false } }))).toMatchObject({ kind: 'step', due: { overridden: [] } });
  });

  it('kept asks for the scale-ups to be undone when keep.undoScaleUp is on (the default)', () => {
    const keptOnce = { state: after(1, 120_000), assessment: healthy, policy: { ...policy, keep: { healthyEvaluations: 1, minHealthyMs: 0, undoScaleUp: true } } };
    expect(decide(input(keptOnce))).toMatchObject({ decided: { decision: 'kept', undoScaleUp: true } });
    expect(decide(input({ ...keptOnce, policy: { ...policy, keep: { healthyEvaluations: 1, minHealthyMs: 0, undoScaleUp: false } } }))).not.toHaveProperty('decided.undoScaleUp');
  });
});

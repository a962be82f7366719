/**
 * The pause rule on the pure ladder: a held target (paused, every target paused, pause marks
 * unreadable, a maintenance window) is looked at and recorded, never acted on, and its ladder state
 * is never written; an operator's heal meets the hold as a rule `force` passes; a reset is never held.
 */
import { describe, expect, it } from 'vitest';
import type { HealingState } from '../healing.js';
import { describeHold, type Hold } from '../pause.js';
import { decide, type LadderInput } from './ladder.js';
import { applyHolds, holdsFor } from './pause-rule.js';
import { policySchema } from './policy.js';

const T = Date.parse('2026-12-05T23:00:00.000Z'); // a Saturday
const policy = policySchema.parse({});
const closed = { open: false, actionsInWindow: 0, maxActions: 5 };
const healthy = { verdict: 'healthy' as const, probability: 0.1, threshold: 0.5 };
const atRisk = { verdict: 'at-risk' as const, probability: 0.9, threshold: 0.5 };
const unknown = { verdict: 'unknown' as const, probability: null, threshold: 0.5 };
const paused: Hold = { kind: 'paused', scope: 'target', source: 'annotation autoheal.dev/paused on deployment prod/web', reason: 'db migration', by: 'alice' };
const everything: Hold = { kind: 'paused', scope: 'global', source: 'config policy.pause' };
const maintenance: Hold = { kind: 'maintenance', window: 'saturday nights', until: T + 3_600_000 };

function input(overrides: Partial<LadderInput> = {}): LadderInput {
  return { state: { attempt: 0 }, assessment: atRisk, now: T, policy, circuit: closed, request: { kind: 'evaluate' }, ...overrides };
}

/** A state `ago` ms after step `attempt` was taken. */
function after(attempt: number, ago: number, extra: Partial<HealingState> = {}): HealingState {
  const kinds = ['restart', 'cache', 'rollback'] as const;
  return { attempt, lastActionAt: T - ago, lastStep: kinds[attempt - 1]!, keptNotified: false, handoffNotified: false, ...extra };
}

describe('pause rule: the loop', () => {
  it('an at-risk paused target: suppressed/paused naming the pause and the step it would have taken, nothing saved', () => {
    expect(decide(input({ holds: [paused] }))).toEqual({
      kind: 'settle',
      decided: {
        decision: 'suppressed',
        suppressedReason: 'paused',
        state: { attempt: 0 },
        note: 'paused (annotation autoheal.dev/paused on deployment prod/web; by alice, reason: db migration); would have taken step 1/3 (restart)',
      },
      save: 'none',
    });
  });

  it('a maintenance window: suppressed/maintenance', () => {
    const next = decide(input({ holds: [maintenance] }));
    expect(next).toMatchObject({ kind: 'settle', decided: { suppressedReason: 'maintenance', note: expect.stringMatching(/^maintenance window "saturday nights" until 2026-12-06T00:00:00.000Z; would have taken step 1\/3/) }, save: 'none' });
  });

  it('a healthy paused target with nothing to do is none, as if not paused', () => {
    expect(decide(input({ assessment: healthy, holds: [everything] }))).toEqual({ kind: 'settle', decided: { decision: 'none', state: { attempt: 0 } }, save: 'none' });
  });

  it('an unknown paused target stays unknown (nothing would happen anyway)', () => {
    expect(decide(input({ assessment: unknown, holds: [paused] }))).toMatchObject({ decided: { suppressedReason: 'unknown' }, save: 'none' });
  });

  it('holding after a step is frozen: no healthy evaluation is counted and nothing is written', () => {
    const state = after(1, 120_000);
    const next = decide(input({ state, assessment: healthy, holds: [paused] }));
    expect(next).toMatchObject({ kind: 'settle', decided: { decision: 'suppressed', suppressedReason: 'paused', state }, save: 'none' });
    expect(next.kind === 'settle' && next.decided.note).toMatch(/would have counted a healthy evaluation/);
  });

  it('no kept, no reset, no handoff while held: the stored state stays as it was', () => {
    const kept = after(1, 180_000, { healthySince: T - 60_000, healthyCount: 2 });
    const reset = after(1, 900_000, { healthySince: T - 600_000, keptNotified: true });
    const handoff = after(3, 120_000);
    for (const [state, assessment, would] of [
      [kept, healthy, 'decided kept'],
      [reset, healthy, 'decided reset'],
      [handoff, atRisk, 'decided handoff'],
    ] as const) {
      const next = decide(input({ state, assessment, holds: [maintenance] }));
      expect(next).toMatchObject({ kind: 'settle', decided: { decision: 'suppressed', suppressedReason: 'maintenance', state }, save: 'none' });
      expect(next.kind === 'settle' && next.decided.note).toContain(`would have ${would}`);
    }
  });

  it('at risk in the cooldown: the pause is what the record says', () => {
    const next = decide(input({ state: after(1, 130_000), policy: { ...policy, cooldownMs: 600_000 }, holds: [paused] }));
    expect(next).toMatchObject({ decided: { suppressedReason: 'paused', note: expect.stringContaining('would have been suppressed (cooldown)') } });
  });

  it('the most specific hold is the one named', () => {
    const next = decide(input({ holds: [paused, everything, maintenance] }));
    expect(next).toMatchObject({ decided: { suppressedReason: 'paused', note: expect.stringMatching(/^paused \(annotation/) } });
  });

  it('pause marks that cannot be read hold the target as if paused', () => {
    const next = decide(input({ holds: [{ kind: 'pause-unknown', reason: 'pause source "kubernetes" failed: 403' }] }));
    expect(next).toMatchObject({ decided: { suppressedReason: 'paused', note: expect.stringMatching(/^the pause marks could not be read \(pause source "kubernetes" failed: 403\); acting as if paused/) } });
  });

  it('applyHolds leaves a decision alone when nothing holds', () => {
    const due = decide(input());
    expect(applyHolds(due, [], { stored: { attempt: 0 }, atRisk: true, maxAttempts: 3 })).toBe(due);
  });
});

describe('pause rule: an operator', () => {
  const heal = { kind: 'heal-now' as const, force: false, dryRun: false };

  it("heal on a paused target is refused, naming the pause and that --force passes it", () => {
    expect(decide(input({ holds: [paused], request: heal }))).toMatchObject({
      kind: 'settle',
      decided: { decision: 'suppressed', suppressedReason: 'paused', byOperator: true, note: expect.stringMatching(/^step 1\/3 \(restart\) by an operator not taken: paused \(annotation/) },
      save: 'none',
    });
  });

  it('heal --force passes a pause and a maintenance window, and names them', () => {
    for (const hold of [paused, maintenance]) {
      const next = decide(input({ holds: [hold], request: { ...heal, force: true } }));
      expect(next).toMatchObject({ kind: 'step', due: { overridden: [hold.kind === 'maintenance' ? 'maintenance' : 'paused'] } });
    }
  });

  it('a reset is never held', () => {
    expect(decide(input({ state: after(2, 10_000), holds: [paused], request: { kind: 'reset' } }))).toMatchObject({ decided: { decision: 'reset' }, save: 'clear' });
  });
});

describe('holdsFor: the facts in order', () => {
  const weekendNights = [{ name: 'saturday nights', days: ['sat' as const], start: '22:00', end: '02:00', timeZone: 'UTC' }];

  it('nothing holds without pauses or windows', () => {
    expect(holdsFor({ policyPause: { all: false }, maintenanceWindows: [], now: T })).toEqual([]);
  });

  it('target pause, config pause, source global pause, unreadable marks, maintenance', () => {
    const global = { scope: 'global' as const, source: 'annotation autoheal.dev/paused on configmap autoheal/autoheal-control' };
    const target = { scope: 'target' as const, source: 'annotation autoheal.dev/paused on deployment prod/web' };
    const holds = holdsFor({ pauses: { pauses: [global, target], unavailable: 'x' }, policyPause: { all: true, reason: 'freeze' }, maintenanceWindows: weekendNights, now: T });
    expect(holds.map((hold) => (hold.kind === 'paused' ? `${hold.kind}:${hold.scope}:${hold.source}` : hold.kind))).toEqual([
      `paused:target:${target.source}`,
      'paused:global:config policy.pause',
      `paused:global:${global.source}`,
      'pause-unknown',
      'maintenance',
    ]);
  });

  it('a mark past its until no longer holds; one still before it does, and says until when', () => {
    const ended = { scope: 'target' as const, source: 'annotation autoheal.dev/paused on deployment prod/web', until: T };
    const running = { scope: 'global' as const, source: 'annotation autoheal.dev/paused on configmap autoheal/autoheal-pause', until: T + 60_000, by: 'alice' };
    const holds = holdsFor({ pauses: { pauses: [ended, running] }, policyPause: { all: false }, maintenanceWindows: [], now: T });
    expect(holds).toEqual([{ kind: 'paused', ...running }]);
    expect(describeHold(holds[0]!)).toContain('by alice, until 2026-12-05T23:01:00.000Z');
  });
});

import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../testing/fake-clock.js';
import { AT_RISK_FEATURES } from '../testing/fixtures.js';
import { createInMemoryFeatureSource } from '../testing/in-memory-feature-source.js';
import { createInMemoryHealer } from '../testing/in-memory-healer.js';
import { createInMemoryRiskModel } from '../testing/in-memory-risk-model.js';
import { createPipeline } from './create-pipeline.js';
import { backend, frontend, setup, T0, waitUntil } from './pipeline.test-setup.js';

describe('healNow: the operator runs one step by hand', () => {
  it('refuses a healthy target (not at risk) and applies nothing', async () => {
    const { pipeline, healer } = setup();

    const record = await pipeline.healNow(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'recovered', ladder: { attempt: 0 } });
    expect(record.summary).toContain('not at risk now');
    expect(healer.applied).toHaveLength(0);
  });

  it('with force, applies the next step on a healthy target, records the attempt, notifies and names the overridden rule', async () => {
    const { pipeline, healer, notifier, state } = setup();

    const record = await pipeline.healNow(backend, { force: true, reason: 'INC-42' });

    expect(record).toMatchObject({ decision: 'heal', action: { step: 'restart', outcome: { ok: true } }, ladder: { attempt: 1, nextStep: 'cache' } });
    expect(record.summary).toContain('forced past: recovered');
    expect(record.summary).toContain('reason: INC-42');
    expect(healer.applied).toHaveLength(1);
    expect(await state()).toMatchObject({ attempt: 1, lastStep: 'restart', lastActionAt: T0 });
    expect(notifier.records.map((r) => r.id)).toContain(record.id);
    expect(healer.recorded.map((r) => r.id)).toContain(record.id);
    expect(pipeline.circuitState().actionsInWindow).toBe(1);
  });

  it('takes ladder[attempt] by default and the named step with `step`', async () => {
    const { pipeline, makeAtRisk, clock } = setup({ policy: { cooldownMs: 0, recheckDelayMs: 0 } });
    makeAtRisk();
    await pipeline.healNow(backend);
    await clock.advance(1);

    const second = await pipeline.healNow(backend);
    const named = await pipeline.healNow(backend, { step: 'rollback' });

    expect(second.action?.step).toBe('cache');
    expect(named).toMatchObject({ decision: 'heal', action: { step: 'rollback' }, ladder: { attempt: 3 } });
  });

  it('refuses during the cooldown; force overrides it', async () => {
    const { pipeline, makeAtRisk, healer } = setup({ policy: { cooldownMs: 300_000 } });
    makeAtRisk();
    await pipeline.healNow(backend);

    const refused = await pipeline.healNow(backend);
    const forced = await pipeline.healNow(backend, { force: true });

    expect(refused).toMatchObject({ decision: 'suppressed', suppressedReason: 'cooldown', ladder: { cooldownUntil: T0 + 300_000 } });
    expect(forced).toMatchObject({ decision: 'heal', action: { step: 'cache' } });
    expect(forced.summary).toContain('forced past: cooldown');
    expect(healer.applied).toHaveLength(2);
  });

  it('refuses when the circuit is open, counting the history it was given; force applies and still counts the step', async () => {
    const clock = createFakeClock(T0);
    const pipeline = createPipeline({
      featureSource: createInMemoryFeatureSource({ clock, values: { 'prod/backend': { ...AT_RISK_FEATURES } } }),
      riskModel: createInMemoryRiskModel(),
      healer: createInMemoryHealer(),
      clock,
      policy: { circuitBreaker: { maxActions: 1, windowMs: 3_600_000 } },
      circuitHistory: [T0 - 1000],
    });

    const refused = await pipeline.healNow(backend);
    const forced = await pipeline.healNow(backend, { force: true });

    expect(refused).toMatchObject({ decision: 'suppressed', suppressedReason: 'circuit-open', circuit: { open: true, actionsInWindow: 1 } });
    expect(forced.decision).toBe('heal');
    expect(pipeline.circuitState()).toMatchObject({ open: true, actionsInWindow: 2 });
  });

  it('refuses at the ceiling unless a step is named or force is set (force repeats the last step)', async () => {
    const { pipeline, makeAtRisk, healer } = setup();
    makeAtRisk();
    await healer.writeState(backend, { attempt: 3, lastStep: 'rollback' });

    const refused = await pipeline.healNow(backend);
    const named = await pipeline.healNow(backend, { step: 'restart' });
    await healer.writeState(backend, { attempt: 3, lastStep: 'rollback' });
    const forced = await pipeline.healNow(backend, { force: true });

    expect(refused).toMatchObject({ decision: 'suppressed', suppressedReason: 'ceiling-reached' });
    expect(named).toMatchObject({ decision: 'heal', action: { step: 'restart' } });
    // The attempt count stays at the ladder's length: `healing.attempt` never says 4 of 3.
    expect(forced).toMatchObject({ decision: 'heal', action: { step: 'rollback' }, ladder: { attempt: 3, maxAttempts: 3 } });
    expect(await healer.readState(backend)).toMatchObject({ attempt: 3 });
  });

  it('refuses an unknown target; force overrides it', async () => {
    const { pipeline } = setup({ values: {} });

    const refused = await pipeline.healNow(backend);
    const forced = await pipeline.healNow(backend, { force: true });

    expect(refused).toMatchObject({ decision: 'suppressed', suppressedReason: 'unknown' });
    expect(forced).toMatchObject({ decision: 'heal', assessment: { verdict: 'unknown' } });
    expect(forced.summary).toContain('forced past: unknown');
  });

  it('never overrides the healer refusal or dry-run, even with force', async () => {
    const refusing = setup({ healer: { refuse: { restart: "can't restart paused deployment" } } });
    refusing.makeAtRisk();
    const dry = setup();
    dry.makeAtRisk();

    const refused = await refusing.pipeline.healNow(backend, { force: true });
    const planned = await dry.pipeline.healNow(backend, { force: true, dryRun: true });

    expect(refused).toMatchObject({ decision: 'suppressed', suppressedReason: 'refused' });
    expect(refusing.healer.applied).toHaveLength(0);
    expect(planned).toMatchObject({ decision: 'suppressed', suppressedReason: 'dry-run', dryRun: true, action: { step: 'restart' } });
    expect(dry.healer.applied).toHaveLength(0);
    expect(await dry.state()).toEqual({ attempt: 0 });
  });

  it('never overrides in-flight, even with force', async () => {
    let release!: () => void;
    let started = false;
    const { pipeline, makeAtRisk, healer } = setup({
      healer: {
        beforeApply: () =>
          new Promise<void>((resolve) => {
            started = true;
            release = resolve;
          }),
      },
    });
    makeAtRisk();
    const first = pipeline.healNow(backend);
    await waitUntil(() => started, 'the first step to start');

    const second = await pipeline.healNow(backend, { force: true });
    release();
    await first;

    expect(second).toMatchObject({ decision: 'suppressed', suppressedReason: 'in-flight' });
    expect(healer.applied).toHaveLength(1);
  });
});

describe('inspect', () => {
  it('reports the verdict, the next step and the cooldown without changing anything', async () => {
    const { pipeline, makeAtRisk, healer } = setup({ policy: { cooldownMs: 60_000 } });
    makeAtRisk();
    makeAtRisk(frontend);
    await pipeline.healNow(backend);

    const seen = await pipeline.inspect(backend);
    const other = await pipeline.inspect(frontend);

    expect(seen).toMatchObject({ assessment: { verdict: 'at-risk' }, ladder: { attempt: 1, maxAttempts: 3, nextStep: 'cache', cooldownUntil: T0 + 60_000 }, circuit: { actionsInWindow: 1 } });
    expect(other.ladder).toEqual({ attempt: 0, maxAttempts: 3, nextStep: 'restart' });
    expect(healer.applied).toHaveLength(1);
  });

  it('reports unknown with the missing features when the source has no data', async () => {
    const { pipeline } = setup({ values: {} });

    const seen = await pipeline.inspect(backend);

    expect(seen.assessment.verdict).toBe('unknown');
    expect(seen.missing.length).toBeGreaterThan(0);
  });
});

/**
 * The rollout guard and the undo of scale-ups, through the whole pipeline over the in-memory doubles.
 */
import { describe, expect, it } from 'vitest';
import { advanceOnceSleeping, backend, setup } from './pipeline.test-setup.js';

const rolling = { desiredReplicas: 3, availableReplicas: 1, updating: true, stalled: false, firstRollout: false };

describe('rollout guard', () => {
  it('does not judge a workload that is rolling out: no plan, no state written', async () => {
    const { pipeline, healer, makeAtRisk, state } = setup();
    makeAtRisk();
    healer.setWorkload(backend, rolling);

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'rolling-out' });
    expect(record.summary).toMatch(/not judged: rolling out \(1\/3 available\)/);
    expect(healer.plans).toHaveLength(0);
    expect(await state()).toEqual({ attempt: 0 });
  });

  it('runOnce waits for a rollout to finish, then judges', async () => {
    const { pipeline, healer, clock, makeAtRisk } = setup();
    makeAtRisk();
    healer.setWorkload(backend, rolling);

    const running = pipeline.runOnce(backend, { unknownRetry: { withinMs: 60_000, everyMs: 15_000 } });
    await advanceOnceSleeping(clock, 15_000);
    healer.setWorkload(backend, { ...rolling, availableReplicas: 3, updating: false });
    await advanceOnceSleeping(clock, 15_000);
    for (let wait = 0; wait < 3; wait++) await advanceOnceSleeping(clock, 120_000);
    const result = await running;

    expect(result.records.map((r) => r.suppressedReason ?? r.decision)).toEqual(['rolling-out', 'rolling-out', 'heal', 'heal', 'heal', 'handoff']);
  });
});

describe('undo of scale-ups once kept', () => {
  it('puts the replica count back when the step is kept, and says so', async () => {
    const { pipeline, healer, clock, makeAtRisk, makeHealthy } = setup({ policy: { keep: { healthyEvaluations: 1, minHealthyMs: 0 } } });
    makeAtRisk();
    await pipeline.evaluate(backend);
    expect(healer.replicasOf(backend)).toBe(3);
    makeHealthy();
    await clock.advance(120_000);

    const kept = await pipeline.evaluate(backend);

    expect(kept).toMatchObject({ decision: 'kept' });
    expect(kept.summary).toMatch(/scaled prod\/backend back 3 → 2 replicas/);
    expect(healer.replicasOf(backend)).toBe(2);
  });

  it('leaves the scale-up in place with keep.undoScaleUp off', async () => {
    const { pipeline, healer, clock, makeAtRisk, makeHealthy } = setup({ policy: { keep: { healthyEvaluations: 1, minHealthyMs: 0, undoScaleUp: false } } });
    makeAtRisk();
    await pipeline.evaluate(backend);
    makeHealthy();
    await clock.advance(120_000);

    await pipeline.evaluate(backend);

    expect(healer.replicasOf(backend)).toBe(3);
  });
});

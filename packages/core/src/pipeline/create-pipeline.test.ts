import { describe, expect, it } from 'vitest';
import { decisionRecordSchema } from '../decision.js';
import { AutohealError, ConfigError } from '../errors.js';
import { HEALTHY_FEATURES } from '../testing/fixtures.js';
import { createInMemoryFeatureSource } from '../testing/in-memory-feature-source.js';
import { createInMemoryHealer } from '../testing/in-memory-healer.js';
import { createInMemoryRiskModel } from '../testing/in-memory-risk-model.js';
import { createPipeline } from './create-pipeline.js';
import { backend, frontend, setup, T0, waitUntil } from './pipeline.test-setup.js';

describe('createPipeline composition', () => {
  it('rejects a model that needs features the source does not provide, naming them and both components', () => {
    const featureSource = createInMemoryFeatureSource({ name: 'prom', featureNames: ['cpu_usage_pct'] });
    const riskModel = createInMemoryRiskModel({ name: 'onnx', featureNames: ['cpu_usage_pct', 'http_5xx_error_rate', 'unavailable_replicas'] });

    const compose = () => createPipeline({ featureSource, riskModel, healer: createInMemoryHealer() });

    expect(compose).toThrow(ConfigError);
    expect(compose).toThrow(/risk model "onnx".*feature source "prom".*http_5xx_error_rate, unavailable_replicas/);
    try {
      compose();
    } catch (error) {
      expect(AutohealError.isInstance(error) && error.code).toBe('COMPOSITION_INVALID');
    }
  });

  it('says what provides the v2 features a model needs, at creation', () => {
    const featureSource = createInMemoryFeatureSource({ name: 'prometheus' });
    const riskModel = createInMemoryRiskModel({ name: 'risk-v2', featureNames: ['http_error_ratio', 'ready_replica_ratio', 'memory_limit_ratio'] });

    const compose = () => createPipeline({ featureSource, riskModel, healer: createInMemoryHealer() });

    expect(compose).toThrow(/feature set v2: http_error_ratio, memory_limit_ratio — the Prometheus adapter computes them when its featureNames option lists them/);
  });

  it('names the wrong policy field in the error', () => {
    const compose = () =>
      createPipeline({ featureSource: createInMemoryFeatureSource(), riskModel: createInMemoryRiskModel(), healer: createInMemoryHealer(), policy: { threshold: 2 } });

    expect(compose).toThrow(/policy\.threshold: must be between 0 and 1/);
  });

  it('names an adapter that does not implement its interface', () => {
    const compose = () => createPipeline({ featureSource: createInMemoryFeatureSource(), riskModel: createInMemoryRiskModel(), healer: {} as never });

    expect(compose).toThrow(/healer: must be a Healer/);
  });

  it('applies the policy defaults', () => {
    const { pipeline } = setup();

    expect(pipeline.policy).toMatchObject({ threshold: 0.5, recheckDelayMs: 120_000, cooldownMs: 120_000, healthyResetMs: 600_000, dryRun: false, revalidateBeforeAction: true, actionTimeoutMs: 300_000 });
    expect(pipeline.policy.ladder.map((step) => step.kind)).toEqual(['restart', 'cache', 'rollback']);
  });
});

describe('evaluate: verdicts', () => {
  it('decides none for a healthy target with no attempt, planning nothing', async () => {
    const { pipeline, healer } = setup();

    const record = await pipeline.evaluate(backend);

    expect(record.decision).toBe('none');
    expect(record.assessment.verdict).toBe('healthy');
    expect(healer.plans).toHaveLength(0);
  });

  it('fills every field of the record', async () => {
    const { pipeline, makeAtRisk } = setup();
    makeAtRisk();

    const record = await pipeline.evaluate(backend);

    expect(decisionRecordSchema.safeParse(record).success).toBe(true);
    expect(record).toMatchObject({
      target: backend,
      time: new Date(T0).toISOString(),
      dryRun: false,
      circuit: { open: false, actionsInWindow: 1, maxActions: 5 },
      ladder: { attempt: 1, maxAttempts: 3, nextStep: 'cache', recheckAt: T0 + 120_000, cooldownUntil: T0 + 120_000 },
      assessment: { verdict: 'at-risk', threshold: 0.5, model: { name: 'in-memory', version: '0.0.0-in-memory' }, missingFeatures: [] },
    });
    expect(record.summary).toMatch(/^prod\/backend: at risk \(risk 0\.98 >= 0\.50\): step 1\/3 \(restart\) applied$/);
    expect(record.assessment.contributions?.[0]?.feature).toBeDefined();
  });

  it('gives records ids that sort in evaluation order', async () => {
    const { pipeline, clock } = setup();
    const first = await pipeline.evaluate(backend);
    await clock.advance(1);
    const second = await pipeline.evaluate(backend);
    const third = await pipeline.evaluate(backend);

    expect([third.id, first.id, second.id].sort()).toEqual([first.id, second.id, third.id]);
  });

  it('never acts when a feature is missing: suppressed, unknown, naming the feature', async () => {
    const { pipeline, source, healer } = setup();
    source.setValues(backend, { ...HEALTHY_FEATURES, restart_count_last_5m: 9, http_5xx_error_rate: null });

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'unknown', assessment: { verdict: 'unknown', missingFeatures: ['http_5xx_error_rate'] } });
    expect(record.assessment.reason).toMatch(/http_5xx_error_rate \(no value set for this feature\)/);
    expect(healer.plans).toHaveLength(0);
  });

  it('reports a model failure through the record as unknown, without acting or throwing', async () => {
    const { pipeline, model, healer, makeAtRisk } = setup();
    makeAtRisk();
    model.failWith(new Error('session crashed'));

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'unknown', assessment: { verdict: 'unknown', probability: null } });
    expect(record.assessment.reason).toMatch(/risk model "in-memory" failed: .*session crashed/);
    expect(healer.plans).toHaveLength(0);
  });

  it('reports a feature source failure as unknown with every feature missing and the reason', async () => {
    const { pipeline, source, healer } = setup();
    source.failWith(new Error('connection refused'));

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'unknown', assessment: { verdict: 'unknown' } });
    expect(Object.values(record.features).every((value) => value === null)).toBe(true);
    expect(record.missing).toHaveLength(7);
    expect(record.missing[0]?.reason).toMatch(/feature source "in-memory" failed: .*connection refused/);
    expect(healer.plans).toHaveLength(0);
  });

  it('keeps the summary on one line when an adapter error spans several lines', async () => {
    const { pipeline, source } = setup();
    source.failWith(new Error('upstream said:\n  502 Bad Gateway\r\n  retry later'));

    const record = await pipeline.evaluate(backend);

    expect(record.summary).not.toMatch(/[\r\n]/);
    expect(record.summary).toMatch(/upstream said: 502 Bad Gateway retry later/);
  });

  it('uses the per-target threshold over the global one', async () => {
    const { pipeline, healer } = setup({
      model: { score: () => 0.6 },
      values: { 'prod/backend': { ...HEALTHY_FEATURES }, 'prod/frontend': { ...HEALTHY_FEATURES } },
      policy: { threshold: 0.5, targetThresholds: { 'prod/backend': 0.7 } },
    });

    const backendRecord = await pipeline.evaluate(backend);
    const frontendRecord = await pipeline.evaluate(frontend);

    expect(backendRecord).toMatchObject({ decision: 'none', assessment: { threshold: 0.7, verdict: 'healthy' } });
    expect(frontendRecord).toMatchObject({ decision: 'heal', assessment: { threshold: 0.5, verdict: 'at-risk' } });
    expect(healer.applied.map((a) => a.target.name)).toEqual(['frontend']);
  });

  it('rejects an invalid target with an input error naming the field', async () => {
    const { pipeline } = setup();

    await expect(pipeline.evaluate({ namespace: 'Prod', name: 'backend' })).rejects.toThrow(/evaluate: invalid target: namespace: must be a DNS label/);
  });
});

describe('evaluate: the ladder', () => {
  it('heals an at-risk target with attempt 1 and the first step of the ladder, and saves the attempt', async () => {
    const { pipeline, healer, makeAtRisk, state } = setup();
    makeAtRisk();

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'heal', action: { step: 'restart', plan: { attempt: 1 }, outcome: { ok: true, dryRun: false } } });
    expect(healer.applied.map((a) => a.plan.step.kind)).toEqual(['restart']);
    expect(await state()).toMatchObject({ attempt: 1, lastActionAt: T0, lastStep: 'restart' });
  });

  it('waits for the re-check: awaiting-recheck before recheckDelayMs, with no action', async () => {
    const { pipeline, healer, clock, makeAtRisk } = setup();
    makeAtRisk();
    await pipeline.evaluate(backend);
    await clock.advance(119_999);

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'awaiting-recheck', ladder: { attempt: 1, recheckAt: T0 + 120_000 } });
    expect(healer.applied).toHaveLength(1);
  });

  it('escalates to attempt 2 (cache) at the re-check when still at risk', async () => {
    const { pipeline, healer, clock, makeAtRisk } = setup();
    makeAtRisk();
    await pipeline.evaluate(backend);
    await clock.advance(120_000);

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'heal', ladder: { attempt: 2, nextStep: 'rollback' }, action: { step: 'cache', plan: { attempt: 2 } } });
    expect(healer.applied.map((a) => a.plan.step.kind)).toEqual(['restart', 'cache']);
  });

  it('escalates to attempt 3 (rollback) at the next re-check', async () => {
    const { pipeline, healer, clock, makeAtRisk } = setup();
    makeAtRisk();
    await pipeline.evaluate(backend);
    await clock.advance(120_000);
    await pipeline.evaluate(backend);
    await clock.advance(120_000);

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'heal', ladder: { attempt: 3, nextStep: null }, action: { step: 'rollback', plan: { attempt: 3 } } });
    expect(healer.applied.map((a) => a.plan.step.kind)).toEqual(['restart', 'cache', 'rollback']);
  });

  it('hands off once after the last step, then suppresses with ceiling-reached and never acts again', async () => {
    const { pipeline, healer, clock, notifier, makeAtRisk } = setup();
    makeAtRisk();
    for (let step = 0; step < 3; step++) {
      await pipeline.evaluate(backend);
      await clock.advance(120_000);
    }

    const handoff = await pipeline.evaluate(backend);
    await clock.advance(600_000);
    const later = await pipeline.evaluate(backend);

    expect(handoff).toMatchObject({ decision: 'handoff', ladder: { attempt: 3, nextStep: null } });
    expect(handoff.summary).toMatch(/a human is needed/);
    expect(later).toMatchObject({ decision: 'suppressed', suppressedReason: 'ceiling-reached' });
    expect(notifier.records.filter((r) => r.decision === 'handoff')).toHaveLength(1);
    expect(healer.applied).toHaveLength(3);
  });

  it('keeps the rollout once it stays healthy for keep.healthyEvaluations looks over keep.minHealthyMs, and reports kept only once', async () => {
    const { pipeline, clock, notifier, makeAtRisk, makeHealthy, state } = setup();
    makeAtRisk();
    await pipeline.evaluate(backend);
    makeHealthy();
    await clock.advance(120_000);

    const first = await pipeline.evaluate(backend);
    await clock.advance(30_000);
    const second = await pipeline.evaluate(backend);
    await clock.advance(30_000);
    const kept = await pipeline.evaluate(backend);
    await clock.advance(60_000);
    const next = await pipeline.evaluate(backend);

    expect([first, second].map((r) => r.decision)).toEqual(['awaiting-recheck', 'awaiting-recheck']);
    expect(first.summary).toContain('healthy at 1 of 3 evaluations');
    expect(first.ladder.recheckAt).toBe(T0 + 150_000);
    expect(kept).toMatchObject({ decision: 'kept', ladder: { attempt: 1 } });
    expect(next).toMatchObject({ decision: 'none', ladder: { attempt: 1 } });
    expect(notifier.records.filter((r) => r.decision === 'kept')).toHaveLength(1);
    expect(await state()).toMatchObject({ attempt: 1, healthySince: T0 + 120_000, keptNotified: true, worked: 'restart' });
  });

  it('keeps at the first healthy re-check with keep { healthyEvaluations: 1, minHealthyMs: 0 } (the original behaviour)', async () => {
    const { pipeline, clock, makeAtRisk, makeHealthy } = setup({ policy: { keep: { healthyEvaluations: 1, minHealthyMs: 0 } } });
    makeAtRisk();
    await pipeline.evaluate(backend);
    makeHealthy();
    await clock.advance(120_000);

    expect(await pipeline.evaluate(backend)).toMatchObject({ decision: 'kept' });
  });

  it('resets the attempt count after healthyResetMs of continuous health', async () => {
    const { pipeline, clock, makeAtRisk, makeHealthy, state } = setup();
    makeAtRisk();
    await pipeline.evaluate(backend);
    makeHealthy();
    await clock.advance(120_000);
    await pipeline.evaluate(backend);
    await clock.advance(600_000);

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'reset', ladder: { attempt: 0, nextStep: 'restart' } });
    expect(await state()).toEqual({ attempt: 0 });
  });

  it('starts the ladder again at step 1 after a reset', async () => {
    const { pipeline, clock, makeAtRisk, makeHealthy } = setup();
    makeAtRisk();
    await pipeline.evaluate(backend);
    makeHealthy();
    await clock.advance(120_000);
    await pipeline.evaluate(backend);
    await clock.advance(600_000);
    await pipeline.evaluate(backend);
    makeAtRisk();

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'heal', action: { step: 'restart', plan: { attempt: 1 } } });
  });

  it('restarts the healthy period when the target is at risk again before the reset', async () => {
    const { pipeline, clock, makeAtRisk, makeHealthy, state } = setup({ policy: { cooldownMs: 0, keep: { healthyEvaluations: 1, minHealthyMs: 0 }, circuitBreaker: { maxActions: 1, windowMs: 3_600_000 } } });
    makeAtRisk();
    await pipeline.evaluate(backend);
    makeHealthy();
    await clock.advance(120_000);
    await pipeline.evaluate(backend); // kept, healthy since T0 + 120 s
    makeAtRisk();
    await clock.advance(300_000);
    await pipeline.evaluate(backend); // at risk: the circuit is full, so no step, but the streak is broken
    makeHealthy();
    await clock.advance(300_000);

    const record = await pipeline.evaluate(backend);

    expect(record.decision).toBe('none');
    expect(await state()).toMatchObject({ attempt: 1, healthySince: T0 + 720_000 });
  });

  it('counts a failed step as an attempt, so the next re-check escalates', async () => {
    const { pipeline, clock, healer, makeAtRisk, state } = setup({ healer: { failOn: ['restart'] } });
    makeAtRisk();

    const failed = await pipeline.evaluate(backend);
    await clock.advance(120_000);
    const next = await pipeline.evaluate(backend);

    expect(failed).toMatchObject({ decision: 'heal', action: { step: 'restart', outcome: { ok: false } } });
    expect(failed.summary).toMatch(/step 1\/3 \(restart\) failed/);
    expect(next).toMatchObject({ decision: 'heal', action: { step: 'cache' } });
    expect(healer.applied).toHaveLength(2);
    expect((await state()).attempt).toBe(2);
  });

  it('keeps the attempt across a restart of autoheal (a new pipeline over the same healer state)', async () => {
    const healer = createInMemoryHealer();
    const first = setup({ healer });
    first.makeAtRisk();
    await first.pipeline.evaluate(backend);
    const second = setup({ healer });
    second.makeAtRisk();
    await second.clock.advance(120_000);

    const record = await second.pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'heal', action: { step: 'cache', plan: { attempt: 2 } } });
  });

  it('uses a custom ladder, one step per attempt', async () => {
    const { pipeline, clock, makeAtRisk } = setup({ policy: { ladder: [{ kind: 'rollback' }] } });
    makeAtRisk();

    const first = await pipeline.evaluate(backend);
    await clock.advance(120_000);
    const second = await pipeline.evaluate(backend);

    expect(first).toMatchObject({ decision: 'heal', action: { step: 'rollback' }, ladder: { attempt: 1, maxAttempts: 1, nextStep: null } });
    expect(second.decision).toBe('handoff');
  });
});

describe('resetTarget (operator reset)', () => {
  it('ends a handoff: clears the state, records a reset, and the next risk starts at step 1', async () => {
    const { pipeline, clock, notifier, makeAtRisk, state } = setup();
    makeAtRisk();
    for (let step = 0; step < 3; step++) {
      await pipeline.evaluate(backend);
      await clock.advance(120_000);
    }
    await pipeline.evaluate(backend); // handoff
    await clock.advance(120_000);

    const reset = await pipeline.resetTarget(backend, { reason: 'fixed the config map' });
    const next = await pipeline.evaluate(backend);

    expect(reset).toMatchObject({ decision: 'reset', ladder: { attempt: 0 } });
    expect(reset.summary).toMatch(/reset by an operator .*was step 3\/3 \(rollback\); reason: fixed the config map/);
    expect(notifier.records).toContainEqual(reset);
    expect(next).toMatchObject({ decision: 'heal', action: { step: 'restart', plan: { attempt: 1 } } });
    expect((await state()).attempt).toBe(1);
  });

  it('refuses to reset a target while an action on it is in flight', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const { pipeline, healer, makeAtRisk } = setup({ healer: { beforeApply: () => held } });
    makeAtRisk();
    const evaluation = pipeline.evaluate(backend);
    await waitUntil(() => healer.plans.length > 0, 'a plan');

    const reset = pipeline.resetTarget(backend);
    await expect(reset).rejects.toThrow(/cannot reset prod\/backend while an evaluation is deciding or acting/);
    release();
    await evaluation;
  });
});

describe('createPipeline: strict options', () => {
  it('names a misspelled policy key instead of dropping it', () => {
    expect(() => setup({ policy: { dryrun: true } as never })).toThrow(/policy: Unrecognized key: "dryrun"/);
    expect(() => setup({ policy: { circuitBreaker: { maxAction: 2 } } as never })).toThrow(/policy\.circuitBreaker: Unrecognized key: "maxAction"/);
  });
});

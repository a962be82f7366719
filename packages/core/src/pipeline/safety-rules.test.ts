import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../decision.js';
import { AT_RISK_FEATURES, HEALTHY_FEATURES } from '../testing/fixtures.js';
import { createInMemoryHealer } from '../testing/in-memory-healer.js';
import { createInMemoryNotifier } from '../testing/in-memory-notifier.js';
import { createInMemoryFeatureSource } from '../testing/in-memory-feature-source.js';
import { createInMemoryRiskModel } from '../testing/in-memory-risk-model.js';
import { createPipeline } from './create-pipeline.js';
import { backend, frontend, setup, T0, worker, waitUntil } from './pipeline.test-setup.js';

const allAtRisk = {
  'prod/backend': { ...AT_RISK_FEATURES },
  'prod/frontend': { ...AT_RISK_FEATURES },
  'prod/worker': { ...AT_RISK_FEATURES },
};

describe('safety: cooldown', () => {
  it('suppresses the next step until cooldownMs after the last one, even past the re-check', async () => {
    const { pipeline, healer, clock, makeAtRisk } = setup({ policy: { recheckDelayMs: 60_000, cooldownMs: 300_000 } });
    makeAtRisk();
    await pipeline.evaluate(backend);
    await clock.advance(60_000);

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'cooldown', ladder: { attempt: 1, cooldownUntil: T0 + 300_000 } });
    expect(healer.applied).toHaveLength(1);
  });

  it('takes the next step once the cooldown is over', async () => {
    const { pipeline, clock, makeAtRisk } = setup({ policy: { recheckDelayMs: 60_000, cooldownMs: 300_000 } });
    makeAtRisk();
    await pipeline.evaluate(backend);
    await clock.advance(300_000);

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'heal', action: { step: 'cache' } });
  });
});

describe('safety: circuit breaker', () => {
  it('stops steps across targets once maxActions were taken in the window', async () => {
    const { pipeline, healer } = setup({ values: allAtRisk, policy: { circuitBreaker: { maxActions: 2, windowMs: 600_000 } } });
    await pipeline.evaluate(backend);
    await pipeline.evaluate(frontend);

    const record = await pipeline.evaluate(worker);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'circuit-open', circuit: { open: true, actionsInWindow: 2, maxActions: 2 } });
    expect(healer.applied.map((a) => a.target.name)).toEqual(['backend', 'frontend']);
    expect(pipeline.circuitState()).toEqual({ open: true, actionsInWindow: 2, maxActions: 2 });
  });

  it('closes again when the oldest steps leave the window', async () => {
    const { pipeline, clock } = setup({ values: allAtRisk, policy: { circuitBreaker: { maxActions: 2, windowMs: 600_000 } } });
    await pipeline.evaluate(backend);
    await pipeline.evaluate(frontend);
    await pipeline.evaluate(worker);
    await clock.advance(600_000);

    const record = await pipeline.evaluate(worker);

    expect(record).toMatchObject({ decision: 'heal', action: { step: 'restart' } });
    expect(pipeline.circuitState()).toEqual({ open: false, actionsInWindow: 1, maxActions: 2 });
  });

  it('never lets two targets evaluated at the same time both take the last slot', async () => {
    const { pipeline, healer } = setup({ values: allAtRisk, policy: { circuitBreaker: { maxActions: 1, windowMs: 600_000 } } });

    const records = await Promise.all([pipeline.evaluate(backend), pipeline.evaluate(frontend), pipeline.evaluate(worker)]);

    expect(records.map((r) => r.decision).sort()).toEqual(['heal', 'suppressed', 'suppressed']);
    expect(healer.applied).toHaveLength(1);
  });
});

describe('safety: dry-run', () => {
  it('plans and records the plan, applies nothing and writes no state', async () => {
    const { pipeline, healer, makeAtRisk, state } = setup({ policy: { dryRun: true } });
    makeAtRisk();

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'dry-run', dryRun: true, action: { step: 'restart', plan: { attempt: 1 } } });
    expect(record.action?.plan.operations.map((o) => o.op)).toEqual(['restart', 'scale']);
    expect(record.summary).toMatch(/step 1\/3 \(restart\) not taken: dry-run, nothing applied; would rollout restart, scale up by 1/);
    expect(healer.plans).toHaveLength(1);
    expect(healer.applied).toHaveLength(0);
    expect(await state()).toEqual({ attempt: 0 });
    expect(pipeline.circuitState().actionsInWindow).toBe(0);
  });
});

describe('safety: re-validation before acting', () => {
  it('skips the step when a fresh look finds the target recovered', async () => {
    let collects = 0;
    const { pipeline, healer, state } = setup({
      values: () => (++collects === 1 ? { ...AT_RISK_FEATURES } : { ...HEALTHY_FEATURES }),
    });

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'recovered', assessment: { verdict: 'at-risk' } });
    expect(record.summary).toMatch(/re-validation found it healthy/);
    expect(healer.applied).toHaveLength(0);
    expect((await state()).attempt).toBe(0);
  });

  it('skips the step when the fresh look cannot judge the target', async () => {
    let collects = 0;
    const { pipeline, healer } = setup({
      values: () => (++collects === 1 ? { ...AT_RISK_FEATURES } : { ...AT_RISK_FEATURES, ready_replica_ratio: null }),
    });

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'unknown' });
    expect(healer.applied).toHaveLength(0);
  });

  it('acts on the first look when revalidateBeforeAction is false', async () => {
    let collects = 0;
    const { pipeline, source } = setup({
      policy: { revalidateBeforeAction: false },
      values: () => (++collects === 1 ? { ...AT_RISK_FEATURES } : { ...HEALTHY_FEATURES }),
    });

    const record = await pipeline.evaluate(backend);

    expect(record.decision).toBe('heal');
    expect(source.collectCount).toBe(1);
  });
});

describe('safety: healer refusal', () => {
  it('skips a step the healer refuses, takes the next one at once, and never asks for the refused one again', async () => {
    const { pipeline, healer, clock, makeAtRisk, state } = setup({ healer: { refuse: { restart: 'restarts are forbidden here' } } });
    makeAtRisk();

    const record = await pipeline.evaluate(backend);
    await clock.advance(120_000);
    const next = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'heal', action: { step: 'cache' }, ladder: { attempt: 1 } });
    expect(record.summary).toMatch(/skipped: step 1\/3 \(restart\) not taken: healer "in-memory" refused: restarts are forbidden here/);
    expect(next).toMatchObject({ decision: 'heal', action: { step: 'rollback' } });
    expect(healer.applied.map((a) => a.plan.step.kind)).toEqual(['cache', 'rollback']);
    expect(await state()).toMatchObject({ attempt: 2, skipped: ['restart'], steps: ['cache', 'rollback'] });
  });

  it('hands off once, naming the refusals, when every step left is refused (a paused Deployment)', async () => {
    const paused = 'the Deployment is paused';
    const { pipeline, healer, notifier, makeAtRisk, clock } = setup({ healer: { refuse: { restart: paused, cache: paused, rollback: paused } } });
    makeAtRisk();

    const record = await pipeline.evaluate(backend);
    await clock.advance(15_000);
    const later = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'handoff' });
    expect(record.summary).toContain('refused by the healer: restart, cache, rollback');
    expect(later).toMatchObject({ decision: 'suppressed', suppressedReason: 'ceiling-reached' });
    expect(notifier.records.filter((r) => r.decision === 'handoff')).toHaveLength(1);
    expect(healer.applied).toHaveLength(0);
  });

  it('in dry-run, shows the skip and the step that would follow, and saves nothing', async () => {
    const { pipeline, healer, makeAtRisk, state } = setup({ policy: { dryRun: true }, healer: { refuse: { restart: 'forbidden' } } });
    makeAtRisk();

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'dry-run', action: { step: 'cache' } });
    expect(healer.applied).toHaveLength(0);
    expect(await state()).toEqual({ attempt: 0 });
  });

  it('treats a plan that throws as a refusal, not an exception', async () => {
    const inner = createInMemoryHealer();
    const healer = { ...inner, plan: async () => Promise.reject(new Error('API server unreachable')) };
    const { pipeline, makeAtRisk } = setup({ healer: healer as typeof inner });
    makeAtRisk();

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'refused' });
    expect(record.action?.plan.refusal).toMatch(/planning failed: API server unreachable/);
  });
});

describe('safety: one action in flight per target', () => {
  it('suppresses a second concurrent evaluation of the same target with in-flight', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const { pipeline, healer, makeAtRisk } = setup({ healer: { beforeApply: () => held } });
    makeAtRisk();
    const firstEvaluation = pipeline.evaluate(backend);
    await waitUntil(() => healer.plans.length > 0, 'a plan');

    const second = await pipeline.evaluate(backend);
    release();
    const first = await firstEvaluation;

    expect(second).toMatchObject({ decision: 'suppressed', suppressedReason: 'in-flight' });
    expect(first.decision).toBe('heal');
    expect(healer.applied).toHaveLength(1);
  });

  it('does not block other targets while one is in flight', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const { pipeline, healer } = setup({
      values: allAtRisk,
      healer: { beforeApply: (target) => (target.name === 'backend' ? held : undefined) },
    });
    const backendEvaluation = pipeline.evaluate(backend);
    await waitUntil(() => healer.plans.length > 0, 'a plan');

    const frontendRecord = await pipeline.evaluate(frontend);
    release();
    await backendEvaluation;

    expect(frontendRecord.decision).toBe('heal');
  });
});

describe('notifications', () => {
  it('sends every record to every notifier and to the healer recorder', async () => {
    const other = createInMemoryNotifier({ name: 'other' });
    const healer = createInMemoryHealer();
    const first = createInMemoryNotifier();
    const pipeline = createPipeline({ featureSource: createInMemoryFeatureSource({ values: { 'prod/backend': { ...HEALTHY_FEATURES } } }), riskModel: createInMemoryRiskModel(), healer, notifiers: [first, other] });

    const record = await pipeline.evaluate(backend);

    expect(first.records).toEqual([record]);
    expect(other.records).toEqual([record]);
    expect(healer.recorded).toEqual([record]);
  });

  it('reports a failing notifier to onError and still heals and notifies the others', async () => {
    const broken = createInMemoryNotifier({ name: 'slack', failWith: new Error('webhook 500') });
    const working = createInMemoryNotifier();
    const healer = createInMemoryHealer();
    const errors: Array<{ component: string; record?: DecisionRecord }> = [];
    const pipeline = createPipeline({
      featureSource: createInMemoryFeatureSource({ values: { 'prod/backend': { ...AT_RISK_FEATURES } } }),
      riskModel: createInMemoryRiskModel(),
      healer,
      notifiers: [broken, working],
      onError: (_error, context) => errors.push(context),
    });

    const record = await pipeline.evaluate(backend);

    expect(record.decision).toBe('heal');
    expect(healer.applied).toHaveLength(1);
    expect(working.records).toEqual([record]);
    expect(errors).toEqual([expect.objectContaining({ component: 'notifier:slack', record })]);
  });

  it('reports a failing event recorder to onError without failing the evaluation', async () => {
    const inner = createInMemoryHealer();
    const healer = { ...inner, recordDecision: async () => Promise.reject(new Error('events forbidden')) };
    const { pipeline, errors } = setup({ healer: healer as typeof inner });

    const record = await pipeline.evaluate(backend);

    expect(record.decision).toBe('none');
    expect(errors.map((e) => e.context.component)).toEqual(['healer:recordDecision']);
  });

  it('sends records to subscribers; a throwing subscriber goes to onError and the others still receive', async () => {
    const { pipeline, errors } = setup();
    const received: DecisionRecord[] = [];
    pipeline.subscribe(() => {
      throw new Error('listener bug');
    });
    pipeline.subscribe((record) => received.push(record));

    const record = await pipeline.evaluate(backend);

    expect(received).toEqual([record]);
    expect(errors.map((e) => e.context.component)).toEqual(['subscriber']);
  });

  it('stops sending to a subscriber after it unsubscribes', async () => {
    const { pipeline } = setup();
    const received: DecisionRecord[] = [];
    const unsubscribe = pipeline.subscribe((record) => received.push(record));
    await pipeline.evaluate(backend);

    unsubscribe();
    await pipeline.evaluate(backend);

    expect(received).toHaveLength(1);
  });
});

describe('close', () => {
  it('closes every adapter that has close(), once', async () => {
    const closed: string[] = [];
    const track = <T extends object>(adapter: T, name: string): T => ({ ...adapter, close: async () => void closed.push(name) });
    const pipeline = createPipeline({
      featureSource: track(createInMemoryFeatureSource(), 'source'),
      riskModel: track(createInMemoryRiskModel(), 'model'),
      healer: track(createInMemoryHealer(), 'healer'),
      notifiers: [track(createInMemoryNotifier(), 'notifier')],
    });

    await pipeline.close();
    await pipeline.close();

    expect(closed.sort()).toEqual(['healer', 'model', 'notifier', 'source']);
  });

  it('reports an adapter whose close fails to onError and still closes the others', async () => {
    const errors: string[] = [];
    const notifier = createInMemoryNotifier();
    const pipeline = createPipeline({
      featureSource: { ...createInMemoryFeatureSource(), close: async () => Promise.reject(new Error('socket busy')) },
      riskModel: createInMemoryRiskModel(),
      healer: createInMemoryHealer(),
      notifiers: [notifier],
      onError: (_error, context) => errors.push(context.component),
    });

    await pipeline.close();

    expect(errors).toEqual(['close:in-memory']);
    expect(notifier.closed).toBe(true);
  });
});

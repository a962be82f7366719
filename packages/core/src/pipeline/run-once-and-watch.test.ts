import { describe, expect, it } from 'vitest';
import { decisionRecordSchema } from '../decision.js';
import type { FeatureSource } from '../interfaces/feature-source.js';
import type { Healer } from '../interfaces/healer.js';
import type { RiskModel } from '../interfaces/risk-model.js';
import { createFakeClock } from '../testing/fake-clock.js';
import { createInMemoryFeatureSource } from '../testing/in-memory-feature-source.js';
import { createInMemoryHealer } from '../testing/in-memory-healer.js';
import { createInMemoryRiskModel } from '../testing/in-memory-risk-model.js';
import { createPipeline } from './create-pipeline.js';
import { AT_RISK_FEATURES, HEALTHY_FEATURES } from '../testing/fixtures.js';
import type { TargetRef } from '../target.js';
import { advanceOnceSleeping, backend, frontend, setup, T0, waitUntil, worker } from './pipeline.test-setup.js';

describe('runOnce', () => {
  it('returns a single none record for a healthy target', async () => {
    const { pipeline } = setup();

    const result = await pipeline.runOnce(backend);

    expect(result.records.map((r) => r.decision)).toEqual(['none']);
    expect(result.final).toBe(result.records[0]);
  });

  it('heals, waits for the re-check on the clock, and stops at kept', async () => {
    const { pipeline, clock, makeAtRisk, makeHealthy } = setup();
    makeAtRisk();
    const waits: number[] = [];

    const running = pipeline.runOnce(backend, {
      onWait: (untilMs) => {
        waits.push(untilMs);
        makeHealthy(); // the first step worked
      },
    });
    await advanceOnceSleeping(clock, 120_000);
    await advanceOnceSleeping(clock, 30_000);
    await advanceOnceSleeping(clock, 30_000);
    const result = await running;

    // Healthy at the re-check is not enough: kept after three healthy looks over a minute.
    expect(result.records.map((r) => r.decision)).toEqual(['heal', 'awaiting-recheck', 'awaiting-recheck', 'kept']);
    expect(waits).toEqual([T0 + 120_000, T0 + 150_000, T0 + 180_000]);
    expect(result.final.time).toBe(new Date(T0 + 180_000).toISOString());
  });

  it('escalates through every step and stops at handoff when the target never recovers', async () => {
    const { pipeline, clock, healer, makeAtRisk } = setup();
    makeAtRisk();

    const running = pipeline.runOnce(backend);
    for (let wait = 0; wait < 3; wait++) await advanceOnceSleeping(clock, 120_000);
    const result = await running;

    expect(result.records.map((r) => r.decision)).toEqual(['heal', 'heal', 'heal', 'handoff']);
    expect(healer.applied.map((a) => a.plan.step.kind)).toEqual(['restart', 'cache', 'rollback']);
    expect(result.final.ladder).toMatchObject({ attempt: 3, maxAttempts: 3 });
  });

  it('produces only records that satisfy the DecisionRecord schema through a whole episode', async () => {
    const { pipeline, clock, makeAtRisk } = setup();
    makeAtRisk();

    const running = pipeline.runOnce(backend);
    for (let wait = 0; wait < 3; wait++) await advanceOnceSleeping(clock, 120_000);
    const { records } = await running;

    const invalid = records.filter((record) => !decisionRecordSchema.safeParse(record).success);
    expect(records).toHaveLength(4);
    expect(invalid).toEqual([]);
  });

  it('stops at suppressed in dry-run after planning the first step', async () => {
    const { pipeline, healer, makeAtRisk } = setup({ policy: { dryRun: true } });
    makeAtRisk();

    const result = await pipeline.runOnce(backend);

    expect(result.records.map((r) => [r.decision, r.suppressedReason])).toEqual([['suppressed', 'dry-run']]);
    expect(healer.applied).toHaveLength(0);
  });

  it('resumes a pending re-check left by an earlier run, waiting only the time that is left', async () => {
    const { pipeline, clock, makeAtRisk, makeHealthy } = setup();
    makeAtRisk();
    await pipeline.evaluate(backend);
    await clock.advance(100_000);
    makeHealthy();
    const waits: number[] = [];

    const running = pipeline.runOnce(backend, { onWait: (untilMs) => waits.push(untilMs) });
    await advanceOnceSleeping(clock, 20_000);
    await advanceOnceSleeping(clock, 30_000);
    await advanceOnceSleeping(clock, 30_000);
    const result = await running;

    expect(result.records.map((r) => r.decision)).toEqual(['awaiting-recheck', 'awaiting-recheck', 'awaiting-recheck', 'kept']);
    expect(waits[0]).toBe(T0 + 120_000);
  });

  it('rides out a re-check that lands on missing data: looks again, then escalates on what it sees', async () => {
    const { pipeline, clock, source, healer, makeAtRisk } = setup();
    makeAtRisk();
    const waits: number[] = [];
    const running = pipeline.runOnce(backend, { onWait: (until) => waits.push(until) });
    await advanceOnceSleeping(clock, 0);
    source.setValues(backend, { ...AT_RISK_FEATURES, cpu_usage_pct: null }); // pods restarting: no CPU series yet
    await advanceOnceSleeping(clock, 120_000);
    makeAtRisk(); // the series are back, still at risk
    await advanceOnceSleeping(clock, 15_000);
    await advanceOnceSleeping(clock, 120_000);
    await advanceOnceSleeping(clock, 120_000);
    const result = await running;

    expect(result.records.slice(0, 3).map((r) => [r.decision, r.suppressedReason])).toEqual([['heal', undefined], ['suppressed', 'unknown'], ['heal', undefined]]);
    expect(waits[1]).toBe(T0 + 120_000 + 15_000);
    expect(healer.applied.map((a) => a.plan.step.kind)).toEqual(['restart', 'cache', 'rollback']);
  });

  it('ends with the unknown record, acting on nothing, when the re-check stays blind past the bound', async () => {
    const { pipeline, clock, source, healer, makeAtRisk } = setup();
    makeAtRisk();
    const running = pipeline.runOnce(backend, { unknownRetry: { withinMs: 30_000, everyMs: 15_000 } });
    await advanceOnceSleeping(clock, 0);
    source.setValues(backend, { ...AT_RISK_FEATURES, cpu_usage_pct: null });
    await advanceOnceSleeping(clock, 120_000);
    await advanceOnceSleeping(clock, 15_000);
    await advanceOnceSleeping(clock, 15_000);
    const result = await running;

    expect(result.records.map((r) => r.decision)).toEqual(['heal', 'suppressed', 'suppressed', 'suppressed']);
    expect(result.final).toMatchObject({ suppressedReason: 'unknown' });
    expect(healer.applied).toHaveLength(1);
  });

  it('waits out the cooldown when a relapse while holding finds the next step cooling down, and goes on', async () => {
    const { pipeline, clock, healer, makeAtRisk, makeHealthy } = setup({ policy: { recheckDelayMs: 60_000, cooldownMs: 120_000 } });
    makeAtRisk();
    const running = pipeline.runOnce(backend);
    await advanceOnceSleeping(clock, 0);
    makeHealthy();
    await advanceOnceSleeping(clock, 60_000); // re-check: healthy, holding
    makeAtRisk();
    await advanceOnceSleeping(clock, 30_000); // relapse at 90 s: cache is due but cooling down until 120 s
    await advanceOnceSleeping(clock, 30_000); // 120 s: the cache step
    makeHealthy();
    let done = false;
    void running.then(() => (done = true));
    for (let i = 0; i < 10 && !done; i++) {
      await advanceOnceSleeping(clock, 30_000).catch(() => undefined);
      await clock.settle();
    }
    const result = await running;

    expect(result.records.map((r) => [r.decision, r.suppressedReason])).toContainEqual(['suppressed', 'cooldown']);
    expect(healer.applied.map((a) => a.plan.step.kind)).toEqual(['restart', 'cache']);
    expect(result.final.decision).toBe('kept');
  });

  it('does not wait on an unknown first look: nothing was done, so there is nothing to re-check', async () => {
    const { pipeline } = setup({ values: {} });

    const result = await pipeline.runOnce(backend);

    expect(result.records.map((r) => r.suppressedReason)).toEqual(['unknown']);
  });

  it('rejects when aborted while waiting for the re-check', async () => {
    const { pipeline, clock, makeAtRisk } = setup();
    makeAtRisk();
    const controller = new AbortController();

    const running = pipeline.runOnce(backend, { signal: controller.signal });
    await waitUntil(() => clock.pendingSleeps() > 0, 'a sleep');
    controller.abort(new Error('ctrl-c'));

    await expect(running).rejects.toThrow('ctrl-c');
  });
});

describe('watch', () => {
  it('evaluates every target each interval until aborted, then resolves', async () => {
    const { pipeline, clock } = setup({ values: { 'prod/backend': { ...HEALTHY_FEATURES }, 'prod/frontend': { ...HEALTHY_FEATURES } } });
    const seen: string[] = [];
    pipeline.subscribe((record) => seen.push(record.target.name));
    const controller = new AbortController();

    const watching = pipeline.watch([backend, frontend], { intervalMs: 15_000, signal: controller.signal });
    await advanceOnceSleeping(clock, 15_000);
    await advanceOnceSleeping(clock, 0);
    controller.abort();
    await watching;

    expect(seen.sort()).toEqual(['backend', 'backend', 'frontend', 'frontend']);
    expect(clock.pendingSleeps()).toBe(0);
  });

  it('evaluates at most `concurrency` targets at once', async () => {
    const targets: TargetRef[] = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ namespace: 'prod', kind: 'Deployment', name }));
    const waiting: Array<() => void> = [];
    let active = 0;
    let maxActive = 0;
    const healer = createInMemoryHealer();
    // A healer that holds every read of the target (the state and the rollout) until the test lets it
    // go, so overlapping evaluations can be counted.
    const slowHealer: Healer = {
      ...healer,
      readTarget: async (target, options) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((resolve) => waiting.push(resolve));
        active -= 1;
        return healer.readTarget!(target, options);
      },
    };
    const clock = createFakeClock(T0);
    const pipeline = createPipeline({
      featureSource: createInMemoryFeatureSource({ values: () => ({ ...HEALTHY_FEATURES }) }),
      riskModel: createInMemoryRiskModel(),
      healer: slowHealer,
      clock,
    });
    let evaluated = 0;
    pipeline.subscribe(() => evaluated++);
    const controller = new AbortController();

    const watching = pipeline.watch(targets, { concurrency: 2, signal: controller.signal });
    for (let released = 0; released < targets.length; released++) {
      await waitUntil(() => waiting.length > 0, 'a state read to start');
      waiting.shift()!();
    }
    await waitUntil(() => evaluated === targets.length, 'every target to be evaluated');
    controller.abort();
    await watching;

    expect(maxActive).toBe(2);
  });

  it('scores a whole round with one scoreBatch call, each target at its own threshold', async () => {
    const { clock, source } = setup({ values: () => ({ ...HEALTHY_FEATURES }) });
    const model = createInMemoryRiskModel();
    const calls = { score: 0, batches: [] as number[] };
    const countingModel: RiskModel = {
      ...model,
      score: (vector, options) => (calls.score++, model.score(vector, options)),
      scoreBatch: (vectors, options) => (calls.batches.push(vectors.length), model.scoreBatch(vectors, options)),
    };
    const pipeline = createPipeline({ featureSource: source, riskModel: countingModel, healer: createInMemoryHealer(), clock, policy: { threshold: 0.5, targetThresholds: { 'prod/frontend': 0.9 } } });
    const thresholds: Record<string, number> = {};
    pipeline.subscribe((record) => (thresholds[record.target.name] = record.assessment.threshold));
    const controller = new AbortController();

    const watching = pipeline.watch([backend, frontend, worker], { signal: controller.signal });
    await waitUntil(() => clock.pendingSleeps() > 0, 'the round to end');
    controller.abort();
    await watching;

    expect(calls).toEqual({ score: 0, batches: [3] });
    expect(thresholds).toEqual({ backend: 0.5, frontend: 0.9, worker: 0.5 });
  });

  it('scores each row alone when scoreBatch fails, and reports the batch failure', async () => {
    const { clock, source } = setup({ values: () => ({ ...HEALTHY_FEATURES }) });
    const model = createInMemoryRiskModel();
    let scoreCalls = 0;
    const brokenBatch: RiskModel = { ...model, score: (vector, options) => (scoreCalls++, model.score(vector, options)), scoreBatch: async () => Promise.reject(new Error('batch too large')) };
    const errors: string[] = [];
    const pipeline = createPipeline({ featureSource: source, riskModel: brokenBatch, healer: createInMemoryHealer(), clock, onError: (_e, context) => errors.push(context.component) });
    const decisions: string[] = [];
    pipeline.subscribe((record) => decisions.push(`${record.target.name}:${record.decision}`));
    const controller = new AbortController();

    const watching = pipeline.watch([backend, frontend], { signal: controller.signal });
    await waitUntil(() => clock.pendingSleeps() > 0, 'the round to end');
    controller.abort();
    await watching;

    expect(decisions.sort()).toEqual(['backend:none', 'frontend:none']);
    expect(scoreCalls).toBe(2);
    expect(errors).toEqual([`watch:scoreBatch:${model.name}`]);
  });

  it('looks afresh right before a step, after the round scored the target at risk', async () => {
    const { clock, source, healer } = setup({ values: () => ({ ...AT_RISK_FEATURES }) });
    const model = createInMemoryRiskModel();
    let scoreCalls = 0;
    const counting: RiskModel = { ...model, score: (vector, options) => (scoreCalls++, model.score(vector, options)) };
    const pipeline = createPipeline({ featureSource: source, riskModel: counting, healer, clock });
    const controller = new AbortController();
    const collectsBefore = source.collectCount;

    const watching = pipeline.watch([backend], { signal: controller.signal });
    await waitUntil(() => clock.pendingSleeps() > 0, 'the round to end');
    controller.abort();
    await watching;

    // The round: one collectMany; the re-validation: one collect and one score of its own.
    expect(healer.applied).toHaveLength(1);
    expect(scoreCalls).toBe(1);
    expect(source.collectCount - collectsBefore).toBe(2);
  });

  it('collects a whole round with one collectMany call', async () => {
    const { clock, source } = setup({ values: () => ({ ...HEALTHY_FEATURES }) });
    let collectManyCalls = 0;
    let collectCalls = 0;
    const countingSource: FeatureSource = {
      ...source,
      collect: (target, options) => (collectCalls++, source.collect(target, options)),
      collectMany: (targets, options) => (collectManyCalls++, source.collectMany(targets, options)),
    };
    const batched = createPipeline({ featureSource: countingSource, riskModel: createInMemoryRiskModel(), healer: createInMemoryHealer(), clock });
    const controller = new AbortController();

    const watching = batched.watch([backend, frontend], { signal: controller.signal });
    await waitUntil(() => clock.pendingSleeps() > 0, 'the round to end');
    controller.abort();
    await watching;

    expect([collectManyCalls, collectCalls]).toEqual([1, 0]);
  });

  it('falls back to one collect per target when collectMany fails, and reports the batch failure', async () => {
    const { clock, source } = setup({ values: () => ({ ...HEALTHY_FEATURES }) });
    const brokenBatch: FeatureSource = { ...source, collectMany: async () => Promise.reject(new Error('query too large')) };
    const errors: string[] = [];
    const pipeline = createPipeline({ featureSource: brokenBatch, riskModel: createInMemoryRiskModel(), healer: createInMemoryHealer(), clock, onError: (_e, context) => errors.push(context.component) });
    const decisions: string[] = [];
    pipeline.subscribe((record) => decisions.push(`${record.target.name}:${record.decision}`));
    const controller = new AbortController();

    const watching = pipeline.watch([backend, frontend], { signal: controller.signal });
    await waitUntil(() => clock.pendingSleeps() > 0, 'the round to end');
    controller.abort();
    await watching;

    expect(decisions.sort()).toEqual(['backend:none', 'frontend:none']);
    expect(errors).toEqual(['watch:collectMany:in-memory']);
  });

  it('resolves at once when the signal is already aborted', async () => {
    const { pipeline, source } = setup();
    const controller = new AbortController();
    controller.abort();

    await pipeline.watch([backend], { signal: controller.signal });

    expect(source.collectCount).toBe(0);
  });

  it('reports a failing target to onError and keeps evaluating the others', async () => {
    const { pipeline, clock, errors } = setup();
    const seen: string[] = [];
    pipeline.subscribe((record) => seen.push(record.target.name));
    const controller = new AbortController();

    const watching = pipeline.watch([{ namespace: 'Not Valid', name: 'x' }, backend], { signal: controller.signal });
    await advanceOnceSleeping(clock, 0);
    controller.abort();
    await watching;

    expect(seen).toEqual(['backend']);
    expect(errors.map((e) => e.context.component)).toEqual(['watch']);
  });

  it('reports a failing target list to onError and tries again next round', async () => {
    const { pipeline, clock, errors } = setup();
    let rounds = 0;
    const seen: string[] = [];
    pipeline.subscribe((record) => seen.push(record.target.name));
    const controller = new AbortController();

    const watching = pipeline.watch(
      async () => {
        rounds += 1;
        if (rounds === 1) throw new Error('list failed');
        return [backend];
      },
      { intervalMs: 1_000, signal: controller.signal },
    );
    await advanceOnceSleeping(clock, 1_000);
    await advanceOnceSleeping(clock, 0);
    controller.abort();
    await watching;

    expect(errors.map((e) => e.context.component)).toEqual(['watch:targets']);
    expect(seen).toEqual(['backend']);
  });

  it('names a wrong option', async () => {
    const { pipeline } = setup();

    await expect(pipeline.watch([backend], { concurrency: 0 })).rejects.toThrow(/watch: invalid options: concurrency: must be at least 1/);
  });
});

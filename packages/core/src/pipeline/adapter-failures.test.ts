import { describe, expect, it } from 'vitest';
import { AutohealError } from '../errors.js';
import type { HealingState } from '../healing.js';
import type { WriteStateOptions } from '../interfaces/healer.js';
import type { TargetRef } from '../target.js';
import { HEALTHY_FEATURES } from '../testing/fixtures.js';
import { createInMemoryFeatureSource } from '../testing/in-memory-feature-source.js';
import { createInMemoryHealer } from '../testing/in-memory-healer.js';
import { createInMemoryRiskModel } from '../testing/in-memory-risk-model.js';
import { createPipeline } from './create-pipeline.js';
import { advanceOnceSleeping, backend, setup, waitUntil } from './pipeline.test-setup.js';

describe('adapter failures during an evaluation', () => {
  it('counts an apply that throws as a failed attempt and reports it in the record', async () => {
    const inner = createInMemoryHealer();
    const healer = { ...inner, apply: async () => Promise.reject(new Error('409 conflict')) };
    const { pipeline, makeAtRisk, state } = setup({ healer: healer as typeof inner });
    makeAtRisk();

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'heal', action: { step: 'restart', outcome: { ok: false, message: 'apply failed: 409 conflict' } } });
    expect((await state()).attempt).toBe(1);
  });

  it('gives up on a step that hangs after actionTimeoutMs: failed outcome, attempt counted, target released', async () => {
    let applySignal: AbortSignal | undefined;
    const inner = createInMemoryHealer();
    const healer = {
      ...inner,
      apply: (_target: unknown, _plan: unknown, options?: { signal?: AbortSignal }) => {
        applySignal = options?.signal;
        return new Promise<never>(() => {});
      },
    };
    const { pipeline, clock, makeAtRisk, state } = setup({ healer: healer as typeof inner, policy: { actionTimeoutMs: 30_000 } });
    makeAtRisk();
    const evaluation = pipeline.evaluate(backend);
    await waitUntil(() => applySignal !== undefined, 'the step to start');

    await clock.advance(30_000);
    const record = await evaluation;
    const next = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'heal', action: { step: 'restart', outcome: { ok: false } } });
    expect(record.action?.outcome?.message).toMatch(/apply timed out after 30000 ms/);
    expect(applySignal?.aborted).toBe(true);
    expect((await state()).attempt).toBe(1);
    expect(next.decision).toBe('awaiting-recheck');
  });

  it('leaves no step timer behind when the step ends in time', async () => {
    const { pipeline, clock, makeAtRisk } = setup();
    makeAtRisk();

    await pipeline.evaluate(backend);

    expect(clock.pendingSleeps()).toBe(0);
  });

  it('never applies a step whose claim could not be written: suppressed state-unavailable, reported to onError', async () => {
    const inner = createInMemoryHealer();
    const healer = { ...inner, writeState: async () => Promise.reject(new Error('annotation patch forbidden')) };
    const { pipeline, makeAtRisk, errors } = setup({ healer: healer as typeof inner });
    makeAtRisk();

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'state-unavailable' });
    expect(record.summary).toMatch(/the claim on this attempt could not be written \(annotation patch forbidden\); nothing applied/);
    expect(inner.applied).toHaveLength(0);
    expect(errors.map((e) => e.context.component)).toEqual(['healer:writeState']);
  });

  it('keeps a step whose claim could not be cleared afterwards: applied once, attempt counted, said in the summary', async () => {
    const inner = createInMemoryHealer();
    // The claim (a state with an intent) is written; the write that clears it after the step fails.
    const healer = { ...inner, writeState: async (target: TargetRef, state: HealingState | null, options?: WriteStateOptions) => (state?.intent ? inner.writeState(target, state, options) : Promise.reject(new Error('503 unavailable'))) };
    const { pipeline, makeAtRisk, errors } = setup({ healer: healer as typeof inner, policy: { actionTimeoutMs: 60_000 } });
    makeAtRisk();

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'heal', ladder: { attempt: 1 } });
    expect(record.summary).toMatch(/the claim could not be cleared \(the ladder state could not be saved \(503 unavailable\)\); the attempt is counted and the claim expires at 2026-01-01T00:01:30.000Z/);
    expect(inner.applied).toHaveLength(1);
    expect(await inner.readState(backend)).toMatchObject({ attempt: 1, intent: { attempt: 1, holder: pipeline.identity } });
    expect(errors.map((e) => e.context.component)).toEqual(['healer:writeState']);
  });

  it('records state-unavailable, naming the healer, when the ladder state cannot be read, and reports it to onError', async () => {
    const healer = createInMemoryHealer({ name: 'kubernetes' });
    healer.failStateWith(new Error('403 forbidden'));
    const { pipeline, notifier, errors } = setup({ healer });

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'state-unavailable' });
    expect(record.summary).toMatch(/could not read the ladder state of prod\/backend from healer "kubernetes": .*403 forbidden; nothing is done without the ladder state/);
    expect(healer.plans).toHaveLength(0);
    expect(notifier.records).toEqual([record]);
    expect(errors.map((e) => e.context.component)).toContain('healer:readState');
  });

  it('keeps going when onError itself throws', async () => {
    const pipeline = createPipeline({
      featureSource: createInMemoryFeatureSource({ values: { 'prod/backend': { ...HEALTHY_FEATURES } } }),
      riskModel: createInMemoryRiskModel(),
      healer: createInMemoryHealer(),
      notifiers: [{ name: 'broken', notify: async () => Promise.reject(new Error('down')) }],
      onError: () => {
        throw new Error('handler bug');
      },
    });

    await expect(pipeline.evaluate(backend)).resolves.toMatchObject({ decision: 'none' });
  });

  it('treats a model probability outside [0, 1] as unknown', async () => {
    const model = createInMemoryRiskModel();
    const healer = createInMemoryHealer();
    const pipeline = createPipeline({
      featureSource: createInMemoryFeatureSource({ values: { 'prod/backend': { ...HEALTHY_FEATURES } } }),
      riskModel: { ...model, score: async () => ({ probability: 7 }) },
      healer,
    });

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'unknown', assessment: { probability: null } });
    expect(record.assessment.reason).toMatch(/returned probability 7, outside \[0, 1\]/);
    expect(healer.plans).toHaveLength(0);
  });
});

describe('aborting', () => {
  it('rejects an evaluation whose signal is already aborted with ABORTED, recording nothing', async () => {
    const { pipeline, notifier } = setup();
    const controller = new AbortController();
    controller.abort();

    const evaluation = pipeline.evaluate(backend, { signal: controller.signal });

    await expect(evaluation).rejects.toSatisfy((error) => AutohealError.isInstance(error) && error.code === 'ABORTED');
    expect(notifier.records).toHaveLength(0);
  });

  it('ends watch without reporting an error when aborted during an evaluation', async () => {
    const inner = createInMemoryFeatureSource();
    let collecting = false;
    // A source that, like an HTTP client, only answers when its request is aborted.
    const hang = (options?: { signal?: AbortSignal }) => {
      collecting = true;
      return new Promise<never>((_resolve, reject) => options?.signal?.addEventListener('abort', () => reject(options.signal?.reason)));
    };
    const hangingSource = { ...inner, collect: (_target: unknown, options?: { signal?: AbortSignal }) => hang(options), collectMany: (_targets: unknown, options?: { signal?: AbortSignal }) => hang(options) };
    const errors: unknown[] = [];
    const pipeline = createPipeline({ featureSource: hangingSource, riskModel: createInMemoryRiskModel(), healer: createInMemoryHealer(), onError: (error) => errors.push(error) });
    const controller = new AbortController();
    const watching = pipeline.watch([backend], { signal: controller.signal });
    await waitUntil(() => collecting, 'the collection to start');

    controller.abort();
    await watching;

    expect(errors).toEqual([]);
  });

  it('does not start another round after an abort while sleeping', async () => {
    const { pipeline, clock, source } = setup();
    const controller = new AbortController();
    const watching = pipeline.watch([backend], { intervalMs: 1_000, signal: controller.signal });
    await advanceOnceSleeping(clock, 0);

    controller.abort();
    await watching;
    await clock.advance(5_000);

    expect(source.collectCount).toBe(1);
  });
});

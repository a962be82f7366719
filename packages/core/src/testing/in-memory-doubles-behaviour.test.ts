import { describe, expect, it } from 'vitest';
import { healStepSchema } from '../healing.js';
import { AT_RISK_FEATURES, HEALTHY_FEATURES } from './fixtures.js';
import { createInMemoryFeatureSource } from './in-memory-feature-source.js';
import { createInMemoryHealer } from './in-memory-healer.js';
import { createInMemoryRiskModel } from './in-memory-risk-model.js';

const backend = { namespace: 'prod', kind: 'Deployment' as const, name: 'backend' };

describe('createInMemoryRiskModel', () => {
  it('scores the healthy fixture below 0.5 and the at-risk fixture above it', async () => {
    const model = createInMemoryRiskModel();

    const [healthy, atRisk] = await model.scoreBatch([HEALTHY_FEATURES, AT_RISK_FEATURES]);

    expect(healthy?.probability).toBeLessThan(0.5);
    expect(atRisk?.probability).toBeGreaterThan(0.5);
  });

  it('lists contributions largest first', async () => {
    const model = createInMemoryRiskModel();

    const { contributions = [] } = await model.score(AT_RISK_FEATURES);

    expect(contributions.map((c) => c.feature).slice(0, 3)).toEqual(['restart_count_last_5m', 'unavailable_replicas', 'http_5xx_error_rate']);
  });

  it('rejects a custom score outside [0, 1] with a model error', async () => {
    const model = createInMemoryRiskModel({ score: () => 1.5 });

    await expect(model.score(HEALTHY_FEATURES)).rejects.toThrow(/returned 1.5; it must return a probability in \[0, 1\]/);
  });

  it('names a wrong option', () => {
    expect(() => createInMemoryRiskModel({ featureNames: [] })).toThrow(/featureNames: needs at least one feature name/);
  });
});

describe('createInMemoryFeatureSource', () => {
  it('reports every feature missing, with the reason, for a target without values', async () => {
    const source = createInMemoryFeatureSource();

    const observation = await source.collect(backend);

    expect(Object.values(observation.values).every((v) => v === null)).toBe(true);
    expect(observation.missing[0]?.reason).toBe('no values set for target prod/backend');
  });

  it('serves values from a function of the target and the time', async () => {
    const source = createInMemoryFeatureSource({ clock: { now: () => 42 }, values: (_target, now) => ({ ...HEALTHY_FEATURES, cpu_usage_pct: now }) });

    const observation = await source.collect(backend);

    expect(observation.observedAt).toBe(42);
    expect(observation.values.cpu_usage_pct).toBe(42);
  });

  it('names a wrong option', () => {
    expect(() => createInMemoryFeatureSource({ values: 3 as never })).toThrow(/values: must be a Map or a record/);
  });
});

describe('createInMemoryHealer', () => {
  it('records applied plans but not dry-run applies', async () => {
    const healer = createInMemoryHealer();
    const plan = await healer.plan(backend, healStepSchema.parse({ kind: 'cache' }), 2);

    await healer.apply(backend, plan, { dryRun: true });
    await healer.apply(backend, plan);

    expect(healer.applied).toHaveLength(1);
    expect(plan.operations.map((o) => o.op)).toEqual(['exec', 'restart', 'scale']);
  });

  it('plans a scale from its replica count to the next, and an applied scale moves the count', async () => {
    const healer = createInMemoryHealer();
    const step = healStepSchema.parse({ kind: 'restart', scaleUp: { by: 1, maxReplicas: 3 } });

    const first = await healer.plan(backend, step, 1);
    await healer.apply(backend, first);
    const second = await healer.plan(backend, step, 2);

    expect(first.operations.find((o) => o.op === 'scale')?.details).toEqual({ from: 2, to: 3, ceiling: 3 });
    expect(second.operations.find((o) => o.op === 'scale')?.details).toEqual({ from: 3, to: 3, ceiling: 3, noop: true });
  });

  it('reports a configured failure in the outcome instead of throwing', async () => {
    const healer = createInMemoryHealer({ failOn: ['rollback'] });
    const plan = await healer.plan(backend, healStepSchema.parse({ kind: 'rollback' }), 3);

    const outcome = await healer.apply(backend, plan);

    expect(outcome).toMatchObject({ ok: false, dryRun: false, results: [{ op: 'rollback', ok: false }] });
  });

  it('names a wrong option', () => {
    expect(() => createInMemoryHealer({ failOn: 'cache' as never })).toThrow(/failOn: must be a list of step kinds/);
  });
});

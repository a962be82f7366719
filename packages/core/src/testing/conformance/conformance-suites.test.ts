/**
 * The conformance suites must be able to fail: each broken implementation below breaks one rule of
 * its contract, and the check for that rule must reject it.
 */
import { describe, expect, it } from 'vitest';
import type { FeatureSource } from '../../interfaces/feature-source.js';
import type { Healer } from '../../interfaces/healer.js';
import type { RiskModel } from '../../interfaces/risk-model.js';
import { HEALTHY_FEATURES } from '../fixtures.js';
import { createInMemoryFeatureSource } from '../in-memory-feature-source.js';
import { createInMemoryHealer } from '../in-memory-healer.js';
import { createInMemoryNotifier } from '../in-memory-notifier.js';
import { createInMemoryRiskModel } from '../in-memory-risk-model.js';
import { runConformanceCheck, type ConformanceCheck } from './conformance-check.js';
import { featureSourceConformanceChecks } from './feature-source-conformance.js';
import { healerConformanceChecks } from './healer-conformance.js';
import { notifierConformanceChecks } from './notifier-conformance.js';
import { riskModelConformanceChecks } from './risk-model-conformance.js';

const backend = { namespace: 'prod', kind: 'Deployment' as const, name: 'backend' };

function check<F>(checks: ReadonlyArray<ConformanceCheck<F>>, namePart: string): ConformanceCheck<F> {
  const found = checks.find((c) => c.name.includes(namePart));
  if (!found) throw new Error(`no conformance check named like "${namePart}"`);
  return found;
}

describe('FeatureSource conformance checks', () => {
  const healthySource = () => createInMemoryFeatureSource({ values: { 'prod/backend': { ...HEALTHY_FEATURES } } });

  it('reject a source that reports null without a missing entry', async () => {
    const inner = healthySource();
    const source: FeatureSource = { ...inner, collect: async (target) => ({ ...(await inner.collect(target)), values: { ...HEALTHY_FEATURES, cpu_usage_pct: null }, missing: [] }) };

    const run = runConformanceCheck(async () => ({ source, target: backend }), check(featureSourceConformanceChecks, 'missing entry for each null'));

    await expect(run).rejects.toThrow(/cpu_usage_pct" is null, so it needs a "missing" entry/);
  });

  it('reject a collectMany that returns the targets in another order', async () => {
    const inner = createInMemoryFeatureSource({ values: { 'prod/backend': { ...HEALTHY_FEATURES }, 'prod/frontend': { ...HEALTHY_FEATURES } } });
    const source: FeatureSource = { ...inner, collectMany: async (targets) => (await inner.collectMany(targets)).reverse() };

    const run = runConformanceCheck(async () => ({ source, target: backend, otherTargets: [{ ...backend, name: 'frontend' }] }), check(featureSourceConformanceChecks, 'preserves the order'));

    await expect(run).rejects.toThrow();
  });

  it('reject a source that ignores an aborted signal', async () => {
    const inner = healthySource();
    const source: FeatureSource = { ...inner, collect: (target) => inner.collect(target) };

    const run = runConformanceCheck(async () => ({ source, target: backend }), check(featureSourceConformanceChecks, 'already aborted'));

    await expect(run).rejects.toThrow();
  });

  it('pass the in-memory source and clean up after each check', async () => {
    let cleanups = 0;

    for (const each of featureSourceConformanceChecks) await runConformanceCheck(async () => ({ source: healthySource(), target: backend, cleanup: () => void cleanups++ }), each);

    expect(cleanups).toBe(featureSourceConformanceChecks.length);
  });
});

describe('RiskModel conformance checks', () => {
  it('reject a model whose probability falls when restarts grow', async () => {
    const model = createInMemoryRiskModel({ score: (vector) => 1 / (1 + (vector.restart_count_last_5m ?? 0)) });

    const run = runConformanceCheck(async () => ({ model }), check(riskModelConformanceChecks, 'harmful default feature grows'));

    await expect(run).rejects.toThrow(/restart_count_last_5m: probabilities .* must not decrease/);
  });

  it('reject a scoreBatch that disagrees with score', async () => {
    const inner = createInMemoryRiskModel();
    const model: RiskModel = { ...inner, scoreBatch: async (vectors) => vectors.map(() => ({ probability: 0.5 })) };

    const run = runConformanceCheck(async () => ({ model }), check(riskModelConformanceChecks, 'scoreBatch returns'));

    await expect(run).rejects.toThrow();
  });

  it('reject contributions naming a feature the model does not have', async () => {
    const inner = createInMemoryRiskModel();
    const model: RiskModel = { ...inner, score: async () => ({ probability: 0.2, contributions: [{ feature: 'gpu_temperature', value: 1, contribution: 1 }] }) };

    const run = runConformanceCheck(async () => ({ model }), check(riskModelConformanceChecks, 'contributions'));

    await expect(run).rejects.toThrow(/gpu_temperature/);
  });
});

describe('Healer conformance checks', () => {
  it('reject a healer whose plan writes state', async () => {
    const inner = createInMemoryHealer();
    const healer: Healer = {
      ...inner,
      plan: async (target, step, attempt) => {
        await inner.writeState(target, { attempt });
        return inner.plan(target, step, attempt);
      },
    };

    const run = runConformanceCheck(async () => ({ healer, target: backend }), check(healerConformanceChecks, 'plan writes nothing'));

    await expect(run).rejects.toThrow();
  });

  it('reject a healer whose dry-run apply does not say so', async () => {
    const inner = createInMemoryHealer();
    const healer: Healer = { ...inner, apply: (target, plan) => inner.apply(target, plan) };

    const run = runConformanceCheck(async () => ({ healer, target: backend }), check(healerConformanceChecks, 'apply with dryRun'));

    await expect(run).rejects.toThrow();
  });

  it('reject a healer whose writeState(null) leaves the attempt', async () => {
    const inner = createInMemoryHealer();
    const healer: Healer = { ...inner, writeState: async (target, state) => inner.writeState(target, state ?? { attempt: 2 }) };

    const run = runConformanceCheck(async () => ({ healer, target: backend }), check(healerConformanceChecks, 'writeState(null)'));

    await expect(run).rejects.toThrow();
  });
});

describe('Notifier conformance checks', () => {
  it('reject a notifier that fails to notify', async () => {
    const notifier = createInMemoryNotifier({ failWith: new Error('webhook down') });

    const run = runConformanceCheck(async () => ({ notifier }), check(notifierConformanceChecks, 'notify resolves'));

    await expect(run).rejects.toThrow(/instead of resolving/);
  });
});

/**
 * The circuit breaker with a shared store: its window survives a restart and binds every process,
 * and it fails closed when the store cannot be read.
 */
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../testing/fake-clock.js';
import { AT_RISK_FEATURES } from '../testing/fixtures.js';
import { createInMemoryCircuitStore, type InMemoryCircuitStore } from '../testing/in-memory-circuit-store.js';
import { createInMemoryFeatureSource } from '../testing/in-memory-feature-source.js';
import { createInMemoryHealer } from '../testing/in-memory-healer.js';
import { createInMemoryRiskModel } from '../testing/in-memory-risk-model.js';
import type { TargetRef } from '../target.js';
import { createCircuitBreaker } from './circuit-breaker.js';
import { createPipeline } from './create-pipeline.js';
import { T0 } from './pipeline.test-setup.js';

const targets: TargetRef[] = Array.from({ length: 6 }, (_, index) => ({ namespace: 'prod', kind: 'Deployment', name: `svc-${index}` }));
const allAtRisk = Object.fromEntries(targets.map((target) => [`prod/${target.name}`, { ...AT_RISK_FEATURES }]));

function cluster(store: InMemoryCircuitStore = createInMemoryCircuitStore()) {
  const clock = createFakeClock(T0);
  const healer = createInMemoryHealer();
  const source = createInMemoryFeatureSource({ clock, values: allAtRisk });
  const start = (identity: string) =>
    createPipeline({ featureSource: source, riskModel: createInMemoryRiskModel(), healer, clock, identity, circuitStore: store, policy: { circuitBreaker: { maxActions: 3, windowMs: 600_000 } }, onError: () => {} });
  return { clock, healer, store, start };
}

describe('shared circuit breaker', () => {
  it('binds two processes: together they take no more than maxActions steps in the window', async () => {
    const { start, healer } = cluster();
    const server = start('autoheal-server');
    const ci = start('autoheal-ci');

    const records = await Promise.all(targets.map((target, index) => (index % 2 === 0 ? server : ci).evaluate(target)));

    expect(records.filter((record) => record.decision === 'heal')).toHaveLength(3);
    expect(records.filter((record) => record.suppressedReason === 'circuit-open')).toHaveLength(3);
    expect(healer.applied).toHaveLength(3);
  });

  it('survives a restart: a new process continues the window instead of starting empty', async () => {
    const { start, healer } = cluster();
    const before = start('autoheal-0');
    for (const target of targets.slice(0, 2)) await before.evaluate(target);
    await before.close();

    const after = start('autoheal-1');
    const records = [];
    for (const target of targets.slice(2)) records.push(await after.evaluate(target));

    expect(records.map((record) => record.decision)).toEqual(['heal', 'suppressed', 'suppressed', 'suppressed']);
    expect(healer.applied).toHaveLength(3);
    expect(after.circuitState()).toEqual({ open: true, actionsInWindow: 3, maxActions: 3 });
  });

  it('fails closed when the window cannot be read, and says why in the record', async () => {
    const { start, store, healer } = cluster();
    store.failWith(new Error('configmaps "autoheal-circuit-breaker" is forbidden'));
    const pipeline = start('autoheal-0');

    const record = await pipeline.evaluate(targets[0]!);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'circuit-open', circuit: { open: true } });
    expect(record.circuit.unavailable).toMatch(/the shared circuit breaker \(in-memory\) could not be read: .*forbidden/);
    expect(healer.applied).toHaveLength(0);
  });

  it('records each slot with the target, the step and who took it', async () => {
    const { start, store } = cluster();

    await start('autoheal-0').evaluate(targets[0]!);

    expect(store.slots).toEqual([{ at: T0, target: 'prod/svc-0', holder: 'autoheal-0', step: 'restart' }]);
  });
});

describe('createCircuitBreaker with a store', () => {
  it('fails closed when a slot cannot be written, but lets a forced step through uncounted', async () => {
    const store = createInMemoryCircuitStore();
    const breaker = createCircuitBreaker({ maxActions: 5, windowMs: 60_000, store });
    store.failWith(new Error('connection refused'));
    const owner = { target: 'prod/a', holder: 'autoheal-0' };

    const automatic = await breaker.acquire(T0, owner);
    const forced = await breaker.acquire(T0, owner, { force: true });

    expect(automatic).toEqual({ taken: false, why: expect.stringMatching(/the shared circuit breaker \(in-memory\) could not be updated: .*connection refused; failing closed/) });
    expect(forced).toMatchObject({ taken: true, why: expect.stringMatching(/the forced step is not counted/) });
  });

  it('ignores circuitHistory with a store (the store holds the window) and keeps it without one', () => {
    const withStore = createCircuitBreaker({ maxActions: 2, windowMs: 60_000, priorActionTimes: [T0 - 1_000, T0 - 2_000], store: createInMemoryCircuitStore() });
    const inMemory = createCircuitBreaker({ maxActions: 2, windowMs: 60_000, priorActionTimes: [T0 - 1_000, T0 - 2_000] });

    expect(withStore.state(T0)).toMatchObject({ open: false, actionsInWindow: 0 });
    expect(inMemory.state(T0)).toMatchObject({ open: true, actionsInWindow: 2 });
  });
});

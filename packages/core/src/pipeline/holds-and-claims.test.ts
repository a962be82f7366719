/**
 * Holds (pauses, maintenance windows) meeting the reliability work (claims, the fence, the shared
 * breaker), on the in-memory doubles: a hold is decided before any fence check, breaker slot or
 * claim, and a forced operator step that passes a hold still goes through all of them.
 */
import { describe, expect, it } from 'vitest';
import type { HealingState } from '../healing.js';
import type { ActionFence } from '../interfaces/action-fence.js';
import type { Healer } from '../interfaces/healer.js';
import type { PauseStatus } from '../pause.js';
import { createFakeClock } from '../testing/fake-clock.js';
import { AT_RISK_FEATURES } from '../testing/fixtures.js';
import { createInMemoryCircuitStore } from '../testing/in-memory-circuit-store.js';
import { createInMemoryFeatureSource } from '../testing/in-memory-feature-source.js';
import { createInMemoryHealer, type InMemoryHealer } from '../testing/in-memory-healer.js';
import { createInMemoryRiskModel } from '../testing/in-memory-risk-model.js';
import { createPipeline } from './create-pipeline.js';
import type { PolicyInput } from './policy.js';
import { INTENT_GRACE_MS } from './take-step.js';
import { backend, T0 } from './pipeline.test-setup.js';

const PAUSED: PauseStatus = { pauses: [{ scope: 'target', source: 'test pause list', reason: 'migration' }] };

/** One at-risk target; every fence check and every state write is counted. */
function held(options: { policy?: PolicyInput; fence?: ActionFence; healer?: InMemoryHealer; identity?: string } = {}) {
  const clock = createFakeClock(T0);
  const inner = options.healer ?? createInMemoryHealer();
  const writes: Array<HealingState | null> = [];
  const healer: Healer = { ...inner, writeState: async (target, state, callOptions) => (writes.push(state), inner.writeState(target, state, callOptions)) };
  const store = createInMemoryCircuitStore();
  let fenceChecks = 0;
  const fence: ActionFence = { check: () => (fenceChecks++, options.fence?.check()) };
  const pauses: Record<string, PauseStatus> = { 'prod/backend': PAUSED };
  const pipeline = createPipeline({
    featureSource: createInMemoryFeatureSource({ clock, values: { 'prod/backend': { ...AT_RISK_FEATURES } } }),
    riskModel: createInMemoryRiskModel(),
    healer,
    clock,
    identity: options.identity ?? 'autoheal-a',
    policy: options.policy,
    fence,
    circuitStore: store,
    onError: () => {},
    pauses: { name: 'test-pauses', pauseOf: async (target) => pauses[`${target.namespace}/${target.name}`] ?? { pauses: [] } },
  });
  return { clock, inner, writes, store, pipeline, pauses, fenceChecks: () => fenceChecks };
}

describe('holds before claims, the fence and the breaker', () => {
  it('a held at-risk target asks no fence, takes no slot and writes no claim', async () => {
    const { pipeline, inner, writes, store, fenceChecks } = held();

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'paused' });
    expect(fenceChecks()).toBe(0);
    expect(store.slots).toHaveLength(0);
    expect(writes).toEqual([]);
    expect(inner.applied).toHaveLength(0);
  });

  it('a maintenance window holds the same way: no fence check, no slot, no claim', async () => {
    const { pipeline, pauses, writes, store, fenceChecks } = held({ policy: { maintenanceWindows: [{ name: 'freeze', from: new Date(T0 - 60_000).toISOString(), until: new Date(T0 + 3_600_000).toISOString() }] } });
    delete pauses['prod/backend'];

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'maintenance', holds: [{ kind: 'maintenance', window: 'freeze' }] });
    expect([fenceChecks(), store.slots.length, writes.length]).toEqual([0, 0, 0]);
  });

  it('leaves a claim nobody reported back as it is while held, and settles it (never re-applied) once the hold ends', async () => {
    const inner = createInMemoryHealer();
    const stale: HealingState = { attempt: 1, lastStep: 'restart', lastActionAt: T0 - 900_000, steps: ['restart'], intent: { attempt: 1, step: 'restart', holder: 'autoheal-gone', startedAt: T0 - 900_000, deadline: T0 - 900_000 + 60_000 + INTENT_GRACE_MS } };
    await inner.writeState(backend, stale);
    const { pipeline, pauses, writes } = held({ healer: inner, policy: { actionTimeoutMs: 60_000 } });

    const whileHeld = await pipeline.evaluate(backend);
    expect(whileHeld).toMatchObject({ decision: 'suppressed', suppressedReason: 'paused' });
    expect(writes).toEqual([]);
    expect(await inner.readState(backend)).toEqual(stale);

    delete pauses['prod/backend'];
    const resumed = await pipeline.evaluate(backend);
    expect(resumed.summary).toMatch(/step 1\/3 \(restart\) claimed by autoheal-gone at .* never reported back/);
    // The stale attempt counted: the loop goes on with step 2, never step 1 again.
    expect(inner.applied.map((step) => [step.plan.step.kind, step.plan.attempt])).toEqual([['cache', 2]]);
  });

  it("records another process's live claim as in-flight even while held: something is acting on the target", async () => {
    const inner = createInMemoryHealer();
    await inner.writeState(backend, { attempt: 1, lastStep: 'restart', lastActionAt: T0, steps: ['restart'], intent: { attempt: 1, step: 'restart', holder: 'autoheal-b', startedAt: T0, deadline: T0 + 60_000 } });
    const { pipeline } = held({ healer: inner });

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'in-flight', holds: [{ kind: 'paused' }] });
  });

  it('a forced operator step passes the hold, and still asks the fence, takes a slot and claims before applying', async () => {
    let claimedBeforeApply: HealingState | undefined;
    const inner: InMemoryHealer = createInMemoryHealer({ beforeApply: async (target) => void (claimedBeforeApply = await inner.readState(target)) });
    const { pipeline, store, fenceChecks } = held({ healer: inner });

    const record = await pipeline.healNow(backend, { force: true, reason: 'hotfix' });

    expect(record).toMatchObject({ decision: 'heal', action: { outcome: { ok: true } } });
    expect(record.summary).toMatch(/forced past: paused/);
    expect(fenceChecks()).toBeGreaterThan(0);
    expect(store.slots).toHaveLength(1);
    expect(claimedBeforeApply).toMatchObject({ attempt: 1, intent: { holder: 'autoheal-a', attempt: 1 } });
  });

  it('a forced operator step past a hold is still stopped by the fence (not-leader is never forced)', async () => {
    const { pipeline, inner, store, writes } = held({ fence: { check: () => 'not the leader: the Lease is held by autoheal-b' } });

    const record = await pipeline.healNow(backend, { force: true });

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'not-leader' });
    expect([inner.applied.length, store.slots.length, writes.length]).toEqual([0, 0, 0]);
  });
});

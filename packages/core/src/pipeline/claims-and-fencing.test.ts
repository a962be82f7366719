/**
 * Exactly-once healing across processes, on the in-memory doubles: two pipelines over one healer
 * stand for two autoheal processes acting on one cluster (two replicas, or the server and a CI
 * `autoheal run`). The claim is written before any change; a claim nobody reported back counts its
 * attempt and is never applied again; the fence stops a process that may no longer act.
 */
import { describe, expect, it } from 'vitest';
import type { HealingState } from '../healing.js';
import type { ActionFence } from '../interfaces/action-fence.js';
import { createFakeClock } from '../testing/fake-clock.js';
import { AT_RISK_FEATURES } from '../testing/fixtures.js';
import { createInMemoryFeatureSource } from '../testing/in-memory-feature-source.js';
import { createInMemoryHealer, type InMemoryHealer, type InMemoryHealerOptions } from '../testing/in-memory-healer.js';
import { createInMemoryRiskModel } from '../testing/in-memory-risk-model.js';
import { createPipeline } from './create-pipeline.js';
import type { PolicyInput } from './policy.js';
import { INTENT_GRACE_MS } from './take-step.js';
import { backend, T0, waitUntil } from './pipeline.test-setup.js';

/** Two processes (`a`, `b`) sharing one cluster (the healer) and one clock. */
function twoProcesses(options: { healer?: InMemoryHealerOptions | InMemoryHealer; policy?: PolicyInput; fenceA?: ActionFence } = {}) {
  const clock = createFakeClock(T0);
  const healer = options.healer && 'applied' in options.healer ? options.healer : createInMemoryHealer(options.healer as InMemoryHealerOptions | undefined);
  const source = createInMemoryFeatureSource({ clock, values: { 'prod/backend': { ...AT_RISK_FEATURES } } });
  const make = (identity: string, fence?: ActionFence) =>
    createPipeline({ featureSource: source, riskModel: createInMemoryRiskModel(), healer, clock, identity, policy: options.policy, onError: () => {}, ...(fence ? { fence } : {}) });
  return { clock, healer, source, a: make('autoheal-a', options.fenceA), b: make('autoheal-b') };
}

describe('claims: one application per attempt across processes', () => {
  it('lets exactly one of two processes take a step both found due; the other records in-flight naming the holder', async () => {
    let release!: () => void;
    let applying = false;
    const holding = new Promise<void>((resolve) => (release = resolve));
    const { a, b, healer } = twoProcesses({ healer: { beforeApply: () => ((applying = true), holding) } });

    const first = a.evaluate(backend);
    await waitUntil(() => applying, 'a to start applying');
    const second = await b.evaluate(backend);
    release();
    const applied = await first;

    expect(applied).toMatchObject({ decision: 'heal', ladder: { attempt: 1 } });
    expect(second).toMatchObject({ decision: 'suppressed', suppressedReason: 'in-flight' });
    expect(second.summary).toMatch(/step 1\/3 \(restart\) was claimed by autoheal-a at .* and is still in flight/);
    expect(healer.applied).toHaveLength(1);
  });

  it('loses the claim when another process wrote the state between the read and the claim: nothing applied', async () => {
    const inner = createInMemoryHealer();
    const healer = {
      ...inner,
      // Another process claims right after this one planned (the race the precondition exists for).
      plan: async (...args: Parameters<InMemoryHealer['plan']>) => {
        const plan = await inner.plan(...args);
        await inner.writeState(backend, { attempt: 1, lastStep: 'restart', lastActionAt: T0, steps: ['restart'], intent: { attempt: 1, step: 'restart', holder: 'autoheal-ci', startedAt: T0, deadline: T0 + 60_000 } });
        return plan;
      },
    } as InMemoryHealer;
    const { a } = twoProcesses({ healer });

    const record = await a.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'in-flight' });
    expect(record.summary).toMatch(/autoheal-ci claimed this target first \(it is acting on it\); nothing applied here/);
    expect(inner.applied).toHaveLength(0);
  });

  it('writes the claim before applying: the state seen during the step already counts the attempt and names the holder', async () => {
    let seen: HealingState | undefined;
    const healer: InMemoryHealer = createInMemoryHealer({ beforeApply: async (target) => void (seen = await healer.readState(target)) });
    const { a } = twoProcesses({ healer, policy: { actionTimeoutMs: 60_000 } });

    await a.evaluate(backend);

    expect(seen).toMatchObject({ attempt: 1, lastStep: 'restart', steps: ['restart'], intent: { attempt: 1, step: 'restart', holder: 'autoheal-a', startedAt: T0, deadline: T0 + 60_000 + INTENT_GRACE_MS } });
    expect(await healer.readState(backend)).not.toHaveProperty('intent');
  });

  it('never repeats a step whose holder crashed after applying it: the stale claim counts, the record cites the step', async () => {
    const policy = { actionTimeoutMs: 60_000, recheckDelayMs: 300_000, cooldownMs: 300_000 };
    const { b, healer, clock } = twoProcesses({ policy });
    // Process a applies step 1 and dies before clearing its claim (the clearing write never happens).
    const crashed = { ...healer, writeState: async (...args: Parameters<InMemoryHealer['writeState']>) => (args[1]?.intent ? healer.writeState(...args) : new Promise<never>(() => {})) };
    const dying = createPipeline({ featureSource: createInMemoryFeatureSource({ clock, values: { 'prod/backend': { ...AT_RISK_FEATURES } } }), riskModel: createInMemoryRiskModel(), healer: crashed, clock, identity: 'autoheal-a', policy, onError: () => {} });
    void dying.evaluate(backend);
    await waitUntil(() => healer.applied.length === 1, 'a to apply step 1');

    const whileLive = await b.evaluate(backend);
    await clock.advance(60_000 + INTENT_GRACE_MS);
    const afterDeadline = await b.evaluate(backend);

    expect(whileLive).toMatchObject({ decision: 'suppressed', suppressedReason: 'in-flight' });
    expect(afterDeadline).toMatchObject({ decision: 'awaiting-recheck', ladder: { attempt: 1 } });
    expect(afterDeadline.summary).toMatch(/step 1\/3 \(restart\) claimed by autoheal-a at .* never reported back; its record shows it finished: applied restart \(attempt 1\)/);
    expect(afterDeadline.summary).toMatch(/it counts as taken and is not applied again/);
    expect(healer.applied).toHaveLength(1);
    expect(await healer.readState(backend)).not.toHaveProperty('intent');
  });

  it('counts an attempt whose claim was written but reported failed (an ambiguous write), and never applies it', async () => {
    const inner = createInMemoryHealer();
    let failNextClaim = true;
    const healer = {
      ...inner,
      writeState: async (...args: Parameters<InMemoryHealer['writeState']>) => {
        await inner.writeState(...args);
        // The write landed, but the answer was lost (a 503 from a proxy, a cut connection).
        if (args[1]?.intent && failNextClaim) {
          failNextClaim = false;
          throw new Error('503 Service Unavailable');
        }
      },
    } as InMemoryHealer;
    const { a, clock } = twoProcesses({ healer, policy: { actionTimeoutMs: 60_000, recheckDelayMs: 120_000 } });

    const lost = await a.evaluate(backend);
    const next = await a.evaluate(backend);
    await clock.advance(120_000);
    const escalated = await a.evaluate(backend);

    expect(lost).toMatchObject({ decision: 'suppressed', suppressedReason: 'state-unavailable' });
    // Its own claim, and not in flight here: settled at once, from the healer's record of steps.
    expect(next).toMatchObject({ decision: 'awaiting-recheck', ladder: { attempt: 1 } });
    expect(next.summary).toMatch(/nothing shows it finished, it may have been interrupted part-way \(no restart applied as attempt 1\)/);
    expect(escalated).toMatchObject({ decision: 'heal', action: { step: 'cache' }, ladder: { attempt: 2 } });
    expect(inner.applied.map((step) => [step.plan.step.kind, step.plan.attempt])).toEqual([['cache', 2]]);
  });

  it('never overwrites a claim another process made between its read and its bookkeeping write', async () => {
    const inner = createInMemoryHealer();
    await inner.writeState(backend, { attempt: 1, lastStep: 'restart', lastActionAt: T0 - 600_000, steps: ['restart'], healthySince: T0 - 60_000, healthyCount: 2 });
    const claimed: HealingState = { attempt: 2, lastStep: 'cache', lastActionAt: T0, steps: ['restart', 'cache'], intent: { attempt: 2, step: 'cache', holder: 'autoheal-b', startedAt: T0, deadline: T0 + 400_000 } };
    const healer = {
      ...inner,
      // b claims right after a has read the state (with its healthy streak).
      readTarget: async (...args: Parameters<NonNullable<InMemoryHealer['readTarget']>>) => {
        const read = await inner.readTarget!(...args);
        await inner.writeState(backend, claimed);
        return read;
      },
    } as InMemoryHealer;
    const { a } = twoProcesses({ healer });

    const record = await a.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'in-flight' });
    expect(await inner.readState(backend)).toEqual(claimed);
    expect(inner.applied).toHaveLength(0);
  });

  it('claims nothing in dry-run', async () => {
    const { a, healer } = twoProcesses({ policy: { dryRun: true } });

    const record = await a.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'dry-run' });
    expect(await healer.readState(backend)).toEqual({ attempt: 0 });
  });
});

describe('fencing: a process that may no longer act stops', () => {
  it('takes no step, claims nothing and takes no breaker slot when the fence refuses before the claim', async () => {
    const fence: ActionFence = { check: () => 'not the leader: the Lease is held by autoheal-b' };
    const { a, healer } = twoProcesses({ fenceA: fence });

    const record = await a.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'not-leader' });
    expect(record.summary).toMatch(/this process may not act: not the leader: the Lease is held by autoheal-b/);
    expect(await healer.readState(backend)).toEqual({ attempt: 0 });
    expect(a.circuitState().actionsInWindow).toBe(0);
  });

  it('stops mid-step when the fence closes after the claim: nothing changed, the attempt counted, the reason in the outcome', async () => {
    let leader = true;
    const fence: ActionFence = { check: () => (leader ? undefined : 'lost the Lease (last renewal 11 s ago)') };
    const { a, healer } = twoProcesses({ fenceA: fence, healer: { beforeApply: () => void (leader = false) } });

    const record = await a.evaluate(backend);

    expect(record).toMatchObject({ decision: 'heal', action: { outcome: { ok: false } }, ladder: { attempt: 1 } });
    expect(record.action?.outcome?.message).toBe('stopped before changing anything: lost the Lease (last renewal 11 s ago)');
    expect(healer.applied).toHaveLength(0);
    expect(healer.fenced.map((f) => f.why)).toEqual(['lost the Lease (last renewal 11 s ago)']);
  });

  it('hands the healer the claim, so a step whose claim was taken over is stopped by the healer', async () => {
    const inner = createInMemoryHealer({
      // Someone reset the target and another process claimed it while this step was starting.
      beforeApply: () => inner.writeState(backend, { attempt: 1, intent: { attempt: 1, step: 'restart', holder: 'autoheal-b', startedAt: T0, deadline: T0 + 1 } }),
    });
    const { a } = twoProcesses({ healer: inner });

    const record = await a.evaluate(backend);

    expect(record.action?.outcome?.message).toBe("stopped before changing anything: the claim on attempt 1 is no longer autoheal-a's");
    expect(inner.applied).toHaveLength(0);
  });
});

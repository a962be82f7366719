/**
 * The healer's part in exactly-once healing, against the sandbox API server: a step under a claim
 * stops when the claim is no longer its own or the fence refuses; the rollout the guard reads; the
 * step Event as evidence for a claim nobody reported back; the undo of scale-ups; the rate-limited
 * circuit-breaker Event.
 */
import { healStepSchema } from '@autoheal/core';
import { makeDecisionRecord } from '@autoheal/core/testing';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { useHealerTestKit } from '../test-support/healer-test-kit.js';
import { SCALED_FROM_ANNOTATION } from './scale-operations.js';

const kit = useHealerTestKit('claim');
const { newTarget, read, describeEvents } = kit;
const restart = healStepSchema.parse({ kind: 'restart', scaleUp: { by: 1, maxReplicas: 5 } });
const claim = (holder: string, attempt = 1) => ({ attempt, step: 'restart' as const, holder, startedAt: Date.now(), deadline: Date.now() + 60_000 });

describe('a step under a claim', () => {
  it('changes nothing when the stored claim is another process\'s: every operation "not attempted", saying whose', async () => {
    const target = newTarget(2);
    const ours = claim('replica-a');
    await kit.healer.writeState(target, { attempt: 1, lastStep: 'restart', intent: claim('replica-b') });
    const plan = await kit.healer.plan(target, restart, 1);
    const before = await read(target);

    const outcome = await kit.healer.apply(target, plan, { intent: ours });

    expect(outcome.ok).toBe(false);
    expect(outcome.results.filter((r) => r.op !== 'event').map((r) => r.message)).toEqual([
      "not attempted: the claim on attempt 1 is no longer replica-a's (it is replica-b's claim on attempt 1)",
      "not attempted: the claim on attempt 1 is no longer replica-a's (it is replica-b's claim on attempt 1)",
    ]);
    const after = await read(target);
    expect(after.spec?.template.metadata?.annotations).toEqual(before.spec?.template.metadata?.annotations);
    expect(after.spec?.replicas).toBe(2);
  });

  it('changes nothing when the fence refuses, and the outcome says why', async () => {
    const target = newTarget(2);
    const plan = await kit.healer.plan(target, restart, 1);

    const outcome = await kit.healer.apply(target, plan, { fence: { check: () => 'not the leader: the Lease autoheal/autoheal-leader is not ours' } });

    expect(outcome.ok).toBe(false);
    expect(outcome.message).toContain('not attempted: not the leader: the Lease autoheal/autoheal-leader is not ours');
    expect((await read(target)).spec?.replicas).toBe(2);
  });

  it('goes through when the claim is its own, and the step Event is the evidence found later', async () => {
    const target = newTarget(2);
    const ours = claim('replica-a');
    await kit.healer.writeState(target, { attempt: 1, lastStep: 'restart', intent: ours });
    const plan = await kit.healer.plan(target, restart, 1);

    const outcome = await kit.healer.apply(target, plan, { intent: ours });
    const evidence = await kit.healer.findStep!(target, ours);
    const never = await kit.healer.findStep!(target, { ...ours, attempt: 2, step: 'cache' });

    expect(outcome.ok).toBe(true);
    expect(evidence).toMatchObject({ found: 'applied', evidence: expect.stringMatching(/^Event AutohealRestart at .* from test-1: restart step \(attempt 1\) on prod\/claim-\d+ succeeded/) });
    expect(never).toMatchObject({ found: 'unknown', evidence: expect.stringMatching(/no AutohealCacheClear Event for attempt 2/) });
  });
});

describe('a rollback under a claim', () => {
  it("keeps the state as it is when applied (the claim written since the plan), not the plan's copy", async () => {
    const target = newTarget(1);
    await kit.setImage(target, 'registry.local/app:2.0.0');
    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'rollback' }), 3);
    const ours = { ...claim('replica-a', 3), step: 'rollback' as const };
    const claimed = { attempt: 3, lastStep: 'rollback' as const, steps: ['restart', 'cache', 'rollback'] as Array<'restart' | 'cache' | 'rollback'>, intent: ours };
    await kit.healer.writeState(target, claimed);

    const outcome = await kit.healer.apply(target, plan, { intent: ours });

    expect(outcome.ok).toBe(true);
    await expect(kit.healer.readState(target)).resolves.toEqual(claimed);
  });
});

describe('the rollout the guard reads', () => {
  it('is "updating" while a new version replaces the old one, and settled once it has', async () => {
    const target = newTarget(2);
    await kit.healer.apply(target, await kit.healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: false }), 1));

    const during = await kit.healer.readTarget!(target);
    kit.cluster.advance(120_000);
    const after = await kit.healer.readTarget!(target);

    expect(during.workload).toMatchObject({ updating: true, stalled: false, desiredReplicas: 2, progressDeadlineMs: 600_000 });
    expect(after.workload).toMatchObject({ updating: false, stalled: false, availableReplicas: 2 });
    expect(after.state).toEqual(await kit.healer.readState(target));
  });
});

describe('undo of scale-ups once kept', () => {
  it('puts the replica count back and forgets it', async () => {
    const target = newTarget(2);
    await kit.healer.apply(target, await kit.healer.plan(target, restart, 1));
    expect(JSON.parse((await read(target)).metadata?.annotations?.[SCALED_FROM_ANNOTATION] ?? '{}')).toEqual({ replicas: 2, to: 3 });

    const done = await kit.healer.undoScaleUp!(target);

    expect(done).toBe(`scaled deployment/${target.name} back 3 → 2 replicas`);
    const after = await read(target);
    expect(after.spec?.replicas).toBe(2);
    expect(after.metadata?.annotations?.[SCALED_FROM_ANNOTATION]).toBeUndefined();
  });

  it('remembers the count the episode started from across two scale-ups', async () => {
    const target = newTarget(2);
    await kit.healer.apply(target, await kit.healer.plan(target, restart, 1));
    await kit.healer.apply(target, await kit.healer.plan(target, healStepSchema.parse({ kind: 'cache', scaleUp: { by: 1, maxReplicas: 5 } }), 2));

    expect(JSON.parse((await read(target)).metadata?.annotations?.[SCALED_FROM_ANNOTATION] ?? '{}')).toEqual({ replicas: 2, to: 4 });
    await expect(kit.healer.undoScaleUp!(target)).resolves.toBe(`scaled deployment/${target.name} back 4 → 2 replicas`);
  });

  it('leaves a count someone changed since, and says so', async () => {
    const target = newTarget(2);
    await kit.healer.apply(target, await kit.healer.plan(target, restart, 1));
    // Someone scales it by hand meanwhile.
    await kit.apps.patchNamespacedDeploymentScale({ name: target.name, namespace: target.namespace, body: { spec: { replicas: 5 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));

    const done = await kit.healer.undoScaleUp!(target);

    expect(done).toBe(`left deployment/${target.name} at 5 replicas (changed since autoheal scaled it to 3)`);
    expect((await read(target)).spec?.replicas).toBe(5);
  });

  it('puts an HPA floor back', async () => {
    const target = newTarget(2, { minReplicas: 2, maxReplicas: 6 });
    await kit.healer.apply(target, await kit.healer.plan(target, restart, 1));

    const done = await kit.healer.undoScaleUp!(target);

    expect(done).toMatch(/^HPA .* minReplicas back to 2$/);
  });

  it('does nothing (and says nothing) when the episode scaled nothing', async () => {
    const target = newTarget(2);

    await expect(kit.healer.undoScaleUp!(target)).resolves.toBeUndefined();
  });
});

describe('the circuit-breaker Event', () => {
  it('is recorded for a circuit-open suppression, at most once per target per interval', async () => {
    const target = newTarget(1);
    const record = makeDecisionRecord({ target, decision: 'suppressed', suppressedReason: 'circuit-open', summary: `prod/${target.name}: at risk, suppressed (circuit-open)` });

    await kit.healer.recordDecision!(record);
    await kit.healer.recordDecision!(record);

    const circuitEvents = (await describeEvents(target)).filter((event) => event.reason === 'AutohealCircuitOpen');
    expect(circuitEvents).toHaveLength(1);
    // The summary, then the record it came from (every Event names its decision record).
    expect(circuitEvents[0]).toMatchObject({ type: 'Warning' });
    expect(circuitEvents[0]?.message).toMatch(new RegExp(`^prod/${target.name}: at risk, suppressed \\(circuit-open\\) \\| record \\S+ \\| risk `));
  });
});

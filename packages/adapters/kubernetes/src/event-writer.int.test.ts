/**
 * autoheal's Events on a real Deployment: one per applied step, the decisions that have one, and
 * what `kubectl describe deployment` shows.
 */
import { execFile } from 'node:child_process';
import { healStepSchema, type DecisionRecord, type HealOutcome, type HealPlan, type TargetRef } from '@autoheal/core';
import { makeDecisionRecord } from '@autoheal/core/testing';
import { describe, expect, it } from 'vitest';
import { kubectlAvailable, useHealerTestKit } from '../test-support/healer-test-kit.js';
import { DECISION_ID_ANNOTATION } from './event-message.js';

const kit = useHealerTestKit('events');
const { newTarget, read, describeEvents } = kit;

describe('Events', () => {
  it('every applied step records an Event on the Deployment that describe\'s field selector finds', async () => {
    const target = newTarget(1);
    const deployment = await read(target);

    const outcome = await kit.healer.apply(target, await kit.healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: false }), 1));

    const events = await describeEvents(target);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      type: 'Normal',
      reason: 'AutohealRestart',
      message: outcome.message,
      source: { component: 'autoheal' },
      reportingComponent: 'autoheal',
      reportingInstance: 'test-1',
      involvedObject: { kind: 'Deployment', name: target.name, namespace: 'prod', uid: deployment.metadata?.uid },
    });
  });

  it('a failed step records a Warning', async () => {
    const target = newTarget(1);

    await kit.healer.apply(target, await kit.healer.plan(target, healStepSchema.parse({ kind: 'cache', command: ['sh', '-c', 'exit 2'], restart: false, scaleUp: false }), 2));

    const events = await describeEvents(target);
    expect(events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'AutohealCacheClear']]);
    expect(events[0]?.message).toContain('(exit 2)');
  });

  it('recordDecision writes Events for kept, reset, handoff and refused, and nothing for none or awaiting-recheck', async () => {
    const target = newTarget(1);

    for (const decision of ['none', 'awaiting-recheck', 'kept', 'reset', 'handoff'] as const) {
      await kit.healer.recordDecision?.(makeDecisionRecord({ target, decision, summary: `${target.name}: ${decision}` }));
    }
    await kit.healer.recordDecision?.(makeDecisionRecord({ target, decision: 'suppressed', suppressedReason: 'refused', summary: 'refused: paused' }));
    await kit.healer.recordDecision?.(makeDecisionRecord({ target, decision: 'suppressed', suppressedReason: 'cooldown', summary: 'cooldown' }));
    await kit.healer.recordDecision?.(makeDecisionRecord({ target, decision: 'handoff', dryRun: true, summary: 'dry-run handoff' }));

    const events = await describeEvents(target);
    const record = ' | record 0lx1b2c3d-000001-fixture | risk 0.05 < threshold 0.50';
    expect(events.map((e) => [e.type, e.reason, e.message]).sort()).toEqual(
      [
        ['Normal', 'AutohealKept', `${target.name}: kept${record}`],
        ['Normal', 'AutohealReset', `${target.name}: reset${record}`],
        ['Warning', 'AutohealHandoff', `${target.name}: handoff${record}`],
        ['Warning', 'AutohealRefused', `refused: paused${record}`],
      ].sort(),
    );
    expect(events.map((e) => e.metadata?.annotations?.[DECISION_ID_ANNOTATION])).toEqual(events.map(() => '0lx1b2c3d-000001-fixture'));
  });

  it("completes the step's own Event with its decision record: one Event per step, with the id, risk, diagnosis and signals", async () => {
    const target = newTarget(1);
    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: false }), 1);
    const outcome = await kit.healer.apply(target, plan);
    const record = healRecord(target, plan, outcome);

    await kit.healer.recordDecision?.(record);

    const events = await describeEvents(target);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'Normal', reason: 'AutohealRestart', metadata: { annotations: { [DECISION_ID_ANNOTATION]: record.id } } });
    expect(events[0]?.message).toBe(
      `${outcome.message} | record ${record.id} | risk 0.91 >= threshold 0.60 | diagnosis memory: restart first: memory at 95% of its limit | signals memory_limit_ratio=0.95 (+1.40), http_error_ratio=0.08 (+0.60)`,
    );
    const summary = await kit.healer.getDeploymentSummary(target);
    expect(summary.events.filter((e) => e.reason === 'AutohealRestart').map((e) => e.recordId)).toEqual([record.id]);
  });

  it('writes the step Event with its record when apply could not', async () => {
    const target = newTarget(1);
    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: false }), 1);
    const record = healRecord(target, plan, {
      ok: true,
      dryRun: false,
      message: `restart step (attempt 1) on prod/${target.name} succeeded: restarted`,
      results: [
        { op: 'restart', ok: true, message: 'restarted' },
        { op: 'event', ok: true, message: 'could not record Event AutohealRestart: [autoheal] [kubernetes] timed out' },
      ],
    });

    await kit.healer.recordDecision?.(record);

    const events = await describeEvents(target);
    expect(events.map((e) => [e.reason, e.metadata?.annotations?.[DECISION_ID_ANNOTATION]])).toEqual([['AutohealRestart', record.id]]);
    expect(events[0]?.message).toMatch(new RegExp(`^restart step \\(attempt 1\\) on prod/${target.name} succeeded: restarted \\| record ${record.id} \\| risk 0\\.91`));
  });

  it('a record delivered twice (a retry after its answer was lost) still leaves one Event', async () => {
    const target = newTarget(1);
    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: false }), 1);
    const record = healRecord(target, plan, await kit.healer.apply(target, plan));

    await kit.healer.recordDecision?.(record);
    await kit.healer.recordDecision?.(record);

    const events = await describeEvents(target);
    expect(events.map((e) => [e.reason, e.metadata?.annotations?.[DECISION_ID_ANNOTATION], e.count ?? 1])).toEqual([['AutohealRestart', record.id, 1]]);
  });

  it('completes the Event apply wrote even when apply reported it unwritten (its answer lost), instead of writing a second', async () => {
    const target = newTarget(1);
    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: false }), 1);
    const outcome = await kit.healer.apply(target, plan);
    const lostAnswer = outcome.results.map((result) => (result.op === 'event' ? { ...result, message: 'could not record Event AutohealRestart: [autoheal] [kubernetes] timed out' } : result));
    const record = healRecord(target, plan, { ...outcome, results: lostAnswer });

    await kit.healer.recordDecision?.(record);

    const events = await describeEvents(target);
    expect(events.map((e) => [e.reason, e.metadata?.annotations?.[DECISION_ID_ANNOTATION]])).toEqual([['AutohealRestart', record.id]]);
  });

  it('a step of a later episode with the same attempt number gets its own Event', async () => {
    const target = newTarget(1);
    const first = await kit.healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: false }), 1);
    await kit.healer.recordDecision?.(healRecord(target, first, await kit.healer.apply(target, first)));
    const again = await kit.healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: false }), 1);
    const later = { ...healRecord(target, again, await kit.healer.apply(target, again)), id: `0mhx8k2p9-000001-${target.name}` };

    await kit.healer.recordDecision?.(later);

    const events = await describeEvents(target);
    expect(events.map((e) => e.metadata?.annotations?.[DECISION_ID_ANNOTATION]).sort()).toEqual([`0mhx8k2p0-000001-${target.name}`, later.id].sort());
  });

  it.skipIf(!kubectlAvailable)('shows up in `kubectl describe deployment`', async () => {
    const target = newTarget(1);
    await kit.healer.apply(target, await kit.healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: false }), 1));

    const output = await new Promise<string>((resolve, reject) =>
      execFile('kubectl', ['--kubeconfig', kit.cluster.kubeconfigPath, '-n', 'prod', 'describe', 'deployment', target.name], (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    );

    expect(output).toMatch(/Normal\s+AutohealRestart\s+\S+\s+autoheal\s+restart step \(attempt 1\)/);
  });

  it.skipIf(!kubectlAvailable)('`kubectl describe deployment` shows the record id, risk, diagnosis and signals of a step', async () => {
    const target = newTarget(1);
    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: false }), 1);
    const record = healRecord(target, plan, await kit.healer.apply(target, plan));
    await kit.healer.recordDecision?.(record);

    const output = await new Promise<string>((resolve, reject) =>
      execFile('kubectl', ['--kubeconfig', kit.cluster.kubeconfigPath, '-n', 'prod', 'describe', 'deployment', target.name], (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    );

    const row = output.split('\n').find((line) => line.includes('AutohealRestart'));
    expect(row).toMatch(/Normal\s+AutohealRestart\s+\S+\s+autoheal\s+restart step \(attempt 1\) .* \| record \S+ \| risk 0\.91 >= threshold 0\.60 \| diagnosis memory: restart first: .* \| signals memory_limit_ratio=0\.95/);
    expect(row).toContain(record.id);
  });
});

/** The pipeline's record of an applied step (at risk, diagnosed, with contributions). */
function healRecord(target: TargetRef, plan: HealPlan, outcome: HealOutcome): DecisionRecord {
  const base = makeDecisionRecord({ id: `0mhx8k2p0-00000${plan.attempt}-${target.name}`, target, decision: 'heal' });
  return {
    ...base,
    assessment: {
      ...base.assessment,
      probability: 0.91,
      threshold: 0.6,
      verdict: 'at-risk',
      contributions: [
        { feature: 'http_error_ratio', value: 0.08, contribution: 0.6 },
        { feature: 'memory_limit_ratio', value: 0.95, contribution: 1.4 },
      ],
    },
    diagnosis: { cause: 'memory', step: 'restart', evidence: ['memory at 95% of its limit'], summary: 'restart first: memory at 95% of its limit' },
    action: { step: plan.step.kind, plan, outcome },
    ladder: { attempt: plan.attempt, maxAttempts: 3, nextStep: 'cache' },
  };
}

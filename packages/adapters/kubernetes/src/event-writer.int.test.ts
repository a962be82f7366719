/**
 * autoheal's Events on a real Deployment: one per applied step, the decisions that have one, and
 * what `kubectl describe deployment` shows.
 */
import { execFile } from 'node:child_process';
import { healStepSchema } from '@autoheal/core';
import { makeDecisionRecord } from '@autoheal/core/testing';
import { describe, expect, it } from 'vitest';
import { kubectlAvailable, useHealerTestKit } from '../test-support/healer-test-kit.js';

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
    expect(events.map((e) => [e.type, e.reason, e.message]).sort()).toEqual(
      [
        ['Normal', 'AutohealKept', `${target.name}: kept`],
        ['Normal', 'AutohealReset', `${target.name}: reset`],
        ['Warning', 'AutohealHandoff', `${target.name}: handoff`],
        ['Warning', 'AutohealRefused', 'refused: paused'],
      ].sort(),
    );
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
});

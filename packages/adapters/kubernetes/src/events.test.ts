import { makeDecisionRecord } from '@autoheal/core/testing';
import type { DecisionRecord } from '@autoheal/core';
import { describe, expect, it } from 'vitest';
import { buildDeploymentEvent, decisionEvent, stepEvent } from './events.js';

const applied: DecisionRecord['action'] = {
  step: 'restart',
  plan: { step: { kind: 'restart', scaleUp: false }, attempt: 1, operations: [{ op: 'restart', description: 'rollout restart' }] },
  outcome: { ok: true, dryRun: false, message: 'restarted', results: [{ op: 'restart', ok: true, message: 'restarted' }] },
};

describe('stepEvent', () => {
  it('names the step, Normal when it succeeded and Warning when it failed', () => {
    expect(stepEvent('restart', true)).toEqual({ type: 'Normal', reason: 'AutohealRestart' });
    expect(stepEvent('cache', false)).toEqual({ type: 'Warning', reason: 'AutohealCacheClear' });
    expect(stepEvent('rollback', true)).toEqual({ type: 'Normal', reason: 'AutohealRollback' });
  });
});

describe('decisionEvent', () => {
  it('records kept, reset, handoff and a refusal', () => {
    expect(decisionEvent(makeDecisionRecord({ decision: 'kept' }))).toEqual({ type: 'Normal', reason: 'AutohealKept' });
    expect(decisionEvent(makeDecisionRecord({ decision: 'reset' }))).toEqual({ type: 'Normal', reason: 'AutohealReset' });
    expect(decisionEvent(makeDecisionRecord({ decision: 'handoff' }))).toEqual({ type: 'Warning', reason: 'AutohealHandoff' });
    expect(decisionEvent(makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'refused' }))).toEqual({ type: 'Warning', reason: 'AutohealRefused' });
  });

  it('records nothing for none, awaiting-recheck, other suppressions and dry-run records', () => {
    expect(decisionEvent(makeDecisionRecord({ decision: 'none' }))).toBeUndefined();
    expect(decisionEvent(makeDecisionRecord({ decision: 'awaiting-recheck' }))).toBeUndefined();
    expect(decisionEvent(makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'cooldown' }))).toBeUndefined();
    expect(decisionEvent(makeDecisionRecord({ decision: 'handoff', dryRun: true }))).toBeUndefined();
  });

  it('leaves an applied heal to its step Event and records a heal that never got an outcome as failed', () => {
    expect(decisionEvent(makeDecisionRecord({ decision: 'heal', action: applied }))).toBeUndefined();
    expect(decisionEvent(makeDecisionRecord({ decision: 'heal', action: { step: 'restart', plan: applied.plan } }))).toEqual({
      type: 'Warning',
      reason: 'AutohealFailed',
    });
  });
});

describe('buildDeploymentEvent', () => {
  it('points at the Deployment by uid and cuts a long message to 1 KiB', () => {
    const event = buildDeploymentEvent({
      deployment: { metadata: { name: 'web', namespace: 'prod', uid: 'u-1', resourceVersion: '7' } },
      type: 'Normal',
      reason: 'AutohealKept',
      message: 'x'.repeat(2000),
      component: 'autoheal',
      reportingInstance: 'replica-1',
      now: Date.UTC(2026, 0, 1),
    });

    expect(event.involvedObject).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'prod', uid: 'u-1', resourceVersion: '7' });
    expect(event.message).toHaveLength(1024);
    expect(event.metadata?.name).toMatch(/^web\.[0-9a-f]+$/);
  });

  it('carries the annotations it is given (the decision record id)', () => {
    const event = buildDeploymentEvent({
      deployment: { metadata: { name: 'web', namespace: 'prod', uid: 'u-1' } },
      type: 'Normal',
      reason: 'AutohealKept',
      message: 'kept',
      component: 'autoheal',
      reportingInstance: 'replica-1',
      now: Date.UTC(2026, 0, 1),
      annotations: { 'autoheal.dev/decision-id': '0mhx8k2p0-000000-3f9a1c2e' },
    });

    expect(event.metadata?.annotations).toEqual({ 'autoheal.dev/decision-id': '0mhx8k2p0-000000-3f9a1c2e' });
  });
});

import { describe, expect, it } from 'vitest';
import { decisionRecordSchema } from './decision.js';
import { healOperationSchema, healOutcomeSchema, healPlanSchema, healStepSchema, operationResultSchema, type HealOperation } from './healing.js';
import { makeDecisionRecord } from './testing/fixtures.js';

const scale: HealOperation = { op: 'scale', description: 'scale deployment/web 2 → 3 replicas', details: { from: 2, to: 3, ceiling: 10 } };
const rollback: HealOperation = {
  op: 'rollback',
  description: 'roll back deployment/web to revision 1',
  details: { revision: 1, fromRevision: 2, replicaSet: 'web-abc', images: ['app:1'], patch: [{ op: 'replace', path: '/spec/template', value: {} }] },
};

describe('healOperationSchema', () => {
  it('accepts each kind with its typed details', () => {
    const operations: HealOperation[] = [
      { op: 'restart', description: 'rollout restart', details: { annotation: 'kubectl.kubernetes.io/restartedAt' } },
      scale,
      { op: 'scale-hpa', description: 'raise HPA web minReplicas 2 → 3', details: { hpa: 'web', from: 2, to: 3, replicas: 2, ceiling: 6, originalMinReplicas: 2 } },
      { op: 'exec', description: 'run', details: { command: ['sh'], container: 'app', pods: ['web-1'], skipped: [], perPodTimeoutMs: 1000 } },
      rollback,
      { op: 'rollback', description: 'skipped', details: { skip: true, revision: 2, replicaSet: 'web-def' } },
      { op: 'event', description: 'record Event AutohealRestart', details: { reason: 'AutohealRestart' } },
    ];

    for (const operation of operations) expect(healOperationSchema.parse(operation)).toEqual(operation);
  });

  it('rejects an operation whose details do not fit its kind, naming the field', () => {
    const result = healOperationSchema.safeParse({ op: 'scale', description: 'scale', details: { from: 2, ceiling: 3 } });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['details.to']);
  });

  it('rejects an unknown op', () => {
    expect(healOperationSchema.safeParse({ op: 'annotate', description: 'x' }).success).toBe(false);
  });

  it('keeps the rollback patch when parsing, and narrows on skip', () => {
    const parsed = healOperationSchema.parse(rollback);

    expect(parsed.op === 'rollback' && !('skip' in parsed.details) ? parsed.details.patch : undefined).toEqual([
      { op: 'replace', path: '/spec/template', value: {} },
    ]);
  });
});

describe('operationResultSchema', () => {
  it('accepts results with and without details (a failed or not attempted operation has a message only)', () => {
    const results = [
      { op: 'scale', ok: true, message: 'scaled', details: { from: 2, to: 3, ceiling: 10, replicas: 3 } },
      { op: 'exec', ok: false, message: 'failed in web-1', details: { command: ['sh'], container: 'app', pods: ['web-1'], skipped: [], perPodTimeoutMs: 1000, results: [
        { pod: 'web-1', container: 'app', ok: false, exitCode: 3, stdout: '', stderr: 'boom', timedOut: false, durationMs: 12 },
      ] } },
      { op: 'rollback', ok: true, message: 'rolled back', details: { revision: 1, replicaSet: 'web-abc', images: ['app:1'], generation: 4 } },
      { op: 'restart', ok: false, message: 'not attempted: aborted' },
      { op: 'event', ok: true, message: 'recorded Event AutohealRestart' },
    ];

    for (const result of results) expect(operationResultSchema.safeParse(result).success).toBe(true);
  });
});

describe('a DecisionRecord embedding a typed plan and outcome', () => {
  it('stays valid', () => {
    const plan = healPlanSchema.parse({ step: healStepSchema.parse({ kind: 'restart' }), attempt: 1, operations: [{ op: 'restart', description: 'rollout restart' }, scale] });
    const outcome = healOutcomeSchema.parse({ ok: true, dryRun: false, message: 'done', results: [{ op: 'restart', ok: true, message: 'restarted', details: { restartedAt: '2026-01-01T00:00:00Z' } }] });

    const record = makeDecisionRecord({ decision: 'heal', action: { step: 'restart', plan, outcome } });

    expect(decisionRecordSchema.parse(record).action?.plan.operations[1]).toEqual(scale);
  });
});

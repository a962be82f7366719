import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { stepEvidenceFrom } from './step-evidence.js';
import { workloadStatusOf } from './workload-status.js';

const created = new Date('2026-01-01T00:00:00Z');

function deployment(spec: Partial<NonNullable<V1Deployment['spec']>>, status: NonNullable<V1Deployment['status']>, generation = 2): V1Deployment {
  return {
    metadata: { name: 'web', generation, creationTimestamp: created },
    spec: { replicas: 3, selector: {}, template: {}, ...spec },
    status: { observedGeneration: generation, ...status },
  };
}

describe('workloadStatusOf: the rollout, as kubectl rollout status sees it', () => {
  it('settled: every replica updated and available', () => {
    expect(workloadStatusOf(deployment({}, { replicas: 3, updatedReplicas: 3, availableReplicas: 3 }))).toEqual({
      createdAt: created.getTime(),
      progressDeadlineMs: 600_000,
      desiredReplicas: 3,
      availableReplicas: 3,
      updating: false,
      stalled: false,
      firstRollout: true,
    });
  });

  it('first rollout: revision 1 and not yet NewReplicaSetAvailable; not after a later revision or once complete', () => {
    const first = deployment({}, { replicas: 3, updatedReplicas: 3, availableReplicas: 1, conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }] });
    first.metadata!.annotations = { 'deployment.kubernetes.io/revision': '1' };
    const complete = { ...first, status: { ...first.status, conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }] } };
    const later = { ...first, metadata: { ...first.metadata, annotations: { 'deployment.kubernetes.io/revision': '2' } } };

    expect(workloadStatusOf(first).firstRollout).toBe(true);
    expect(workloadStatusOf(complete).firstRollout).toBe(false);
    expect(workloadStatusOf(later).firstRollout).toBe(false);
  });

  it('updating while the spec change is not observed, the new ReplicaSet is short, or old pods remain', () => {
    expect(workloadStatusOf(deployment({}, { replicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1 })).updating).toBe(true);
    expect(workloadStatusOf(deployment({}, { replicas: 3, updatedReplicas: 1, availableReplicas: 3 })).updating).toBe(true);
    expect(workloadStatusOf(deployment({}, { replicas: 4, updatedReplicas: 3, availableReplicas: 3 })).updating).toBe(true);
  });

  it('not updating when only availability dropped after a completed rollout (a crash loop is judged)', () => {
    const crashLooping = deployment({}, { replicas: 3, updatedReplicas: 3, availableReplicas: 0, conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }] });
    expect(workloadStatusOf(crashLooping)).toMatchObject({ updating: false, stalled: false, availableReplicas: 0 });
  });

  it('stalled on ProgressDeadlineExceeded; a paused Deployment is not rolling out; its own progress deadline', () => {
    expect(workloadStatusOf(deployment({}, { replicas: 4, updatedReplicas: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] })).stalled).toBe(true);
    expect(workloadStatusOf(deployment({ paused: true }, { replicas: 4, updatedReplicas: 1 })).updating).toBe(false);
    expect(workloadStatusOf(deployment({ progressDeadlineSeconds: 120 }, {})).progressDeadlineMs).toBe(120_000);
  });
});

describe('stepEvidenceFrom: the step Event of a claim', () => {
  const intent = { attempt: 2, step: 'cache' as const, holder: 'replica-a', startedAt: Date.parse('2026-01-01T10:00:00Z'), deadline: 0 };
  const event = (type: string, message: string, at: string) => ({ reason: 'AutohealCacheClear', type, message, lastTimestamp: new Date(at), reportingInstance: 'replica-a', involvedObject: {}, metadata: {} });

  it('finds the newest Event of that attempt since the claim: Normal is applied, Warning failed', () => {
    const events = [
      event('Normal', 'cache step (attempt 2) on prod/web succeeded: …', '2026-01-01T09:00:00Z'), // an older episode
      event('Warning', 'cache step (attempt 2) on prod/web failed: cache clear failed in 1 of 3 pod(s)', '2026-01-01T10:00:20Z'),
    ];
    expect(stepEvidenceFrom(events, intent)).toEqual({ found: 'failed', evidence: 'Event AutohealCacheClear at 2026-01-01T10:00:20.000Z from replica-a: cache step (attempt 2) on prod/web failed: cache clear failed in 1 of 3 pod(s)' });
    expect(stepEvidenceFrom([event('Normal', 'cache step (attempt 2) on prod/web succeeded', '2026-01-01T10:00:05Z')], intent).found).toBe('applied');
  });

  it('finds nothing for another attempt or an Event older than the claim', () => {
    expect(stepEvidenceFrom([event('Normal', 'cache step (attempt 1) on prod/web succeeded', '2026-01-01T10:00:05Z')], intent).found).toBe('unknown');
    expect(stepEvidenceFrom([event('Normal', 'cache step (attempt 2) on prod/web succeeded', '2026-01-01T09:30:00Z')], intent)).toEqual({
      found: 'unknown',
      evidence: 'no AutohealCacheClear Event for attempt 2 since 2026-01-01T10:00:00.000Z',
    });
  });
});

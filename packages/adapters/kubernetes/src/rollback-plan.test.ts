import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { equalIgnoreHash, labelSelectorString, planRollback, revisionOf } from './rollback-plan.js';

const UID = 'd-uid-1';

function template(image: string, hash?: string): V1PodTemplateSpec {
  return {
    metadata: { labels: { app: 'web', ...(hash ? { 'pod-template-hash': hash } : {}) } },
    spec: { containers: [{ name: 'app', image }] },
  };
}

function replicaSet(name: string, revision: string | undefined, image: string, extra: Record<string, string> = {}, ownerUid = UID): V1ReplicaSet {
  return {
    metadata: {
      name,
      annotations: { ...(revision === undefined ? {} : { 'deployment.kubernetes.io/revision': revision }), ...extra },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: ownerUid, controller: true }],
    },
    spec: { selector: { matchLabels: { app: 'web' } }, template: template(image, name.split('-')[1]) },
  };
}

function deployment(image: string, annotations: Record<string, string> = {}, paused = false): V1Deployment {
  return {
    metadata: { name: 'web', namespace: 'prod', uid: UID, annotations: { 'deployment.kubernetes.io/revision': '2', ...annotations } },
    spec: { paused, selector: { matchLabels: { app: 'web' } }, template: template(image) },
  };
}

describe('planRollback (kubectl rollout undo)', () => {
  it('picks the second-highest revision and sends kubectl\'s JSON Patch without pod-template-hash', () => {
    const rsA = replicaSet('web-aaa', '1', 'app:1', { 'kubernetes.io/change-cause': 'v1' });
    const rsB = replicaSet('web-bbb', '2', 'app:2');

    const decision = planRollback(deployment('app:2'), [rsB, rsA]);

    expect(decision.kind).toBe('rollback');
    if (decision.kind !== 'rollback') return;
    expect(decision.revision).toBe(1);
    expect(decision.replicaSet).toBe('web-aaa');
    expect(decision.patch[0]).toEqual({ op: 'replace', path: '/spec/template', value: template('app:1') });
    expect(decision.patch[1]?.path).toBe('/metadata/annotations');
  });

  it('keeps skip-list annotations from the Deployment, copies the rest from the ReplicaSet and drops others', () => {
    const rsA = replicaSet('web-aaa', '1', 'app:1', { 'kubernetes.io/change-cause': 'v1', 'deployment.kubernetes.io/desired-replicas': '9' });
    const rsB = replicaSet('web-bbb', '2', 'app:2');
    const current = deployment('app:2', {
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'team': 'payments',
      'healing.attempt': '2',
    });

    const decision = planRollback(current, [rsA, rsB], undefined, ['healing.attempt']);

    if (decision.kind !== 'rollback') throw new Error(`expected a rollback, got ${decision.kind}`);
    expect(decision.patch[1]?.value).toEqual({
      'deployment.kubernetes.io/revision': '2',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'healing.attempt': '2',
      'kubernetes.io/change-cause': 'v1',
    });
  });

  it('refuses with "no rollout history" when there is only one revision', () => {
    const decision = planRollback(deployment('app:2'), [replicaSet('web-bbb', '2', 'app:2')]);

    expect(decision).toMatchObject({ kind: 'refused', availableRevisions: [2] });
    expect(decision.kind === 'refused' && decision.reason).toContain('no rollout history found for deployment "web"');
  });

  it('refuses an unknown toRevision and lists the available revisions', () => {
    const decision = planRollback(deployment('app:2'), [replicaSet('web-aaa', '1', 'app:1'), replicaSet('web-bbb', '2', 'app:2')], 7);

    expect(decision.kind === 'refused' && decision.reason).toContain('unable to find specified revision 7 in history');
    expect(decision.kind === 'refused' && decision.reason).toContain('available revisions: 1, 2');
  });

  it('ignores ReplicaSets controlled by another object (ownerReference uid)', () => {
    const foreign = replicaSet('web-zzz', '1', 'app:0', {}, 'someone-else');

    const decision = planRollback(deployment('app:2'), [foreign, replicaSet('web-bbb', '2', 'app:2')]);

    expect(decision.kind).toBe('refused');
  });

  it('refuses a paused Deployment with kubectl\'s message', () => {
    const decision = planRollback(deployment('app:2', {}, true), [replicaSet('web-aaa', '1', 'app:1'), replicaSet('web-bbb', '2', 'app:2')]);

    expect(decision.kind === 'refused' && decision.reason).toContain('you cannot rollback a paused deployment');
  });

  it('reports the skip case when the template already matches the chosen revision', () => {
    const decision = planRollback(deployment('app:1'), [replicaSet('web-aaa', '1', 'app:1'), replicaSet('web-bbb', '2', 'app:2')], 1);

    expect(decision).toMatchObject({ kind: 'skip', revision: 1, replicaSet: 'web-aaa' });
    expect(decision.kind === 'skip' && decision.message).toBe('skipped rollback (current template already matches revision 1)');
  });

  it('treats a missing revision annotation as 0 and skips unparsable ones', () => {
    expect(revisionOf(replicaSet('a-a', undefined, 'x'))).toBe(0);
    expect(revisionOf(replicaSet('a-a', 'x1', 'x'))).toBeUndefined();
  });
});

describe('equalIgnoreHash', () => {
  it('ignores pod-template-hash and treats empty and missing maps alike', () => {
    const a = template('app:1', 'abc');
    const b: V1PodTemplateSpec = { metadata: { labels: { app: 'web' }, annotations: {} }, spec: { containers: [{ name: 'app', image: 'app:1', env: [] }] } };

    expect(equalIgnoreHash(a, b)).toBe(true);
    expect(equalIgnoreHash(a, template('app:2'))).toBe(false);
  });
});

describe('labelSelectorString', () => {
  it('prints matchLabels sorted and matchExpressions like LabelSelectorAsSelector', () => {
    expect(
      labelSelectorString({
        matchLabels: { tier: 'web', app: 'shop' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod', 'canary'] },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=shop,tier=web,env in (canary,prod),!legacy');
  });
});

describe('planRollback to the previous release (the ladder step)', () => {
  const restarted = (rs: V1ReplicaSet, at: string): V1ReplicaSet => ({
    ...rs,
    spec: { ...rs.spec!, template: { ...rs.spec!.template, metadata: { ...rs.spec!.template!.metadata, annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } },
  });
  // Revision 1 is the good release; 2 the bad one; 3 and 4 are restarts of the bad one (ladder steps 1 and 2).
  const good = replicaSet('web-aaa', '1', 'app:1');
  const bad = replicaSet('web-bbb', '2', 'app:bad');
  const badRestarted = restarted(replicaSet('web-ccc', '3', 'app:bad'), '2026-11-27T10:00:00Z');
  const badRestartedAgain = restarted(replicaSet('web-ddd', '4', 'app:bad'), '2026-11-27T10:02:00Z');
  const current: V1Deployment = { ...deployment('app:bad'), spec: { ...deployment('app:bad').spec!, template: badRestartedAgain.spec!.template! } };

  it('skips revisions that are only restarts of the current release', () => {
    const decision = planRollback(current, [good, bad, badRestarted, badRestartedAgain], undefined, [], 'release');
    if (decision.kind !== 'rollback') throw new Error(`expected a rollback, got ${decision.kind}`);
    expect(decision.revision).toBe(1);
    expect(decision.replicaSet).toBe('web-aaa');
  });

  it('stays exactly kubectl rollout undo in revision mode (the restart of the bad release)', () => {
    const decision = planRollback(current, [good, bad, badRestarted, badRestartedAgain], undefined, [], 'revision');
    if (decision.kind !== 'rollback') throw new Error(`expected a rollback, got ${decision.kind}`);
    expect(decision.revision).toBe(3);
  });

  it('refuses, naming the revisions, when every earlier revision is a restart of the current release', () => {
    const decision = planRollback(current, [bad, badRestarted, badRestartedAgain], undefined, [], 'release');
    expect(decision).toMatchObject({ kind: 'refused' });
    expect(decision.kind === 'refused' && decision.reason).toContain('differs from the current template only by a restart');
  });
});

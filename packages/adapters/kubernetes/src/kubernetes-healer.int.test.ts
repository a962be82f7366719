/**
 * The healer's steps against the sandbox API server: each operation planned and applied, with
 * client-node over real HTTP and WebSocket and the sandbox's Deployment controller reacting to every
 * write. State, Events and the operator helpers have their own files.
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { healStepSchema } from '@autoheal/core';
import { describe, expect, it } from 'vitest';
import { useHealerTestKit } from '../test-support/healer-test-kit.js';
import { operationOf, resultOf } from '../test-support/plan-lookups.js';
import type { TestCluster } from '../test-support/test-cluster.js';

const kit = useHealerTestKit('web');
const { newTarget, read, ownedReplicaSets, describeEvents, setImage } = kit;

describe('restart', () => {
  it('sets restartedAt on the pod template: a new ReplicaSet appears and the revision goes up by one', async () => {
    const target = newTarget(2);
    const before = await read(target);
    const revisionBefore = Number(before.metadata?.annotations?.['deployment.kubernetes.io/revision']);

    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: false }), 1);
    const outcome = await kit.healer.apply(target, plan);
    kit.cluster.advance(60_000);

    expect(outcome.ok).toBe(true);
    const after = await read(target);
    expect(after.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    expect(after.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeUndefined();
    expect(Number(after.metadata?.annotations?.['deployment.kubernetes.io/revision'])).toBe(revisionBefore + 1);
    expect(await ownedReplicaSets(target)).toHaveLength(2);
  });

  it('refuses a paused Deployment in the plan', async () => {
    const target = newTarget(1);
    await kit.apps.patchNamespacedDeployment(
      { name: target.name, namespace: target.namespace, body: { spec: { paused: true } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'restart' }), 1);

    expect(plan.refusal).toBe("can't restart paused deployment (run rollout resume first)");
    expect(plan.operations).toEqual([]);
  });
});

describe('scale', () => {
  it('scales spec.replicas up by `by`, capped at maxReplicas, and shows from → to in the plan', async () => {
    const target = newTarget(2);

    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: { by: 5, maxReplicas: 4 } }), 1);
    const outcome = await kit.healer.apply(target, plan);

    const scale = operationOf(plan, 'scale');
    expect(scale.details).toMatchObject({ from: 2, to: 4 });
    expect(scale.description).toBe(`scale deployment/${target.name} 2 → 4 replicas`);
    expect(outcome.ok).toBe(true);
    expect((await read(target)).spec?.replicas).toBe(4);
  });

  it('at the ceiling plans an operation that says so instead of failing', async () => {
    const target = newTarget(3);

    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: { by: 1, maxReplicas: 3 } }), 1);
    const outcome = await kit.healer.apply(target, plan);

    const scale = operationOf(plan, 'scale');
    expect(scale.description).toContain('already at 3 replicas (ceiling 3)');
    expect(outcome.ok).toBe(true);
    expect((await read(target)).spec?.replicas).toBe(3);
  });

  it('with an HPA raises minReplicas (remembering the original) and writeState(null) restores it', async () => {
    const target = newTarget(2, { minReplicas: 2, maxReplicas: 6 });

    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: { by: 1, maxReplicas: 10 } }), 1);
    const outcome = await kit.healer.apply(target, plan);

    expect(plan.operations.map((o) => o.op)).toEqual(['restart', 'scale-hpa', 'event']);
    expect(outcome.ok).toBe(true);
    const hpa = await kit.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: target.name, namespace: target.namespace });
    expect(hpa.spec?.minReplicas).toBe(3);
    expect(hpa.metadata?.annotations?.['autoheal.dev/original-min-replicas']).toBe('2');

    await kit.healer.writeState(target, null);

    const restored = await kit.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: target.name, namespace: target.namespace });
    expect(restored.spec?.minReplicas).toBe(2);
    expect(restored.metadata?.annotations?.['autoheal.dev/original-min-replicas']).toBeUndefined();
  });
});

describe('scale safety', () => {
  it('never scales down when someone scaled up between plan and apply', async () => {
    const target = newTarget(2);
    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: { by: 1, maxReplicas: 10 } }), 1);
    await kit.apps.patchNamespacedDeploymentScale(
      { name: target.name, namespace: target.namespace, body: { spec: { replicas: 6 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

    const outcome = await kit.healer.apply(target, plan);

    expect(resultOf(outcome, 'scale').message).toContain('already has 6 replicas (planned 3): left as is');
    expect((await read(target)).spec?.replicas).toBe(6);
  });
});

describe('cache clear', () => {
  it('runs the command in every ready pod of the current ReplicaSet and reports exit codes, then restarts', async () => {
    const target = newTarget(3);

    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'cache', scaleUp: false }), 2);
    const outcome = await kit.healer.apply(target, plan);

    const pods = operationOf(plan, 'exec').details.pods;
    expect(pods).toHaveLength(3);
    expect(plan.operations.map((o) => o.op)).toEqual(['exec', 'restart', 'event']);
    expect(outcome.ok).toBe(true);
    const results = resultOf(outcome, 'exec').details?.results ?? [];
    expect(results.map((r) => r.pod).sort()).toEqual([...pods].sort());
    expect(results.every((r) => r.ok && r.exitCode === 0)).toBe(true);
  });

  it('reports a failing command as a partial failure naming the pods and their exit codes', async () => {
    const target = newTarget(2);

    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'cache', command: ['sh', '-c', 'exit 3'], scaleUp: false }), 2);
    const outcome = await kit.healer.apply(target, plan);

    const pods = operationOf(plan, 'exec').details.pods;
    const exec = resultOf(outcome, 'exec');
    expect(outcome.ok).toBe(false);
    expect(exec.ok).toBe(false);
    for (const pod of pods) expect(exec.message).toContain(`${pod} (exit 3)`);
    // The restart still ran: replacing the pods clears their caches too.
    expect(resultOf(outcome, 'restart').ok).toBe(true);
  });

  it('reports an unknown command with exit code 127 and its stderr', async () => {
    const target = newTarget(1);

    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'cache', command: ['flush-everything'], restart: false, scaleUp: false }), 2);
    const outcome = await kit.healer.apply(target, plan);

    const results = resultOf(outcome, 'exec').details?.results ?? [];
    expect(outcome.ok).toBe(false);
    expect(results[0]?.exitCode).toBe(127);
    expect(results[0]?.stderr).toContain('flush-everything: command not found');
  });

  it('skips pods that are not Ready and names them', async () => {
    const target = newTarget(2);
    const pods = await kit.core.listNamespacedPod({ namespace: target.namespace, labelSelector: `app=${target.name}` });
    const victim = pods.items[0]?.metadata?.name ?? '';
    const stored = kit.cluster.store.get('/pods', target.namespace, victim) as { status: { conditions: { type: string; status: string }[] } } & Parameters<TestCluster['store']['update']>[1];
    stored.status.conditions = stored.status.conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False' } : c));
    kit.cluster.store.update('/pods', stored);

    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'cache', scaleUp: false }), 2);

    const exec = operationOf(plan, 'exec');
    expect(exec.details.pods).not.toContain(victim);
    expect(exec.details.skipped).toEqual([expect.objectContaining({ pod: victim })]);
    expect(exec.description).toContain(`skip 1 not ready: ${victim}`);
  });
});

describe('rollback', () => {
  it('restores the previous revision; the controller re-numbers it as the next revision', async () => {
    const target = newTarget(2);
    const original = (await read(target)).spec?.template.spec?.containers[0]?.image;
    await setImage(target, 'registry.local/app:2.0.0');
    expect((await read(target)).metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');

    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'rollback' }), 3);
    const outcome = await kit.healer.apply(target, plan);
    kit.cluster.advance(60_000);

    expect(operationOf(plan, 'rollback').details).toMatchObject({ revision: 1, fromRevision: 2 });
    expect(outcome.ok).toBe(true);
    const after = await read(target);
    expect(after.spec?.template.spec?.containers[0]?.image).toBe(original);
    expect(after.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    const replicaSets = await ownedReplicaSets(target);
    expect(replicaSets).toHaveLength(2);
    const restored = replicaSets.find((rs) => rs.spec?.template?.spec?.containers[0]?.image === original);
    expect(restored?.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(restored?.metadata?.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1');
  });

  it('goes to toRevision, and reports the skip case when the template already matches', async () => {
    const target = newTarget(1);
    await setImage(target, 'registry.local/app:2.0.0');
    await setImage(target, 'registry.local/app:3.0.0');

    const toTwo = await kit.healer.plan(target, healStepSchema.parse({ kind: 'rollback', toRevision: 2 }), 3);
    await kit.healer.apply(target, toTwo);
    kit.cluster.advance(60_000);
    const same = await kit.healer.plan(target, healStepSchema.parse({ kind: 'rollback', toRevision: 4 }), 3);
    const skipped = await kit.healer.apply(target, same);

    expect((await read(target)).spec?.template.spec?.containers[0]?.image).toBe('registry.local/app:2.0.0');
    expect(same.operations[0]?.description).toContain('skipped rollback (current template already matches revision 4)');
    expect(skipped.ok).toBe(true);
  });

  it('refuses when there is no previous revision, and when toRevision does not exist (listing the revisions)', async () => {
    const target = newTarget(1);

    const none = await kit.healer.plan(target, healStepSchema.parse({ kind: 'rollback' }), 3);
    const missing = await kit.healer.plan(target, healStepSchema.parse({ kind: 'rollback', toRevision: 9 }), 3);

    expect(none.refusal).toContain(`no rollout history found for deployment "${target.name}"`);
    expect(missing.refusal).toContain('unable to find specified revision 9 in history');
    expect(missing.refusal).toContain('available revisions: 1');
  });

  it('keeps the ladder state annotations across the rollback', async () => {
    const target = newTarget(1);
    await kit.healer.writeState(target, { attempt: 1, lastStep: 'restart' });
    await setImage(target, 'registry.local/app:2.0.0');
    await kit.healer.writeState(target, { attempt: 2, lastStep: 'cache' });

    await kit.healer.apply(target, await kit.healer.plan(target, healStepSchema.parse({ kind: 'rollback' }), 3));

    // kubectl's algorithm would replace the annotations with the revision-1 ReplicaSet's (no or an older attempt).
    await expect(kit.healer.readState(target)).resolves.toEqual({ attempt: 2, lastStep: 'cache' });
  });
});

describe('rollback guards', () => {
  it('refuses to roll back a paused Deployment with kubectl\'s message', async () => {
    const target = newTarget(1);
    await setImage(target, 'registry.local/app:2.0.0');
    await kit.apps.patchNamespacedDeployment(
      { name: target.name, namespace: target.namespace, body: { spec: { paused: true } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'rollback' }), 3);

    expect(plan.refusal).toBe("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again");
  });

  it('warns in the plan when Argo CD manages the Deployment (its sync would revert the rollback)', async () => {
    const target = newTarget(1);
    await setImage(target, 'registry.local/app:2.0.0');
    await kit.apps.patchNamespacedDeployment(
      { name: target.name, namespace: target.namespace, body: { metadata: { annotations: { 'argocd.argoproj.io/tracking-id': `shop:apps/Deployment:prod/${target.name}` } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'rollback' }), 3);

    expect(operationOf(plan, 'rollback').details).toMatchObject({ gitOpsManager: 'Argo CD' });
    expect(plan.operations[0]?.description).toContain('warning: managed by Argo CD');
  });
});

describe('dry-run', () => {
  it('plan writes nothing and apply with dryRun leaves resourceVersion, replicas, state and Events unchanged', async () => {
    const target = newTarget(2);
    await kit.healer.writeState(target, { attempt: 1 });
    const before = await read(target);
    const eventsBefore = (await describeEvents(target)).length;

    const plan = await kit.healer.plan(target, healStepSchema.parse({ kind: 'cache', scaleUp: { by: 1, maxReplicas: 5 } }), 2);
    const replicaSetsBefore = (await ownedReplicaSets(target)).length;
    const outcome = await kit.healer.apply(target, plan, { dryRun: true });

    const after = await read(target);
    expect(outcome.dryRun).toBe(true);
    expect(outcome.ok).toBe(true);
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(after.spec?.replicas).toBe(2);
    kit.cluster.advance(30_000);
    expect((await read(target)).metadata?.generation).toBe(before.metadata?.generation);
    expect(await ownedReplicaSets(target)).toHaveLength(replicaSetsBefore);
    expect((await describeEvents(target)).length).toBe(eventsBefore);
    await expect(kit.healer.readState(target)).resolves.toEqual({ attempt: 1 });
    const pods = operationOf(plan, 'exec').details.pods;
    expect(resultOf(outcome, 'exec').message).toContain(`would run \`sh -c rm -rf /tmp/cache/*\` in pods ${pods.join(', ')}`);
  });

  it('still lets the API server validate: an invalid rollback patch is rejected in dry-run', async () => {
    const target = newTarget(1);
    const plan = {
      step: { kind: 'rollback' as const },
      attempt: 3,
      operations: [
        { op: 'rollback' as const, description: 'bad', details: { revision: 1, replicaSet: 'unused', images: [], patch: [{ op: 'replace' as const, path: '/spec/replicas', value: -1 }] } },
      ],
    };

    const outcome = await kit.healer.apply(target, plan, { dryRun: true });

    expect(outcome.ok).toBe(false);
    expect(outcome.results[0]?.message).toMatch(/invalid \(422\)/);
    expect((await read(target)).spec?.replicas).toBe(1);
  });
});


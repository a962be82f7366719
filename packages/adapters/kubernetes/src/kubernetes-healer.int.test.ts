/**
 * The healer against the sandbox API server: client-node over real HTTP and WebSocket, the
 * sandbox's Deployment controller reacting to every write.
 */
import { spawnSync } from 'node:child_process';
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { healStepSchema, type TargetRef } from '@autoheal/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesHealer, type KubernetesHealer } from './kubernetes-healer.js';
import { startTestCluster, type TestCluster } from './test-cluster.js';

// kubectl is the reference for these checks; CI machines without it skip them, loudly.
const kubectlAvailable = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
if (!kubectlAvailable) console.warn('[adapter-kubernetes] SKIPPED the kubectl comparison tests: `kubectl` is not on PATH');

let cluster: TestCluster;
let healer: KubernetesHealer;
let apps: AppsV1Api;
let core: CoreV1Api;
let autoscaling: AutoscalingV2Api;
let counter = 0;

/** A fresh Deployment per test, so tests do not see each other's revisions and Events. */
function newTarget(replicas = 2, hpa?: { minReplicas: number; maxReplicas: number }): TargetRef {
  counter += 1;
  const name = `web-${counter}`;
  cluster.addWorkload({ namespace: 'prod', name, replicas, ...(hpa ? { hpa: { ...hpa, targetCpuUtilization: 80 } } : {}) });
  return { namespace: 'prod', kind: 'Deployment', name };
}

const read = (target: TargetRef) => apps.readNamespacedDeployment({ name: target.name, namespace: target.namespace });
const ownedReplicaSets = async (target: TargetRef) => {
  const deployment = await read(target);
  const list = await apps.listNamespacedReplicaSet({ namespace: target.namespace });
  return list.items.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === deployment.metadata?.uid));
};
const describeEvents = async (target: TargetRef) => {
  const deployment = await read(target);
  const selector = `involvedObject.name=${target.name},involvedObject.namespace=${target.namespace},involvedObject.kind=Deployment,involvedObject.uid=${deployment.metadata?.uid}`;
  // The controller's own ScalingReplicaSet Events are there too; keep autoheal's.
  return (await core.listNamespacedEvent({ namespace: target.namespace, fieldSelector: selector })).items.filter((e) => e.source?.component === 'autoheal');
};
const setImage = async (target: TargetRef, image: string) => {
  const deployment = await read(target);
  const container = deployment.spec?.template.spec?.containers[0]?.name ?? '';
  await apps.patchNamespacedDeployment(
    { name: target.name, namespace: target.namespace, body: { spec: { template: { spec: { containers: [{ name: container, image }] } } } } },
    setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  );
  cluster.advance(60_000);
};

beforeAll(async () => {
  cluster = await startTestCluster([]);
  healer = createKubernetesHealer({ kubeconfigPath: cluster.kubeconfigPath, reportingInstance: 'test-1' });
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  apps = kc.makeApiClient(AppsV1Api);
  core = kc.makeApiClient(CoreV1Api);
  autoscaling = kc.makeApiClient(AutoscalingV2Api);
});

afterAll(async () => {
  await healer?.close?.();
  await cluster?.close();
});

describe('restart', () => {
  it('sets restartedAt on the pod template: a new ReplicaSet appears and the revision goes up by one', async () => {
    const target = newTarget(2);
    const before = await read(target);
    const revisionBefore = Number(before.metadata?.annotations?.['deployment.kubernetes.io/revision']);

    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: false }), 1);
    const outcome = await healer.apply(target, plan);
    cluster.advance(60_000);

    expect(outcome.ok).toBe(true);
    const after = await read(target);
    expect(after.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    expect(after.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeUndefined();
    expect(Number(after.metadata?.annotations?.['deployment.kubernetes.io/revision'])).toBe(revisionBefore + 1);
    expect(await ownedReplicaSets(target)).toHaveLength(2);
  });

  it('refuses a paused Deployment in the plan', async () => {
    const target = newTarget(1);
    await apps.patchNamespacedDeployment(
      { name: target.name, namespace: target.namespace, body: { spec: { paused: true } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'restart' }), 1);

    expect(plan.refusal).toBe("can't restart paused deployment (run rollout resume first)");
    expect(plan.operations).toEqual([]);
  });
});

describe('scale', () => {
  it('scales spec.replicas up by `by`, capped at maxReplicas, and shows from → to in the plan', async () => {
    const target = newTarget(2);

    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: { by: 5, maxReplicas: 4 } }), 1);
    const outcome = await healer.apply(target, plan);

    const scale = plan.operations.find((o) => o.op === 'scale');
    expect(scale?.details).toMatchObject({ from: 2, to: 4 });
    expect(scale?.description).toBe(`scale deployment/${target.name} 2 → 4 replicas`);
    expect(outcome.ok).toBe(true);
    expect((await read(target)).spec?.replicas).toBe(4);
  });

  it('at the ceiling plans an operation that says so instead of failing', async () => {
    const target = newTarget(3);

    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: { by: 1, maxReplicas: 3 } }), 1);
    const outcome = await healer.apply(target, plan);

    const scale = plan.operations.find((o) => o.op === 'scale');
    expect(scale?.description).toContain('already at 3 replicas (ceiling 3)');
    expect(outcome.ok).toBe(true);
    expect((await read(target)).spec?.replicas).toBe(3);
  });

  it('with an HPA raises minReplicas (remembering the original) and writeState(null) restores it', async () => {
    const target = newTarget(2, { minReplicas: 2, maxReplicas: 6 });

    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: { by: 1, maxReplicas: 10 } }), 1);
    const outcome = await healer.apply(target, plan);

    expect(plan.operations.map((o) => o.op)).toEqual(['restart', 'scale-hpa', 'event']);
    expect(outcome.ok).toBe(true);
    const hpa = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: target.name, namespace: target.namespace });
    expect(hpa.spec?.minReplicas).toBe(3);
    expect(hpa.metadata?.annotations?.['autoheal.dev/original-min-replicas']).toBe('2');

    await healer.writeState(target, null);

    const restored = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: target.name, namespace: target.namespace });
    expect(restored.spec?.minReplicas).toBe(2);
    expect(restored.metadata?.annotations?.['autoheal.dev/original-min-replicas']).toBeUndefined();
  });
});

describe('cache clear', () => {
  it('runs the command in every ready pod of the current ReplicaSet and reports exit codes, then restarts', async () => {
    const target = newTarget(3);

    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'cache', scaleUp: false }), 2);
    const outcome = await healer.apply(target, plan);

    const exec = plan.operations.find((o) => o.op === 'exec');
    const pods = exec?.details?.['pods'] as string[];
    expect(pods).toHaveLength(3);
    expect(plan.operations.map((o) => o.op)).toEqual(['exec', 'restart', 'event']);
    expect(outcome.ok).toBe(true);
    const results = outcome.results.find((r) => r.op === 'exec')?.details?.['results'] as { pod: string; exitCode: number; ok: boolean }[];
    expect(results.map((r) => r.pod).sort()).toEqual([...pods].sort());
    expect(results.every((r) => r.ok && r.exitCode === 0)).toBe(true);
  });

  it('reports a failing command as a partial failure naming the pods and their exit codes', async () => {
    const target = newTarget(2);

    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'cache', command: ['sh', '-c', 'exit 3'], scaleUp: false }), 2);
    const outcome = await healer.apply(target, plan);

    const pods = plan.operations.find((o) => o.op === 'exec')?.details?.['pods'] as string[];
    const exec = outcome.results.find((r) => r.op === 'exec');
    expect(outcome.ok).toBe(false);
    expect(exec?.ok).toBe(false);
    for (const pod of pods) expect(exec?.message).toContain(`${pod} (exit 3)`);
    // The restart still ran: replacing the pods clears their caches too.
    expect(outcome.results.find((r) => r.op === 'restart')?.ok).toBe(true);
  });

  it('reports an unknown command with exit code 127 and its stderr', async () => {
    const target = newTarget(1);

    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'cache', command: ['flush-everything'], restart: false, scaleUp: false }), 2);
    const outcome = await healer.apply(target, plan);

    const results = outcome.results.find((r) => r.op === 'exec')?.details?.['results'] as { exitCode: number; stderr: string }[];
    expect(outcome.ok).toBe(false);
    expect(results[0]?.exitCode).toBe(127);
    expect(results[0]?.stderr).toContain('flush-everything: command not found');
  });

  it('skips pods that are not Ready and names them', async () => {
    const target = newTarget(2);
    const pods = await core.listNamespacedPod({ namespace: target.namespace, labelSelector: `app=${target.name}` });
    const victim = pods.items[0]?.metadata?.name ?? '';
    const stored = cluster.store.get('/pods', target.namespace, victim) as { status: { conditions: { type: string; status: string }[] } } & Parameters<TestCluster['store']['update']>[1];
    stored.status.conditions = stored.status.conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False' } : c));
    cluster.store.update('/pods', stored);

    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'cache', scaleUp: false }), 2);

    const exec = plan.operations.find((o) => o.op === 'exec');
    expect(exec?.details?.['pods']).not.toContain(victim);
    expect(exec?.details?.['skipped']).toEqual([expect.objectContaining({ pod: victim })]);
    expect(exec?.description).toContain(`skip 1 not ready: ${victim}`);
  });
});

describe('rollback', () => {
  it('restores the previous revision; the controller re-numbers it as the next revision', async () => {
    const target = newTarget(2);
    const original = (await read(target)).spec?.template.spec?.containers[0]?.image;
    await setImage(target, 'registry.local/app:2.0.0');
    expect((await read(target)).metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');

    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'rollback' }), 3);
    const outcome = await healer.apply(target, plan);
    cluster.advance(60_000);

    expect(plan.operations[0]?.details).toMatchObject({ revision: 1, fromRevision: 2 });
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

    const toTwo = await healer.plan(target, healStepSchema.parse({ kind: 'rollback', toRevision: 2 }), 3);
    await healer.apply(target, toTwo);
    cluster.advance(60_000);
    const same = await healer.plan(target, healStepSchema.parse({ kind: 'rollback', toRevision: 4 }), 3);
    const skipped = await healer.apply(target, same);

    expect((await read(target)).spec?.template.spec?.containers[0]?.image).toBe('registry.local/app:2.0.0');
    expect(same.operations[0]?.description).toContain('skipped rollback (current template already matches revision 4)');
    expect(skipped.ok).toBe(true);
  });

  it('refuses when there is no previous revision, and when toRevision does not exist (listing the revisions)', async () => {
    const target = newTarget(1);

    const none = await healer.plan(target, healStepSchema.parse({ kind: 'rollback' }), 3);
    const missing = await healer.plan(target, healStepSchema.parse({ kind: 'rollback', toRevision: 9 }), 3);

    expect(none.refusal).toContain(`no rollout history found for deployment "${target.name}"`);
    expect(missing.refusal).toContain('unable to find specified revision 9 in history');
    expect(missing.refusal).toContain('available revisions: 1');
  });

  it('keeps the ladder state annotations across the rollback', async () => {
    const target = newTarget(1);
    await healer.writeState(target, { attempt: 1, lastStep: 'restart' });
    await setImage(target, 'registry.local/app:2.0.0');
    await healer.writeState(target, { attempt: 2, lastStep: 'cache' });

    await healer.apply(target, await healer.plan(target, healStepSchema.parse({ kind: 'rollback' }), 3));

    // kubectl's algorithm would replace the annotations with the revision-1 ReplicaSet's (no or an older attempt).
    await expect(healer.readState(target)).resolves.toEqual({ attempt: 2, lastStep: 'cache' });
  });
});

/** A KubeConfig whose next PATCH of `deployment` is preceded by another writer's change, so that PATCH meets a real 409. */
class ConcurrentWriterKubeConfig extends KubeConfig {
  pending = 0;
  conflictsCaused = 0;
  constructor(private readonly deployment: string, private readonly otherWriter: () => Promise<void>) {
    super();
  }
  override async applySecurityAuthentication(context: Parameters<KubeConfig['applySecurityAuthentication']>[0]): Promise<void> {
    if (this.pending > 0 && context.getHttpMethod() === 'PATCH' && context.getUrl().includes(`/deployments/${this.deployment}?`)) {
      this.pending -= 1;
      this.conflictsCaused += 1;
      await this.otherWriter();
    }
    return super.applySecurityAuthentication(context);
  }
}

describe('ladder state', () => {
  it('reads a Deployment that only has healing.attempt (the original script\'s annotation)', async () => {
    const target = newTarget(1);
    await apps.patchNamespacedDeployment(
      { name: target.name, namespace: target.namespace, body: { metadata: { annotations: { 'healing.attempt': '2' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

    await expect(healer.readState(target)).resolves.toEqual({ attempt: 2 });
  });

  it('is written on the Deployment metadata (not the template), without starting a rollout', async () => {
    const target = newTarget(1);
    const before = await read(target);

    await healer.writeState(target, { attempt: 1, lastStep: 'restart', lastActionAt: 1_700_000_000_000 });
    cluster.advance(30_000);

    const after = await read(target);
    expect(after.metadata?.annotations?.['healing.attempt']).toBe('1');
    expect(JSON.parse(after.metadata?.annotations?.['autoheal.dev/healing-state'] ?? '{}')).toEqual({ lastStep: 'restart', lastActionAt: 1_700_000_000_000 });
    expect(after.spec?.template.metadata?.annotations?.['healing.attempt']).toBeUndefined();
    expect(after.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe(before.metadata?.annotations?.['deployment.kubernetes.io/revision']);
  });

  it('retries after a 409 from a concurrent writer, and keeps the other writer\'s change', async () => {
    const target = newTarget(1);
    const otherWriter = async () => {
      await apps.patchNamespacedDeployment(
        { name: target.name, namespace: target.namespace, body: { metadata: { annotations: { 'team.example/owner': 'payments' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    };
    const kubeConfig = new ConcurrentWriterKubeConfig(target.name, otherWriter);
    kubeConfig.loadFromFile(cluster.kubeconfigPath);
    const racing = createKubernetesHealer({ kubeConfig });
    kubeConfig.pending = 2;

    await racing.writeState(target, { attempt: 2, lastStep: 'cache' });

    expect(kubeConfig.conflictsCaused).toBe(2);
    await expect(racing.readState(target)).resolves.toEqual({ attempt: 2, lastStep: 'cache' });
    expect((await read(target)).metadata?.annotations?.['team.example/owner']).toBe('payments');
  });

  it('gives up after conflictRetries with a retryable error', async () => {
    const target = newTarget(1);
    let n = 0;
    const kubeConfig = new ConcurrentWriterKubeConfig(target.name, async () => {
      n += 1;
      await apps.patchNamespacedDeployment(
        { name: target.name, namespace: target.namespace, body: { metadata: { annotations: { 'other/n': String(n) } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    });
    kubeConfig.loadFromFile(cluster.kubeconfigPath);
    const racing = createKubernetesHealer({ kubeConfig, conflictRetries: 1 });
    kubeConfig.pending = 5;

    await expect(racing.writeState(target, { attempt: 1 })).rejects.toMatchObject({ code: 'ADAPTER_FAILED', retryable: true });
    expect(kubeConfig.conflictsCaused).toBe(2);
  });

  it('writeState(null) removes both annotations', async () => {
    const target = newTarget(1);
    await healer.writeState(target, { attempt: 3, lastStep: 'rollback', handoffNotified: true });

    await healer.writeState(target, null);

    const annotations = (await read(target)).metadata?.annotations ?? {};
    expect(annotations['healing.attempt']).toBeUndefined();
    expect(annotations['autoheal.dev/healing-state']).toBeUndefined();
    await expect(healer.readState(target)).resolves.toEqual({ attempt: 0 });
  });
});

describe('dry-run', () => {
  it('plan writes nothing and apply with dryRun leaves resourceVersion, replicas, state and Events unchanged', async () => {
    const target = newTarget(2);
    await healer.writeState(target, { attempt: 1 });
    const before = await read(target);
    const eventsBefore = (await describeEvents(target)).length;

    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'cache', scaleUp: { by: 1, maxReplicas: 5 } }), 2);
    const replicaSetsBefore = (await ownedReplicaSets(target)).length;
    const outcome = await healer.apply(target, plan, { dryRun: true });

    const after = await read(target);
    expect(outcome.dryRun).toBe(true);
    expect(outcome.ok).toBe(true);
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(after.spec?.replicas).toBe(2);
    cluster.advance(30_000);
    expect((await read(target)).metadata?.generation).toBe(before.metadata?.generation);
    expect(await ownedReplicaSets(target)).toHaveLength(replicaSetsBefore);
    expect((await describeEvents(target)).length).toBe(eventsBefore);
    await expect(healer.readState(target)).resolves.toEqual({ attempt: 1 });
    const pods = plan.operations.find((o) => o.op === 'exec')?.details?.['pods'] as string[];
    expect(outcome.results.find((r) => r.op === 'exec')?.message).toContain(`would run \`sh -c rm -rf /tmp/cache/*\` in pods ${pods.join(', ')}`);
  });

  it('still lets the API server validate: an invalid rollback patch is rejected in dry-run', async () => {
    const target = newTarget(1);
    const plan = {
      step: { kind: 'rollback' as const },
      attempt: 3,
      operations: [
        { op: 'rollback' as const, description: 'bad', details: { revision: 1, patch: [{ op: 'replace', path: '/spec/replicas', value: -1 }] } },
      ],
    };

    const outcome = await healer.apply(target, plan, { dryRun: true });

    expect(outcome.ok).toBe(false);
    expect(outcome.results[0]?.message).toMatch(/invalid \(422\)/);
    expect((await read(target)).spec?.replicas).toBe(1);
  });
});

describe('Events', () => {
  it('every applied step records an Event on the Deployment that describe\'s field selector finds', async () => {
    const target = newTarget(1);
    const deployment = await read(target);

    const outcome = await healer.apply(target, await healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: false }), 1));

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

    await healer.apply(target, await healer.plan(target, healStepSchema.parse({ kind: 'cache', command: ['sh', '-c', 'exit 2'], restart: false, scaleUp: false }), 2));

    const events = await describeEvents(target);
    expect(events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'AutohealCacheClear']]);
    expect(events[0]?.message).toContain('(exit 2)');
  });

  it('recordDecision writes Events for kept, reset, handoff and refused, and nothing for none or awaiting-recheck', async () => {
    const { makeDecisionRecord } = await import('@autoheal/core/testing');
    const target = newTarget(1);

    for (const decision of ['none', 'awaiting-recheck', 'kept', 'reset', 'handoff'] as const) {
      await healer.recordDecision?.(makeDecisionRecord({ target, decision, summary: `${target.name}: ${decision}` }));
    }
    await healer.recordDecision?.(makeDecisionRecord({ target, decision: 'suppressed', suppressedReason: 'refused', summary: 'refused: paused' }));
    await healer.recordDecision?.(makeDecisionRecord({ target, decision: 'suppressed', suppressedReason: 'cooldown', summary: 'cooldown' }));
    await healer.recordDecision?.(makeDecisionRecord({ target, decision: 'handoff', dryRun: true, summary: 'dry-run handoff' }));

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
    const { execFile } = await import('node:child_process');
    const target = newTarget(1);
    await healer.apply(target, await healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: false }), 1));

    const output = await new Promise<string>((resolve, reject) =>
      execFile('kubectl', ['--kubeconfig', cluster.kubeconfigPath, '-n', 'prod', 'describe', 'deployment', target.name], (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    );

    expect(output).toMatch(/Normal\s+AutohealRestart\s+\S+\s+autoheal\s+restart step \(attempt 1\)/);
  });
});

describe('operator helpers', () => {
  it('listRevisions lists revisions with ReplicaSet, images and which one is current', async () => {
    const target = newTarget(1);
    const original = (await read(target)).spec?.template.spec?.containers[0]?.image;
    await setImage(target, 'registry.local/app:2.0.0');

    const revisions = await healer.listRevisions(target);

    expect(revisions.map((r) => [r.revision, r.images, r.current])).toEqual([
      [1, [original], false],
      [2, ['registry.local/app:2.0.0'], true],
    ]);
    expect(revisions[0]?.replicaSet).toMatch(new RegExp(`^${target.name}-`));
    expect(revisions[0]?.created).toMatch(/^\d{4}-/);
  });

  it('rollback(target) rolls back and rollback of a fresh Deployment throws HEALING_REFUSED', async () => {
    const target = newTarget(1);
    const fresh = newTarget(1);
    await setImage(target, 'registry.local/app:2.0.0');

    const outcome = await healer.rollback(target);

    expect(outcome.ok).toBe(true);
    expect((await read(target)).spec?.template.spec?.containers[0]?.image).not.toBe('registry.local/app:2.0.0');
    await expect(healer.rollback(fresh)).rejects.toMatchObject({ code: 'HEALING_REFUSED' });
  });

  it('getDeploymentSummary reports replicas, readiness, revision, state, HPA and recent Events', async () => {
    const target = newTarget(2, { minReplicas: 2, maxReplicas: 5 });
    await healer.writeState(target, { attempt: 1, lastStep: 'restart' });
    await healer.recordDecision?.((await import('@autoheal/core/testing')).makeDecisionRecord({ target, decision: 'kept', summary: 'kept it' }));

    const summary = await healer.getDeploymentSummary(target);

    expect(summary).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      paused: false,
      revision: 1,
      state: { attempt: 1, lastStep: 'restart' },
      hpa: { name: target.name, minReplicas: 2, maxReplicas: 5 },
    });
    expect(summary.events[0]).toMatchObject({ type: 'Normal', reason: 'AutohealKept', message: 'kept it', from: 'autoheal' });
  });
});

describe('rollback guards', () => {
  it('refuses to roll back a paused Deployment with kubectl\'s message', async () => {
    const target = newTarget(1);
    await setImage(target, 'registry.local/app:2.0.0');
    await apps.patchNamespacedDeployment(
      { name: target.name, namespace: target.namespace, body: { spec: { paused: true } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'rollback' }), 3);

    expect(plan.refusal).toBe("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again");
  });

  it('warns in the plan when Argo CD manages the Deployment (its sync would revert the rollback)', async () => {
    const target = newTarget(1);
    await setImage(target, 'registry.local/app:2.0.0');
    await apps.patchNamespacedDeployment(
      { name: target.name, namespace: target.namespace, body: { metadata: { annotations: { 'argocd.argoproj.io/tracking-id': `shop:apps/Deployment:prod/${target.name}` } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'rollback' }), 3);

    expect(plan.operations[0]?.details?.['gitOpsManager']).toBe('Argo CD');
    expect(plan.operations[0]?.description).toContain('warning: managed by Argo CD');
  });
});

describe('scale safety', () => {
  it('never scales down when someone scaled up between plan and apply', async () => {
    const target = newTarget(2);
    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: { by: 1, maxReplicas: 10 } }), 1);
    await apps.patchNamespacedDeploymentScale(
      { name: target.name, namespace: target.namespace, body: { spec: { replicas: 6 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

    const outcome = await healer.apply(target, plan);

    expect(outcome.results.find((r) => r.op === 'scale')?.message).toContain('already has 6 replicas (planned 3): left as is');
    expect((await read(target)).spec?.replicas).toBe(6);
  });
});

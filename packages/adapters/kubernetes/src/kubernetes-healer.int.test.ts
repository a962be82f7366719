/**
 * The healer against the sandbox API server: client-node over real HTTP and WebSocket, the
 * sandbox's Deployment controller reacting to every write.
 */
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { healStepSchema, type TargetRef } from '@autoheal/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesHealer, type KubernetesHealer } from './kubernetes-healer.js';
import { startTestCluster, type TestCluster } from './test-cluster.js';

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
  return (await core.listNamespacedEvent({ namespace: target.namespace, fieldSelector: selector })).items;
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

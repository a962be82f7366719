/**
 * Test support: one sandbox cluster and one healer per test file, plus the reads a test uses to
 * check what the healer did (straight from the API, not through the healer). `useHealerTestKit()`
 * registers the vitest hooks that start and stop them; the returned kit is filled in `beforeAll`.
 */
import { spawnSync } from 'node:child_process';
import type { TargetRef } from '@autoheal/core';
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type CoreV1Event, type V1Deployment, type V1ReplicaSet } from '@kubernetes/client-node';
import { afterAll, beforeAll } from 'vitest';
import { createKubernetesHealer, type KubernetesHealer } from '../src/kubernetes-healer.js';
import { startTestCluster, type TestCluster } from './test-cluster.js';

/** Whether `kubectl` is on PATH (the reference of the kubectl comparisons, which skip loudly without it). */
export const kubectlAvailable = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
if (!kubectlAvailable) console.warn('[adapter-kubernetes] SKIPPED the kubectl comparison tests: `kubectl` is not on PATH');

/** The cluster, the healer and direct API clients of one test file. */
export interface HealerTestKit {
  cluster: TestCluster;
  /** A healer with `reportingInstance: 'test-1'`. */
  healer: KubernetesHealer;
  apps: AppsV1Api;
  core: CoreV1Api;
  autoscaling: AutoscalingV2Api;
  /** A fresh Deployment (`<prefix>-<n>` in `prod`), so tests do not see each other's revisions and Events. */
  newTarget(replicas?: number, hpa?: { minReplicas: number; maxReplicas: number }): TargetRef;
  read(target: TargetRef): Promise<V1Deployment>;
  /** The ReplicaSets the Deployment owns. */
  ownedReplicaSets(target: TargetRef): Promise<V1ReplicaSet[]>;
  /** autoheal's Events on the Deployment, found the way `kubectl describe` finds them. */
  describeEvents(target: TargetRef): Promise<CoreV1Event[]>;
  /** Changes the first container's image (a new release) and lets the rollout happen. */
  setImage(target: TargetRef, image: string): Promise<void>;
}

/** Starts the kit before the file's tests and stops it after them. */
export function useHealerTestKit(prefix: string): HealerTestKit {
  let counter = 0;
  const kit = {
    newTarget(replicas = 2, hpa?: { minReplicas: number; maxReplicas: number }): TargetRef {
      counter += 1;
      const name = `${prefix}-${counter}`;
      kit.cluster.addWorkload({ namespace: 'prod', name, replicas, ...(hpa ? { hpa: { ...hpa, targetCpuUtilization: 80 } } : {}) });
      return { namespace: 'prod', kind: 'Deployment', name };
    },
    read: (target: TargetRef) => kit.apps.readNamespacedDeployment({ name: target.name, namespace: target.namespace }),
    async ownedReplicaSets(target: TargetRef) {
      const deployment = await kit.read(target);
      const list = await kit.apps.listNamespacedReplicaSet({ namespace: target.namespace });
      return list.items.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === deployment.metadata?.uid));
    },
    async describeEvents(target: TargetRef) {
      const deployment = await kit.read(target);
      const selector = `involvedObject.name=${target.name},involvedObject.namespace=${target.namespace},involvedObject.kind=Deployment,involvedObject.uid=${deployment.metadata?.uid}`;
      // The controller's own ScalingReplicaSet Events are there too; keep autoheal's.
      return (await kit.core.listNamespacedEvent({ namespace: target.namespace, fieldSelector: selector })).items.filter((e) => e.source?.component === 'autoheal');
    },
    async setImage(target: TargetRef, image: string) {
      const deployment = await kit.read(target);
      const container = deployment.spec?.template.spec?.containers[0]?.name ?? '';
      await kit.apps.patchNamespacedDeployment(
        { name: target.name, namespace: target.namespace, body: { spec: { template: { spec: { containers: [{ name: container, image }] } } } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
      kit.cluster.advance(60_000);
    },
  } as HealerTestKit;

  beforeAll(async () => {
    kit.cluster = await startTestCluster([]);
    kit.healer = createKubernetesHealer({ kubeconfigPath: kit.cluster.kubeconfigPath, reportingInstance: 'test-1' });
    const kc = new KubeConfig();
    kc.loadFromFile(kit.cluster.kubeconfigPath);
    kit.apps = kc.makeApiClient(AppsV1Api);
    kit.core = kc.makeApiClient(CoreV1Api);
    kit.autoscaling = kc.makeApiClient(AutoscalingV2Api);
  });

  afterAll(async () => {
    await kit.healer?.close?.();
    await kit.cluster?.close();
  });

  return kit;
}

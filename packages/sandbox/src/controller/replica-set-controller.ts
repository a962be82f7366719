/**
 * The ReplicaSet controller (upstream `pkg/controller/replicaset`): it makes a ReplicaSet's pod
 * count match `spec.replicas`, creating pods named `<rs>-<5 chars>` or deleting the least useful
 * ones, then writes the ReplicaSet's status. The Deployment controller runs it as part of each
 * reconcile, because its scaling decisions read the availability this writes.
 */
import type { Pod, ReplicaSet } from '../base/kube-types.js';
import { formatKubeTime } from '../base/kube-time.js';
import type { SandboxClock } from '../base/sandbox-clock.js';
import type { SeededRandom } from '../base/seeded-random.js';
import type { ObjectStore } from '../store/types.js';
import type { ClusterCache } from './cluster-cache.js';
import { byCreation } from './deployment-util.js';
import { canonicalJson } from './pod-template-hash.js';

/** Characters of generated name suffixes (as the API server's `generateName`). */
const nameSuffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** Options of `createReplicaSetController`. */
export interface ReplicaSetControllerOptions {
  store: ObjectStore;
  cache: ClusterCache;
  clock: SandboxClock;
  /** Source of pod name suffixes. */
  random: SeededRandom;
  /** The node name written into pods. @default 'sandbox-node-1' */
  nodeName?: string;
}

/** The ReplicaSet controller; the Deployment controller calls `sync`. */
export interface ReplicaSetController {
  /** Creates or deletes pods until the count matches `spec.replicas`, then writes the status. */
  sync(replicaSet: ReplicaSet): void;
}

/** Whether the pod's `Ready` condition is `True`. */
export function podIsReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
}

function restartsOf(pod: Pod): number {
  return pod.status?.containerStatuses?.reduce((sum, status) => sum + status.restartCount, 0) ?? 0;
}

/** Creates the controller. */
export function createReplicaSetController(options: ReplicaSetControllerOptions): ReplicaSetController {
  const { store, cache, clock, random } = options;
  const nodeName = options.nodeName ?? 'sandbox-node-1';

  function podIsAvailable(pod: Pod, minReadySeconds: number): boolean {
    const ready = pod.status?.conditions?.find((condition) => condition.type === 'Ready' && condition.status === 'True');
    if (!ready) return false;
    if (minReadySeconds <= 0) return true;
    const since = Date.parse(ready.lastTransitionTime ?? '');
    return Number.isFinite(since) && since + minReadySeconds * 1000 <= clock.now();
  }

  function createPod(replicaSet: ReplicaSet): void {
    const namespace = replicaSet.metadata.namespace;
    let name: string;
    do {
      name = `${replicaSet.metadata.name}-${random.characters(nameSuffixAlphabet, 5)}`;
    } while (cache.get('/pods', namespace, name));
    const template = replicaSet.spec.template ?? {};
    const now = formatKubeTime(clock.now());
    store.create('/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        generateName: `${replicaSet.metadata.name}-`,
        namespace,
        labels: { ...template.metadata?.labels },
        ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: replicaSet.metadata.name,
            uid: replicaSet.metadata.uid ?? '',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { ...structuredClone(template.spec ?? { containers: [] }), nodeName },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now }],
        qosClass: 'Burstable',
      },
    });
  }

  return {
    sync(replicaSet) {
      const pods = cache.ownedBy<Pod>('/pods', replicaSet.metadata.uid ?? '');
      const wanted = replicaSet.spec.replicas ?? 0;
      if (pods.length < wanted) {
        for (let index = pods.length; index < wanted; index += 1) createPod(replicaSet);
      } else if (pods.length > wanted) {
        // Delete the least useful pods first: not ready, then more restarts, then the newest.
        const ranked = [...pods].sort((left, right) => {
          const readyDifference = Number(podIsReady(left)) - Number(podIsReady(right));
          if (readyDifference !== 0) return readyDifference;
          const restartDifference = restartsOf(right) - restartsOf(left);
          if (restartDifference !== 0) return restartDifference;
          return -byCreation(left, right);
        });
        for (const pod of ranked.slice(0, pods.length - wanted)) {
          store.delete('/pods', pod.metadata.namespace, pod.metadata.name);
        }
      }
      const current = cache.ownedBy<Pod>('/pods', replicaSet.metadata.uid ?? '');
      const minReadySeconds = replicaSet.spec.minReadySeconds ?? 0;
      const status = {
        replicas: current.length,
        fullyLabeledReplicas: current.length,
        readyReplicas: current.filter(podIsReady).length,
        availableReplicas: current.filter((pod) => podIsAvailable(pod, minReadySeconds)).length,
        observedGeneration: replicaSet.metadata.generation ?? 1,
      };
      const latest = cache.get<ReplicaSet>('apps/replicasets', replicaSet.metadata.namespace, replicaSet.metadata.name);
      if (latest && canonicalJson(latest.status ?? {}) !== canonicalJson(status)) {
        store.update('apps/replicasets', { ...latest, status });
      }
    },
  };
}

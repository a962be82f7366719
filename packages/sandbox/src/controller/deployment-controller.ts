/**
 * The Deployment controller of the sandbox (upstream `pkg/controller/deployment`): it turns
 * Deployments into ReplicaSets and pods. Each reconcile finds or creates the new ReplicaSet
 * (`new-replica-set.ts`), rolls toward it with the Deployment's strategy (`rolling-update.ts`,
 * which runs the ReplicaSet controller), writes status and conditions (`deployment-status.ts`) and
 * cleans up old history. It reads from the `ClusterCache`, writes to the store directly, and
 * records Events through the shared recorder; the simulation's kubelet moves pods through their
 * lives.
 */
import { type Condition, type Deployment, type KubeObject, type ReplicaSet, objectKey, revisionAnnotation } from '../base/kube-types.js';
import type { SandboxClock } from '../base/sandbox-clock.js';
import type { SeededRandom } from '../base/seeded-random.js';
import type { ObjectStore, StoreEvent } from '../store/types.js';
import type { ClusterCache } from './cluster-cache.js';
import { revisionOf, splitReplicaSets } from './deployment-util.js';
import { calculateStatus } from './deployment-status.js';
import type { EventRecorder } from './event-recorder.js';
import { ensureNewReplicaSet } from './new-replica-set.js';
import { canonicalJson } from './pod-template-hash.js';
import { createReplicaSetController } from './replica-set-controller.js';
import { type RolloutContext, rollingUpdate } from './rolling-update.js';

/** Options of `createDeploymentController`. */
export interface DeploymentControllerOptions {
  store: ObjectStore;
  cache: ClusterCache;
  clock: SandboxClock;
  /** Where `ScalingReplicaSet` Events go. */
  recorder: EventRecorder;
  /** Source of pod name suffixes. */
  random: SeededRandom;
  /** The node name written into pods. @default 'sandbox-node-1' */
  nodeName?: string;
}

/** The controller; driven by the simulation. */
export interface DeploymentController {
  /** Feeds a store event in (the simulation forwards cache events). */
  handleEvent(event: StoreEvent): void;
  /** Marks one Deployment (`namespace/name`) for reconciliation. */
  markDirty(key: string): void;
  /** True when some Deployment waits for reconciliation. */
  hasDirty(): boolean;
  /**
   * Reconciles dirty Deployments and those whose rollout is unfinished (their progress deadline
   * and their pods' readiness depend on time).
   */
  reconcile(): void;
}

/** Creates the controller. */
export function createDeploymentController(options: DeploymentControllerOptions): DeploymentController {
  const { store, cache, clock, recorder } = options;
  const replicaSets = createReplicaSetController({ store, cache, clock, random: options.random, nodeName: options.nodeName });
  const context: RolloutContext = { store, cache, recorder, replicaSets };
  let dirty = new Set<string>();
  /**
   * Deployments whose rollout is not complete → when time alone (no event) could change their
   * status: the progress deadline, or minReadySeconds passing. Reconciled then.
   */
  const inProgress = new Map<string, number>();

  function deploymentKeyOfReplicaSet(replicaSet: KubeObject): string | undefined {
    const owner = replicaSet.metadata.ownerReferences?.find((reference) => reference.controller && reference.kind === 'Deployment');
    return owner ? objectKey(replicaSet.metadata.namespace, owner.name) : undefined;
  }

  function handleEvent(event: StoreEvent): void {
    const { metadata } = event.object;
    if (event.resource === 'apps/deployments') {
      dirty.add(objectKey(metadata.namespace, metadata.name));
    } else if (event.resource === 'apps/replicasets') {
      const key = deploymentKeyOfReplicaSet(event.object);
      if (key) dirty.add(key);
    } else if (event.resource === '/pods') {
      const owner = metadata.ownerReferences?.find((reference) => reference.controller && reference.kind === 'ReplicaSet');
      if (!owner) return;
      const replicaSet = cache.get('apps/replicasets', metadata.namespace, owner.name);
      const key = replicaSet ? deploymentKeyOfReplicaSet(replicaSet) : undefined;
      if (key) dirty.add(key);
    }
  }

  /** `cleanupDeployment`: keep at most revisionHistoryLimit old ReplicaSets that are scaled to 0. */
  function cleanupHistory(deployment: Deployment, oldReplicaSets: ReplicaSet[]): void {
    const limit = deployment.spec.revisionHistoryLimit;
    if (limit === undefined || limit >= 2147483647) return;
    const candidates = oldReplicaSets
      .map((replicaSet) => cache.get<ReplicaSet>('apps/replicasets', replicaSet.metadata.namespace, replicaSet.metadata.name))
      .filter((replicaSet): replicaSet is ReplicaSet => replicaSet !== undefined && !replicaSet.metadata.deletionTimestamp);
    const excess = candidates.length - limit;
    if (excess <= 0) return;
    candidates.sort((left, right) => revisionOf(left) - revisionOf(right));
    let deleted = 0;
    for (const replicaSet of candidates) {
      if (deleted >= excess) break;
      const busy =
        (replicaSet.status?.replicas ?? 0) !== 0 ||
        (replicaSet.spec.replicas ?? 0) !== 0 ||
        (replicaSet.metadata.generation ?? 1) > (replicaSet.status?.observedGeneration ?? 0);
      if (busy) continue;
      store.delete('apps/replicasets', replicaSet.metadata.namespace, replicaSet.metadata.name);
      deleted += 1;
    }
  }

  function reconcileDeployment(key: string): void {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    let deployment = cache.get<Deployment>('apps/deployments', namespace, name);
    if (!deployment || deployment.metadata.deletionTimestamp) {
      inProgress.delete(key);
      return;
    }
    const previousStatus = deployment.status ?? {};
    let conditions: Condition[] = [...(previousStatus.conditions ?? [])];
    const owned = () => cache.ownedBy<ReplicaSet>('apps/replicasets', deployment?.metadata.uid ?? '');
    const { newReplicaSet, oldReplicaSets } = splitReplicaSets(deployment, owned());
    let collisionCount = previousStatus.collisionCount;

    if (!deployment.spec.paused) {
      const ensured = ensureNewReplicaSet({ store, cache, clock, recorder }, deployment, newReplicaSet, oldReplicaSets, conditions);
      conditions = ensured.conditions;
      collisionCount = ensured.collisionCount;

      // The Deployment shows the revision of its new ReplicaSet (written like UpdateStatus:
      // no generation change).
      const revision = ensured.replicaSet.metadata.annotations?.[revisionAnnotation];
      if (revision && deployment.metadata.annotations?.[revisionAnnotation] !== revision) {
        deployment = store.update('apps/deployments', {
          ...deployment,
          metadata: { ...deployment.metadata, annotations: { ...deployment.metadata.annotations, [revisionAnnotation]: revision } },
        }) as Deployment;
      }
      rollingUpdate(context, deployment);
    } else {
      for (const replicaSet of owned()) replicaSets.sync(replicaSet);
    }

    // Status, from the ReplicaSets as they are now.
    const split = splitReplicaSets(deployment, owned());
    const { status, complete } = calculateStatus(
      deployment,
      previousStatus,
      { all: owned(), newReplicaSet: split.newReplicaSet },
      conditions,
      collisionCount,
      clock.now(),
    );
    const latest = cache.get<Deployment>('apps/deployments', namespace, name);
    if (latest && canonicalJson(latest.status ?? {}) !== canonicalJson(status)) {
      store.update('apps/deployments', { ...latest, status });
    }

    if (complete) {
      inProgress.delete(key);
      cleanupHistory(deployment, split.oldReplicaSets);
    } else {
      const progressing = status.conditions?.find((condition) => condition.type === 'Progressing');
      const deadline = deployment.spec.progressDeadlineSeconds;
      let nextCheck = Infinity;
      if ((deployment.spec.minReadySeconds ?? 0) > 0) nextCheck = clock.now() + 1000;
      else if (deadline !== undefined && progressing?.status === 'True') {
        nextCheck = Date.parse(progressing.lastUpdateTime ?? '') + deadline * 1000 + 1000;
      }
      inProgress.set(key, Number.isFinite(nextCheck) ? nextCheck : Infinity);
    }
  }

  return {
    handleEvent,
    markDirty: (key) => void dirty.add(key),
    hasDirty: () => dirty.size > 0,
    reconcile() {
      const now = clock.now();
      const due = new Set(dirty);
      for (const [key, nextCheck] of inProgress) if (nextCheck <= now) due.add(key);
      const keys = [...due].sort();
      dirty = new Set();
      for (const key of keys) reconcileDeployment(key);
      // Our own writes dirtied the Deployments we just reconciled; their status already
      // reflects those writes, so only outside changes need another pass.
      for (const key of keys) dirty.delete(key);
    },
  };
}

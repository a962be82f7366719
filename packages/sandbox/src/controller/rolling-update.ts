/**
 * How a Deployment moves from its old ReplicaSets to the new one (upstream `rolling.go` and
 * `recreate.go`): the RollingUpdate strategy grows the new ReplicaSet within `maxSurge` and shrinks
 * old ones while `maxUnavailable` allows, unhealthy old pods first; Recreate scales every old
 * ReplicaSet to zero before the new one grows. Every scale is written with the
 * `desired-replicas`/`max-replicas` annotations and recorded as a `ScalingReplicaSet` Event.
 */
import type { Deployment, ReplicaSet } from '../base/kube-types.js';
import { desiredReplicasAnnotation, maxReplicasAnnotation } from '../base/kube-types.js';
import type { ObjectStore } from '../store/types.js';
import type { ClusterCache } from './cluster-cache.js';
import { byCreation, splitReplicaSets, surgeAndUnavailable } from './deployment-util.js';
import type { EventRecorder } from './event-recorder.js';
import type { ReplicaSetController } from './replica-set-controller.js';

/** What the rollout reads and writes through. */
export interface RolloutContext {
  store: ObjectStore;
  cache: ClusterCache;
  recorder: EventRecorder;
  replicaSets: ReplicaSetController;
}

/** Records a `ScalingReplicaSet` Event on the Deployment. */
export function recordScaling(recorder: EventRecorder, deployment: Deployment, message: string): void {
  recorder.record({
    involvedObject: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata.name,
      namespace: deployment.metadata.namespace ?? 'default',
      uid: deployment.metadata.uid,
      resourceVersion: deployment.metadata.resourceVersion,
    },
    type: 'Normal',
    reason: 'ScalingReplicaSet',
    message,
    component: 'deployment-controller',
  });
}

/** Writes a new spec.replicas on a ReplicaSet (bumping its generation) and records the Event. */
export function scaleReplicaSet(context: RolloutContext, deployment: Deployment, replicaSet: ReplicaSet, replicas: number): ReplicaSet {
  const previous = replicaSet.spec.replicas ?? 0;
  if (previous === replicas) return replicaSet;
  const { maxSurge } = surgeAndUnavailable(deployment);
  const desired = deployment.spec.replicas ?? 1;
  const updated = structuredClone(replicaSet);
  updated.spec.replicas = replicas;
  updated.metadata.generation = (replicaSet.metadata.generation ?? 1) + 1;
  updated.metadata.annotations = {
    ...updated.metadata.annotations,
    [desiredReplicasAnnotation]: String(desired),
    [maxReplicasAnnotation]: String(desired + maxSurge),
  };
  const written = context.store.update('apps/replicasets', updated) as ReplicaSet;
  const direction = replicas > previous ? 'up' : 'down';
  recordScaling(context.recorder, deployment, `Scaled ${direction} replica set ${replicaSet.metadata.name} to ${replicas} from ${previous}`);
  return written;
}

/** `NewRSNewReplicas` for RollingUpdate: how far the new ReplicaSet may grow now. */
export function newReplicaSetTarget(deployment: Deployment, replicaSets: ReplicaSet[], newReplicaSet: ReplicaSet | undefined): number {
  const desired = deployment.spec.replicas ?? 1;
  const current = newReplicaSet?.spec.replicas ?? 0;
  if (deployment.spec.strategy?.type === 'Recreate') return desired;
  const { maxSurge } = surgeAndUnavailable(deployment);
  const total = replicaSets.reduce((sum, replicaSet) => sum + (replicaSet.spec.replicas ?? 0), 0);
  const maxTotal = desired + maxSurge;
  if (total >= maxTotal) return current;
  return current + Math.max(0, Math.min(maxTotal - total, desired - current));
}

function availableOf(replicaSet: ReplicaSet): number {
  return replicaSet.status?.availableReplicas ?? 0;
}

/** `reconcileOldReplicaSets` of the rolling updater. */
function scaleDownOldReplicaSets(context: RolloutContext, deployment: Deployment, newReplicaSet: ReplicaSet, oldReplicaSets: ReplicaSet[]): boolean {
  const withReplicas = oldReplicaSets.filter((replicaSet) => (replicaSet.spec.replicas ?? 0) > 0);
  if (withReplicas.length === 0) return false;
  const desired = deployment.spec.replicas ?? 1;
  const { maxUnavailable } = surgeAndUnavailable(deployment);
  const all = [newReplicaSet, ...oldReplicaSets];
  const allPods = all.reduce((sum, replicaSet) => sum + (replicaSet.spec.replicas ?? 0), 0);
  const minAvailable = desired - maxUnavailable;
  const newUnavailable = (newReplicaSet.spec.replicas ?? 0) - availableOf(newReplicaSet);
  let maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  let changed = false;

  // First remove old pods that are not available anyway (cleanupUnhealthyReplicas).
  for (const replicaSet of [...withReplicas].sort(byCreation)) {
    if (maxScaledDown <= 0) break;
    const replicas = replicaSet.spec.replicas ?? 0;
    const unhealthy = replicas - availableOf(replicaSet);
    if (unhealthy <= 0) continue;
    const scaleDown = Math.min(maxScaledDown, unhealthy);
    scaleReplicaSet(context, deployment, replicaSet, replicas - scaleDown);
    maxScaledDown -= scaleDown;
    changed = true;
  }
  if (changed) return true;

  // Then scale down available old pods while enough stay available.
  const available = all.reduce((sum, replicaSet) => sum + availableOf(replicaSet), 0);
  let toScaleDown = available - minAvailable;
  if (toScaleDown <= 0) return false;
  for (const replicaSet of [...withReplicas].sort(byCreation)) {
    if (toScaleDown <= 0) break;
    const replicas = replicaSet.spec.replicas ?? 0;
    const scaleDown = Math.min(replicas, toScaleDown);
    scaleReplicaSet(context, deployment, replicaSet, replicas - scaleDown);
    toScaleDown -= scaleDown;
    changed = true;
  }
  return changed;
}

/** One step of the Recreate strategy: old ReplicaSets to zero, then (once their pods are gone) the new one up. */
function recreateStep(context: RolloutContext, deployment: Deployment, newReplicaSet: ReplicaSet, oldReplicaSets: ReplicaSet[]): boolean {
  let changed = false;
  const desired = deployment.spec.replicas ?? 1;
  const oldActive = oldReplicaSets.filter((replicaSet) => (replicaSet.spec.replicas ?? 0) > 0);
  for (const replicaSet of oldActive) {
    scaleReplicaSet(context, deployment, replicaSet, 0);
    changed = true;
  }
  const oldPods = oldReplicaSets.reduce((sum, replicaSet) => sum + (replicaSet.status?.replicas ?? 0), 0);
  if (oldActive.length === 0 && oldPods === 0 && (newReplicaSet.spec.replicas ?? 0) !== desired) {
    scaleReplicaSet(context, deployment, newReplicaSet, desired);
    changed = true;
  }
  return changed;
}

/** One step of the RollingUpdate strategy: grow the new ReplicaSet within maxSurge, then shrink old ones. */
function rollingStep(context: RolloutContext, deployment: Deployment, newReplicaSet: ReplicaSet, oldReplicaSets: ReplicaSet[]): boolean {
  let changed = false;
  const desired = deployment.spec.replicas ?? 1;
  const newReplicas = newReplicaSet.spec.replicas ?? 0;
  if (newReplicas > desired) {
    scaleReplicaSet(context, deployment, newReplicaSet, desired);
    changed = true;
  } else if (newReplicas < desired) {
    const target = newReplicaSetTarget(deployment, [newReplicaSet, ...oldReplicaSets], newReplicaSet);
    if (target !== newReplicas) {
      scaleReplicaSet(context, deployment, newReplicaSet, target);
      changed = true;
    }
  }
  const refreshedNew = context.cache.get<ReplicaSet>('apps/replicasets', deployment.metadata.namespace, newReplicaSet.metadata.name) ?? newReplicaSet;
  if (scaleDownOldReplicaSets(context, deployment, refreshedNew, oldReplicaSets)) changed = true;
  return changed;
}

/**
 * Rolls the Deployment toward its new ReplicaSet with its strategy. Runs a few passes, because
 * scaling one ReplicaSet changes what the next step may do; each pass first lets the ReplicaSet
 * controller create or delete pods and write the availability the scaling decisions read.
 */
export function rollingUpdate(context: RolloutContext, deployment: Deployment): void {
  const owned = () => context.cache.ownedBy<ReplicaSet>('apps/replicasets', deployment.metadata.uid ?? '');
  for (let pass = 0; pass < 4; pass += 1) {
    for (const replicaSet of owned()) context.replicaSets.sync(replicaSet);
    const current = splitReplicaSets(deployment, owned());
    const currentNew = current.newReplicaSet;
    if (!currentNew) break;
    const changed = deployment.spec.strategy?.type === 'Recreate'
      ? recreateStep(context, deployment, currentNew, current.oldReplicaSets)
      : rollingStep(context, deployment, currentNew, current.oldReplicaSets);
    for (const replicaSet of owned()) context.replicaSets.sync(replicaSet);
    if (!changed) break;
  }
}

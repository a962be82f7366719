/**
 * `calculateStatus` and the conditions of the upstream Deployment controller: the status counts
 * summed over the Deployment's ReplicaSets, `Available` (minimum availability within
 * maxUnavailable), and `Progressing` with the upstream reasons, including
 * `ProgressDeadlineExceeded` when a rollout has made no progress for `progressDeadlineSeconds`.
 */
import type { Condition, Deployment, ReplicaSet } from '../base/kube-types.js';
import { formatKubeTime } from '../base/kube-time.js';
import { setCondition, surgeAndUnavailable } from './deployment-util.js';

/** The Deployment's ReplicaSets as the status is computed from them. */
export interface ReplicaSetsOfDeployment {
  all: ReplicaSet[];
  newReplicaSet: ReplicaSet | undefined;
}

/** The computed status, and whether the rollout is complete. */
export interface CalculatedStatus {
  status: NonNullable<Deployment['status']>;
  complete: boolean;
}

/**
 * Computes the Deployment's status from its ReplicaSets at `nowMs`. `conditions` are the ones the
 * reconcile has so far (from the previous status, plus what finding the new ReplicaSet set).
 */
export function calculateStatus(
  deployment: Deployment,
  previousStatus: NonNullable<Deployment['status']>,
  replicaSets: ReplicaSetsOfDeployment,
  startingConditions: Condition[],
  collisionCount: number | undefined,
  nowMs: number,
): CalculatedStatus {
  const { all } = replicaSets;
  const split = { newReplicaSet: replicaSets.newReplicaSet };
  let conditions = startingConditions;
  const desired = deployment.spec.replicas ?? 1;
  const sum = (pick: (replicaSet: ReplicaSet) => number) => all.reduce((total, replicaSet) => total + pick(replicaSet), 0);
  const availableReplicas = sum((replicaSet) => replicaSet.status?.availableReplicas ?? 0);
  const totalSpecReplicas = sum((replicaSet) => replicaSet.spec.replicas ?? 0);
  const status: NonNullable<Deployment['status']> = {
    observedGeneration: deployment.metadata.generation ?? 1,
    replicas: sum((replicaSet) => replicaSet.status?.replicas ?? 0),
    updatedReplicas: split.newReplicaSet?.status?.replicas ?? 0,
    readyReplicas: sum((replicaSet) => replicaSet.status?.readyReplicas ?? 0),
    availableReplicas,
    unavailableReplicas: Math.max(0, totalSpecReplicas - availableReplicas),
    ...(collisionCount !== undefined ? { collisionCount } : {}),
  };

  const now = formatKubeTime(nowMs);
  const { maxUnavailable } = surgeAndUnavailable(deployment);
  conditions = availableReplicas >= desired - maxUnavailable
    ? setCondition(conditions, { type: 'Available', status: 'True', lastUpdateTime: now, lastTransitionTime: now, reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' })
    : setCondition(conditions, { type: 'Available', status: 'False', lastUpdateTime: now, lastTransitionTime: now, reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });

  const complete =
    status.updatedReplicas === desired &&
    status.replicas === desired &&
    status.availableReplicas === desired &&
    (status.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 1);
  const newName = split.newReplicaSet?.metadata.name ?? '';
  if (deployment.spec.paused) {
    conditions = setCondition(conditions, { type: 'Progressing', status: 'Unknown', lastUpdateTime: now, lastTransitionTime: now, reason: 'DeploymentPaused', message: 'Deployment is paused' });
  } else if (deployment.spec.progressDeadlineSeconds !== undefined && split.newReplicaSet) {
    const progressing = conditions.find((condition) => condition.type === 'Progressing');
    const oldPending = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
    const previousOldPending = (previousStatus.replicas ?? 0) - (previousStatus.updatedReplicas ?? 0);
    const madeProgress =
      (status.updatedReplicas ?? 0) > (previousStatus.updatedReplicas ?? 0) ||
      (status.readyReplicas ?? 0) > (previousStatus.readyReplicas ?? 0) ||
      availableReplicas > (previousStatus.availableReplicas ?? 0) ||
      previousOldPending > oldPending;
    if (complete) {
      conditions = setCondition(conditions, { type: 'Progressing', status: 'True', lastUpdateTime: now, lastTransitionTime: now, reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${newName}" has successfully progressed.` });
    } else if (madeProgress) {
      // Refresh lastUpdateTime on every bit of progress; keep lastTransitionTime while True.
      const refreshed: Condition = { type: 'Progressing', status: 'True', lastUpdateTime: now, lastTransitionTime: progressing?.status === 'True' ? progressing.lastTransitionTime ?? now : now, reason: 'ReplicaSetUpdated', message: `ReplicaSet "${newName}" is progressing.` };
      conditions = [...conditions.filter((condition) => condition.type !== 'Progressing'), refreshed];
    } else if (progressing && progressing.reason !== 'NewReplicaSetAvailable' && progressing.status === 'True') {
      const lastUpdate = Date.parse(progressing.lastUpdateTime ?? '');
      if (Number.isFinite(lastUpdate) && lastUpdate + deployment.spec.progressDeadlineSeconds * 1000 < nowMs) {
        conditions = setCondition(conditions, { type: 'Progressing', status: 'False', lastUpdateTime: now, lastTransitionTime: now, reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${newName}" has timed out progressing.` });
      }
    }
  }
  // Keep the order Kubernetes shows: Available, then Progressing.
  const order = ['Available', 'Progressing'];
  conditions.sort((left, right) => order.indexOf(left.type) - order.indexOf(right.type));
  status.conditions = conditions;
  return { status, complete };
}

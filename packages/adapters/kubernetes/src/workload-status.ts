/**
 * The rollout facts the ladder's rollout guard reads, from the Deployment object alone (pure): is a
 * new version replacing the old one, has the rollout stalled, how old is the Deployment and how long
 * may a rollout go without progress. The judgement itself is core's (`rolloutGuard`).
 *
 * Why not the Progressing condition's reason alone: after a rollout completes, Kubernetes keeps
 * `NewReplicaSetAvailable` even while the pods crash-loop, but an emulator (or an older controller)
 * may flip it to `ReplicaSetUpdated` whenever a crashed pod becomes ready again — and a workload
 * that crash-loops must be judged. The replica counts say what `kubectl rollout status` says.
 */
import type { WorkloadStatus } from '@autoheal/core';
import type { V1Deployment } from '@kubernetes/client-node';

/** Kubernetes' default `spec.progressDeadlineSeconds`. */
const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

function epochMs(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The rollout of `deployment`, as `kubectl rollout status` would see it. */
export function workloadStatusOf(deployment: V1Deployment): WorkloadStatus {
  const spec = deployment.spec;
  const status = deployment.status ?? {};
  const desiredReplicas = spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const progressing = (status.conditions ?? []).find((condition) => condition.type === 'Progressing');
  // A paused Deployment does not roll out, whatever its counts say.
  const updating =
    spec?.paused !== true &&
    ((status.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 0) || updated < desiredReplicas || total > updated);
  const createdAt = epochMs(deployment.metadata?.creationTimestamp as Date | string | undefined);
  // Its first version, never complete: revision 1 (or none yet) and Progressing not yet NewReplicaSetAvailable.
  const revision = Number(deployment.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? '0');
  const firstRollout = !(revision > 1) && progressing?.reason !== 'NewReplicaSetAvailable';
  return {
    ...(createdAt !== undefined ? { createdAt } : {}),
    progressDeadlineMs: (spec?.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS) * 1000,
    desiredReplicas,
    availableReplicas: status.availableReplicas ?? 0,
    updating,
    stalled: progressing?.reason === 'ProgressDeadlineExceeded',
    firstRollout,
  };
}

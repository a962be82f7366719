/**
 * `kubectl rollout undo` for the simulation's direct healing hook: the same algorithm
 * (kubernetes-wire.md §2), applied to the store instead of sent as a JSON Patch.
 */
import type { ObjectStore } from '../store/types.js';
import type { ClusterCache } from './cluster-cache.js';
import { equalIgnoreHash, revisionOf, templateWithoutHash, writeDeploymentSpec } from './deployment-util.js';
import { type Deployment, type ReplicaSet, annotationsToSkip } from '../base/kube-types.js';

/** What a rollback did. */
export interface RollbackResult {
  /** `rolled back` or `skipped rollback (current template already matches revision N)`. */
  outcome: 'rolled-back' | 'skipped';
  /** The revision whose template is now the Deployment's. */
  revision: number;
  /** kubectl's output line. */
  message: string;
}

/**
 * Rolls a Deployment back to `toRevision`, or to the previous revision when 0.
 * Throws with kubectl's message when there is no such revision or the Deployment is paused.
 */
export function rollbackDeployment(
  store: ObjectStore,
  cache: ClusterCache,
  namespace: string,
  name: string,
  toRevision = 0,
): RollbackResult {
  const deployment = cache.get<Deployment>('apps/deployments', namespace, name);
  if (!deployment) throw new Error(`deployments.apps "${name}" not found`);
  if (toRevision < 0) throw new Error(`unable to find specified revision ${toRevision} in history`);
  const replicaSets = cache
    .ownedBy<ReplicaSet>('apps/replicasets', deployment.metadata.uid ?? '')
    .filter((replicaSet) => Number.isFinite(revisionOf(replicaSet)));
  let chosen: ReplicaSet | undefined;
  if (toRevision === 0) {
    // The second-highest revision is "previous".
    const sorted = [...replicaSets].sort((left, right) => revisionOf(right) - revisionOf(left));
    chosen = sorted[1];
    if (!chosen) throw new Error(`no rollout history found for deployment "${name}"`);
  } else {
    chosen = replicaSets.find((replicaSet) => revisionOf(replicaSet) === toRevision);
    if (!chosen) throw new Error(`unable to find specified revision ${toRevision} in history`);
  }
  if (deployment.spec.paused) {
    throw new Error("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again");
  }
  const revision = revisionOf(chosen);
  if (equalIgnoreHash(chosen.spec.template, deployment.spec.template)) {
    return {
      outcome: 'skipped',
      revision,
      message: `deployment.apps/${name} skipped rollback (current template already matches revision ${toRevision})`,
    };
  }
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(deployment.metadata.annotations ?? {})) {
    if (annotationsToSkip.has(key)) annotations[key] = value;
  }
  for (const [key, value] of Object.entries(chosen.metadata.annotations ?? {})) {
    if (!annotationsToSkip.has(key)) annotations[key] = value;
  }
  writeDeploymentSpec(store, deployment, {
    ...deployment,
    metadata: { ...deployment.metadata, annotations },
    spec: { ...deployment.spec, template: templateWithoutHash(chosen.spec.template) },
  });
  return { outcome: 'rolled-back', revision, message: `deployment.apps/${name} rolled back` };
}

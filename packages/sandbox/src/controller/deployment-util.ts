/**
 * Helpers shared by the Deployment controller, the rollback and the healing hooks, following
 * `pkg/controller/deployment/util/deployment_util.go` (see docs in kubernetes-wire.md §3).
 */
import type { ObjectStore } from '../store/types.js';
import { canonicalJson } from './pod-template-hash.js';
import {
  type Condition,
  type Deployment,
  type PodTemplate,
  type ReplicaSet,
  podTemplateHashLabel,
  revisionAnnotation,
} from '../base/kube-types.js';

/** Resolves an int-or-percent (`2`, `"25%"`) against `total`, rounding as asked. */
export function resolveIntOrPercent(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value);
  if (!match) return Number.parseInt(value, 10) || 0;
  const exact = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** `ResolveFenceposts`: surge rounds up, unavailable down, and both 0 means unavailable 1. */
export function surgeAndUnavailable(deployment: Deployment): { maxSurge: number; maxUnavailable: number } {
  const desired = deployment.spec.replicas ?? 1;
  if (deployment.spec.strategy?.type === 'Recreate') return { maxSurge: 0, maxUnavailable: desired };
  const rollingUpdate = deployment.spec.strategy?.rollingUpdate;
  const maxSurge = resolveIntOrPercent(rollingUpdate?.maxSurge ?? '25%', desired, true);
  let maxUnavailable = resolveIntOrPercent(rollingUpdate?.maxUnavailable ?? '25%', desired, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable: Math.min(maxUnavailable, desired) };
}

/** The revision number a ReplicaSet carries (0 when missing). */
export function revisionOf(object: { metadata: { annotations?: Record<string, string> } }): number {
  const value = object.metadata.annotations?.[revisionAnnotation];
  const parsed = value === undefined ? 0 : Number.parseInt(value, 10);
  return Number.isFinite(parsed) ? parsed : 0;
}

/** A template without the `pod-template-hash` label, for comparisons. */
export function templateWithoutHash(template: PodTemplate | undefined): PodTemplate {
  const copy = structuredClone(template ?? {});
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[podTemplateHashLabel];
    if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
  }
  return copy;
}

/**
 * Canonical JSON of a template without its hash label, memoised per template object: cached
 * objects are immutable snapshots (a write replaces them), and the controller compares the same
 * templates on every reconcile of an unfinished rollout.
 */
const templateKeys = new WeakMap<object, string>();
function templateKey(template: PodTemplate | undefined): string {
  if (!template) return canonicalJson(templateWithoutHash(template));
  let key = templateKeys.get(template);
  if (key === undefined) {
    key = canonicalJson(templateWithoutHash(template));
    templateKeys.set(template, key);
  }
  return key;
}

/** `EqualIgnoreHash`: two templates are the same apart from the `pod-template-hash` label. */
export function equalIgnoreHash(left: PodTemplate | undefined, right: PodTemplate | undefined): boolean {
  return templateKey(left) === templateKey(right);
}

/** Oldest first by creationTimestamp, then by name, as `ReplicaSetsByCreationTimestamp`. */
export function byCreation<T extends { metadata: { creationTimestamp?: string; name: string } }>(left: T, right: T): number {
  const leftTime = left.metadata.creationTimestamp ?? '';
  const rightTime = right.metadata.creationTimestamp ?? '';
  if (leftTime !== rightTime) return leftTime < rightTime ? -1 : 1;
  return left.metadata.name < right.metadata.name ? -1 : left.metadata.name > right.metadata.name ? 1 : 0;
}

/** Finds the new (matching) ReplicaSet and the old ones, as `FindNewReplicaSet`/`FindOldReplicaSets`. */
export function splitReplicaSets(
  deployment: Deployment,
  replicaSets: ReplicaSet[],
): { newReplicaSet: ReplicaSet | undefined; oldReplicaSets: ReplicaSet[] } {
  const sorted = [...replicaSets].sort(byCreation);
  const newReplicaSet = sorted.find((replicaSet) => equalIgnoreHash(replicaSet.spec.template, deployment.spec.template));
  return { newReplicaSet, oldReplicaSets: sorted.filter((replicaSet) => replicaSet !== newReplicaSet) };
}

/** Sets a condition the way `SetDeploymentCondition` does: no change if status and reason are equal. */
export function setCondition(conditions: Condition[], condition: Condition): Condition[] {
  const current = conditions.find((existing) => existing.type === condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return conditions;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  return [...conditions.filter((existing) => existing.type !== condition.type), next];
}

/**
 * Writes a changed Deployment spec or annotations with the API server's strategy: `generation`
 * goes up when the spec or the annotations change (`pkg/registry/apps/deployment/strategy.go`).
 * The simulation's healing hooks write through this, like a client going through the API.
 */
export function writeDeploymentSpec(store: ObjectStore, previous: Deployment, next: Deployment): Deployment {
  const specChanged = canonicalJson(previous.spec) !== canonicalJson(next.spec);
  const annotationsChanged =
    canonicalJson(previous.metadata.annotations ?? {}) !== canonicalJson(next.metadata.annotations ?? {});
  if (!specChanged && !annotationsChanged) return previous;
  const written = structuredClone(next);
  written.metadata.generation = (previous.metadata.generation ?? 1) + 1;
  return store.update('apps/deployments', written) as Deployment;
}

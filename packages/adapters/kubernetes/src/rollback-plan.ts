/**
 * The `kubectl rollout undo` algorithm (kubectl `pkg/polymorphichelpers/rollback.go`), as pure
 * functions over a Deployment and its ReplicaSets, so the plan can be computed without writing and
 * tested without a cluster.
 */
import type { JsonPatchOperation } from '@autoheal/core';
import type { V1Deployment, V1LabelSelector, V1ReplicaSet } from '@kubernetes/client-node';

/** The revision annotation the Deployment controller keeps on Deployments and ReplicaSets. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
/** The label the controller adds to each ReplicaSet's template; templates are compared without it. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
/** The change-cause annotation `kubectl rollout history` shows. */
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
/** The pod-template annotation `kubectl rollout restart` (and autoheal's restart) sets. */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

// kubectl keeps the Deployment's own values of these and never copies them from the ReplicaSet.
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

/** What `rollout undo` would do. */
export type RollbackDecision =
  | { kind: 'refused'; reason: string; availableRevisions: number[] }
  | { kind: 'skip'; revision: number; replicaSet: string; message: string }
  | { kind: 'rollback'; revision: number; replicaSet: string; patch: JsonPatchOperation[]; images: string[] };

/** A plain-JSON copy of a client-node object (drops `undefined`, turns Dates into strings), as it goes on the wire. */
export function toWire<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * The label selector string of a Deployment's `spec.selector`, as `LabelSelectorAsSelector(...).String()`
 * prints it (matchLabels as `k=v`, then matchExpressions).
 */
export function labelSelectorString(selector: V1LabelSelector | undefined): string {
  if (!selector) return '';
  const parts: string[] = [];
  for (const key of Object.keys(selector.matchLabels ?? {}).sort()) {
    parts.push(`${key}=${selector.matchLabels?.[key] ?? ''}`);
  }
  for (const expression of selector.matchExpressions ?? []) {
    const values = [...(expression.values ?? [])].sort().join(',');
    switch (expression.operator) {
      case 'In':
        parts.push(`${expression.key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${expression.key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(expression.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${expression.key}`);
        break;
    }
  }
  return parts.join(',');
}

/** ReplicaSets whose controller ownerReference points at the Deployment's uid (`metav1.IsControlledBy`). */
export function controlledReplicaSets(deployment: V1Deployment, replicaSets: readonly V1ReplicaSet[]): V1ReplicaSet[] {
  const uid = deployment.metadata?.uid;
  if (!uid) return [];
  return replicaSets.filter((rs) => (rs.metadata?.ownerReferences ?? []).some((ref) => ref.controller === true && ref.uid === uid));
}

/** `FindNewReplicaSet`: the oldest controlled ReplicaSet whose template matches the Deployment's. */
export function currentReplicaSet(deployment: V1Deployment, owned: readonly V1ReplicaSet[]): V1ReplicaSet | undefined {
  const sorted = [...owned].sort((a, b) => {
    const at = a.metadata?.creationTimestamp ? new Date(a.metadata.creationTimestamp).getTime() : 0;
    const bt = b.metadata?.creationTimestamp ? new Date(b.metadata.creationTimestamp).getTime() : 0;
    return at !== bt ? at - bt : (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
  });
  return sorted.find((rs) => equalIgnoreHash(rs.spec?.template, deployment.spec?.template));
}

/** The revision of a ReplicaSet: 0 when the annotation is missing, undefined when it is not a number (kubectl skips those). */
export function revisionOf(object: { metadata?: { annotations?: Record<string, string> } }): number | undefined {
  const text = object.metadata?.annotations?.[REVISION_ANNOTATION];
  if (text === undefined) return 0;
  if (!/^-?\d+$/.test(text.trim())) return undefined;
  return Number.parseInt(text, 10);
}

/** Removes `undefined`, `null`, empty maps and empty lists, the way apimachinery's semantic equality treats nil and empty alike. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(normalize);
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const child = normalize((value as Record<string, unknown>)[key]);
      if (child === undefined || child === null) continue;
      if (Array.isArray(child) && child.length === 0) continue;
      if (typeof child === 'object' && !Array.isArray(child) && Object.keys(child).length === 0) continue;
      out[key] = child;
    }
    return out;
  }
  return value;
}

/** A pod template without the `pod-template-hash` label, as plain JSON. */
export function templateWithoutHash<T extends { metadata?: { labels?: Record<string, string> } }>(template: T | undefined): T | undefined {
  const copy = toWire(template);
  if (copy?.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return copy;
}


/** True when two pod templates differ at most by `pod-template-hash` and the restart annotation. */
export function sameReleaseIgnoringRestarts(a: unknown, b: unknown): boolean {
  const withoutRestart = (template: unknown) => {
    const copy = toWire(template as { metadata?: { annotations?: Record<string, string> } } | undefined);
    if (copy?.metadata?.annotations) {
      delete copy.metadata.annotations[RESTARTED_AT_ANNOTATION];
      if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
    }
    return copy;
  };
  return equalIgnoreHash(withoutRestart(a), withoutRestart(b));
}

/** `EqualIgnoreHash`: two pod templates are the same when they are semantically equal apart from `pod-template-hash`. */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  const left = normalize(templateWithoutHash(a as { metadata?: { labels?: Record<string, string> } }));
  const right = normalize(templateWithoutHash(b as { metadata?: { labels?: Record<string, string> } }));
  return JSON.stringify(left) === JSON.stringify(right);
}

/** Container images of a template, in order. */
export function imagesOf(template: { spec?: { containers?: { image?: string }[] } } | undefined): string[] {
  return (template?.spec?.containers ?? []).map((c) => c.image ?? '');
}

/**
 * Decides what `kubectl rollout undo [--to-revision=N]` does: the previous (second-highest) revision
 * or revision N among the ReplicaSets the Deployment controls; a refusal when there is none or the
 * Deployment is paused; a skip when the template already matches; otherwise the exact JSON Patch
 * kubectl sends (template without `pod-template-hash`, annotations per kubectl's skip list).
 * `keepAnnotations` are treated like the skip list (the Deployment's own value is kept and the
 * ReplicaSet's copy ignored): autoheal passes its state annotations so a rollback does not resurrect
 * the attempt count that was current when the old ReplicaSet was created.
 */
export function planRollback(
  deployment: V1Deployment,
  replicaSets: readonly V1ReplicaSet[],
  toRevision?: number,
  keepAnnotations: readonly string[] = [],
  previous: 'release' | 'revision' = 'revision',
): RollbackDecision {
  const name = deployment.metadata?.name ?? '';
  const byRevision = new Map<number, V1ReplicaSet>();
  for (const rs of controlledReplicaSets(deployment, replicaSets)) {
    const revision = revisionOf(rs);
    if (revision === undefined) continue;
    byRevision.set(revision, rs);
  }
  const available = [...byRevision.keys()].sort((a, b) => a - b);
  const listed = available.length > 0 ? available.join(', ') : 'none';

  if (toRevision !== undefined && toRevision < 0) {
    return { kind: 'refused', reason: `unable to find specified revision ${toRevision} in history`, availableRevisions: available };
  }
  let target: V1ReplicaSet | undefined;
  let revision: number;
  if (!toRevision) {
    // "Previous" is the second-highest revision, exactly as kubectl picks it; or, for `release`, the
    // newest earlier revision that is more than a restart of the current template.
    const earlier = available.slice(0, -1).reverse();
    const previousRevision =
      previous === 'revision'
        ? earlier[0]
        : earlier.find((candidate) => !sameReleaseIgnoringRestarts(byRevision.get(candidate)?.spec?.template, deployment.spec?.template));
    if (previousRevision === undefined && previous === 'release' && earlier.length > 0) {
      return {
        kind: 'refused',
        reason: `no earlier release of deployment "${name}": every earlier revision (${earlier.join(', ')}) differs from the current template only by a restart`,
        availableRevisions: available,
      };
    }
    if (previousRevision === undefined) {
      return {
        kind: 'refused',
        reason: `no rollout history found for deployment "${name}": a rollback needs a previous revision (revisions: ${listed})`,
        availableRevisions: available,
      };
    }
    revision = previousRevision;
    target = byRevision.get(previousRevision);
  } else {
    revision = toRevision;
    target = byRevision.get(toRevision);
    if (!target) {
      return {
        kind: 'refused',
        reason: `unable to find specified revision ${toRevision} in history of deployment "${name}" (available revisions: ${listed})`,
        availableRevisions: available,
      };
    }
  }
  if (!target) {
    return { kind: 'refused', reason: `revision ${revision} of deployment "${name}" has no ReplicaSet`, availableRevisions: available };
  }
  if (deployment.spec?.paused) {
    return {
      kind: 'refused',
      reason: `you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again`,
      availableRevisions: available,
    };
  }
  const rsName = target.metadata?.name ?? '';
  if (equalIgnoreHash(target.spec?.template, deployment.spec?.template)) {
    return {
      kind: 'skip',
      revision,
      replicaSet: rsName,
      message: `skipped rollback (current template already matches revision ${toRevision ?? 0})`,
    };
  }

  const template = templateWithoutHash(target.spec?.template);
  const annotations: Record<string, string> = {};
  const current = deployment.metadata?.annotations ?? {};
  for (const key of Object.keys(current)) {
    if (ANNOTATIONS_TO_SKIP.has(key) || keepAnnotations.includes(key)) annotations[key] = current[key] as string;
  }
  const fromReplicaSet = target.metadata?.annotations ?? {};
  for (const key of Object.keys(fromReplicaSet)) {
    if (!ANNOTATIONS_TO_SKIP.has(key) && !keepAnnotations.includes(key)) annotations[key] = fromReplicaSet[key] as string;
  }
  return {
    kind: 'rollback',
    revision,
    replicaSet: rsName,
    images: imagesOf(target.spec?.template),
    patch: [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ],
  };
}

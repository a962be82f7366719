/**
 * `getNewReplicaSet` of the upstream Deployment controller: finds the ReplicaSet whose template
 * matches the Deployment's and brings its annotations up to date (inherited annotations, the
 * revision, and on a rollback the `revision-history` it came from), or creates it, named
 * `<deployment>-<pod-template-hash>` with collision counting, and sets the `Progressing`
 * condition that says so.
 */
import {
  type Condition,
  type Deployment,
  type ReplicaSet,
  annotationsToSkip,
  desiredReplicasAnnotation,
  maxReplicasAnnotation,
  podTemplateHashLabel,
  revisionAnnotation,
  revisionHistoryAnnotation,
} from '../base/kube-types.js';
import { formatKubeTime } from '../base/kube-time.js';
import type { SandboxClock } from '../base/sandbox-clock.js';
import type { ObjectStore } from '../store/types.js';
import type { ClusterCache } from './cluster-cache.js';
import { equalIgnoreHash, revisionOf, setCondition, surgeAndUnavailable } from './deployment-util.js';
import type { EventRecorder } from './event-recorder.js';
import { canonicalJson, computePodTemplateHash } from './pod-template-hash.js';
import { newReplicaSetTarget, recordScaling } from './rolling-update.js';

/** `maxRevHistoryLengthInChars` of the upstream controller. */
const maxRevisionHistoryLength = 2000;

/** What `ensureNewReplicaSet` reads and writes through. */
export interface NewReplicaSetContext {
  store: ObjectStore;
  cache: ClusterCache;
  clock: SandboxClock;
  recorder: EventRecorder;
}

/** Deployment annotations a ReplicaSet inherits (all but the controller's own). */
function inheritedAnnotations(deployment: Deployment): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const [key, value] of Object.entries(deployment.metadata.annotations ?? {})) {
    if (!annotationsToSkip.has(key)) inherited[key] = value;
  }
  return inherited;
}

/** `getNewReplicaSet`: annotate the matching ReplicaSet, or create it. */
export function ensureNewReplicaSet(
  context: NewReplicaSetContext,
  deployment: Deployment,
  newReplicaSet: ReplicaSet | undefined,
  oldReplicaSets: ReplicaSet[],
  conditions: Condition[],
): { replicaSet: ReplicaSet; conditions: Condition[]; collisionCount: number | undefined } {
  const { store, cache, clock } = context;
  const now = formatKubeTime(clock.now());
  const maxOldRevision = Math.max(0, ...oldReplicaSets.map(revisionOf));
  const newRevision = maxOldRevision + 1;
  const desired = deployment.spec.replicas ?? 1;
  const { maxSurge } = surgeAndUnavailable(deployment);
  let collisionCount = deployment.status?.collisionCount;

  if (newReplicaSet) {
    const annotations = { ...newReplicaSet.metadata.annotations, ...inheritedAnnotations(deployment) };
    const currentRevision = revisionOf(newReplicaSet);
    if (currentRevision < newRevision) {
      // A template coming back (rollback): the old ReplicaSet takes the next revision and
      // remembers the number it had.
      if (currentRevision > 0) {
        const history = annotations[revisionHistoryAnnotation];
        const extended = history ? `${history},${currentRevision}` : String(currentRevision);
        annotations[revisionHistoryAnnotation] = extended.length > maxRevisionHistoryLength
          ? extended.slice(extended.indexOf(',', extended.length - maxRevisionHistoryLength) + 1)
          : extended;
      }
      annotations[revisionAnnotation] = String(newRevision);
    }
    annotations[desiredReplicasAnnotation] = String(desired);
    annotations[maxReplicasAnnotation] = String(desired + maxSurge);
    let replicaSet = newReplicaSet;
    if (canonicalJson(annotations) !== canonicalJson(newReplicaSet.metadata.annotations ?? {})) {
      replicaSet = store.update('apps/replicasets', {
        ...newReplicaSet,
        metadata: { ...newReplicaSet.metadata, annotations },
      }) as ReplicaSet;
    }
    if (!conditions.some((condition) => condition.type === 'Progressing') && deployment.spec.progressDeadlineSeconds !== undefined) {
      conditions = setCondition(conditions, {
        type: 'Progressing',
        status: 'True',
        lastUpdateTime: now,
        lastTransitionTime: now,
        reason: 'FoundNewReplicaSet',
        message: `Found new replica set "${replicaSet.metadata.name}"`,
      });
    }
    return { replicaSet, conditions, collisionCount };
  }

  const template = structuredClone(deployment.spec.template ?? {});
  for (;;) {
    const hash = computePodTemplateHash(deployment.spec.template, collisionCount);
    const name = `${deployment.metadata.name}-${hash}`;
    const existing = cache.get<ReplicaSet>('apps/replicasets', deployment.metadata.namespace, name);
    if (existing && !equalIgnoreHash(existing.spec.template, deployment.spec.template)) {
      collisionCount = (collisionCount ?? 0) + 1;
      continue;
    }
    const labels = { ...template.metadata?.labels, [podTemplateHashLabel]: hash };
    // With no new ReplicaSet yet, everything that exists is old.
    const replicas = newReplicaSetTarget(deployment, oldReplicaSets, undefined);
    const created = store.create('apps/replicasets', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: deployment.metadata.namespace,
        labels,
        annotations: {
          ...inheritedAnnotations(deployment),
          [revisionAnnotation]: String(newRevision),
          [desiredReplicasAnnotation]: String(desired),
          [maxReplicasAnnotation]: String(desired + maxSurge),
        },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: deployment.metadata.name,
            uid: deployment.metadata.uid ?? '',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        replicas,
        minReadySeconds: deployment.spec.minReadySeconds ?? 0,
        selector: {
          ...deployment.spec.selector,
          matchLabels: { ...deployment.spec.selector?.matchLabels, [podTemplateHashLabel]: hash },
        },
        template: { ...template, metadata: { ...template.metadata, labels } },
      },
    }) as ReplicaSet;
    if (replicas > 0) recordScaling(context.recorder, deployment, `Scaled up replica set ${name} to ${replicas}`);
    if (deployment.spec.progressDeadlineSeconds !== undefined) {
      const current = conditions.find((condition) => condition.type === 'Progressing');
      const condition: Condition = {
        type: 'Progressing',
        status: 'True',
        lastUpdateTime: now,
        lastTransitionTime: current?.status === 'True' ? current.lastTransitionTime ?? now : now,
        reason: 'NewReplicaSetCreated',
        message: `Created new replica set "${name}"`,
      };
      conditions = [...conditions.filter((existingCondition) => existingCondition.type !== 'Progressing'), condition];
    }
    return { replicaSet: created, conditions, collisionCount };
  }
}

/**
 * The Deployment and ReplicaSet controllers of the sandbox: they turn Deployments into
 * ReplicaSets and pods, roll templates out within maxSurge/maxUnavailable, number revisions,
 * clean up history, and write status, conditions and `ScalingReplicaSet` Events, following the
 * upstream controller (kubernetes-wire.md §3). They read from the `ClusterCache` and write to the
 * store directly; the simulation's kubelet moves pods through their lives.
 */
import type { KubeObject, ObjectStore, SandboxClock, StoreEvent } from '../store/types.js';
import type { SeededRandom } from '../sim/seeded-random.js';
import type { ClusterCache } from './cluster-cache.js';
import { computePodTemplateHash, canonicalJson } from './pod-template-hash.js';
import {
  byCreation,
  equalIgnoreHash,
  formatKubeTime,
  revisionOf,
  setCondition,
  splitReplicaSets,
  surgeAndUnavailable,
} from './deployment-util.js';
import {
  type Condition,
  type Deployment,
  type Pod,
  type ReplicaSet,
  annotationsToSkip,
  desiredReplicasAnnotation,
  maxReplicasAnnotation,
  objectKey,
  podTemplateHashLabel,
  revisionAnnotation,
  revisionHistoryAnnotation,
} from './kube-types.js';

/** Characters of generated name suffixes (as the API server's `generateName`). */
const nameSuffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';
/** `maxRevHistoryLengthInChars` of the upstream controller. */
const maxRevisionHistoryLength = 2000;
/** How long Events are kept, as the API server's default event TTL. */
const eventTimeToLiveMs = 60 * 60 * 1000;

/** Options of `createDeploymentController`. */
export interface DeploymentControllerOptions {
  store: ObjectStore;
  cache: ClusterCache;
  clock: SandboxClock;
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
  /** Deletes Events older than the API server's one-hour TTL. */
  expireEvents(): void;
}

interface RecordedEvent {
  namespace: string;
  name: string;
  createdAt: number;
}

/** Creates the controller. */
export function createDeploymentController(options: DeploymentControllerOptions): DeploymentController {
  const { store, cache, clock, random } = options;
  const nodeName = options.nodeName ?? 'sandbox-node-1';
  let dirty = new Set<string>();
  /**
   * Deployments whose rollout is not complete → when time alone (no event) could change their
   * status: the progress deadline, or minReadySeconds passing. Reconciled then.
   */
  const inProgress = new Map<string, number>();
  const recordedEvents: RecordedEvent[] = [];
  let eventSequence = 0;

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

  function recordEvent(deployment: Deployment, reason: string, message: string): void {
    const now = clock.now();
    eventSequence += 1;
    // client-go names events `<object>.<unix nanoseconds in hex>`.
    const suffix = (BigInt(now) * 1_000_000n + BigInt(eventSequence % 1_000_000)).toString(16);
    const name = `${deployment.metadata.name}.${suffix}`;
    const namespace = deployment.metadata.namespace ?? 'default';
    const timestamp = formatKubeTime(now);
    store.create('/events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: deployment.metadata.name,
        namespace,
        uid: deployment.metadata.uid,
        resourceVersion: deployment.metadata.resourceVersion,
      },
      type: 'Normal',
      reason,
      message,
      source: { component: 'deployment-controller' },
      reportingComponent: 'deployment-controller',
      reportingInstance: '',
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      count: 1,
    });
    recordedEvents.push({ namespace, name, createdAt: now });
  }

  function expireEvents(): void {
    const cutoff = clock.now() - eventTimeToLiveMs;
    while (recordedEvents.length > 0 && (recordedEvents[0]?.createdAt ?? Infinity) < cutoff) {
      const expired = recordedEvents.shift();
      if (!expired) break;
      if (store.get('/events', expired.namespace, expired.name)) store.delete('/events', expired.namespace, expired.name);
    }
  }

  /** Writes a new spec.replicas on a ReplicaSet (bumping its generation) and records the Event. */
  function scaleReplicaSet(deployment: Deployment, replicaSet: ReplicaSet, replicas: number): ReplicaSet {
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
    const written = store.update('apps/replicasets', updated) as ReplicaSet;
    const direction = replicas > previous ? 'up' : 'down';
    recordEvent(deployment, 'ScalingReplicaSet', `Scaled ${direction} replica set ${replicaSet.metadata.name} to ${replicas} from ${previous}`);
    return written;
  }

  /** Deployment annotations a ReplicaSet inherits (all but the controller's own). */
  function inheritedAnnotations(deployment: Deployment): Record<string, string> {
    const inherited: Record<string, string> = {};
    for (const [key, value] of Object.entries(deployment.metadata.annotations ?? {})) {
      if (!annotationsToSkip.has(key)) inherited[key] = value;
    }
    return inherited;
  }

  /** `NewRSNewReplicas` for RollingUpdate: how far the new ReplicaSet may grow now. */
  function newReplicaSetTarget(deployment: Deployment, replicaSets: ReplicaSet[], newReplicaSet: ReplicaSet | undefined): number {
    const desired = deployment.spec.replicas ?? 1;
    const current = newReplicaSet?.spec.replicas ?? 0;
    if (deployment.spec.strategy?.type === 'Recreate') return desired;
    const { maxSurge } = surgeAndUnavailable(deployment);
    const total = replicaSets.reduce((sum, replicaSet) => sum + (replicaSet.spec.replicas ?? 0), 0);
    const maxTotal = desired + maxSurge;
    if (total >= maxTotal) return current;
    return current + Math.max(0, Math.min(maxTotal - total, desired - current));
  }

  /** `getNewReplicaSet`: annotate the matching ReplicaSet, or create it. */
  function ensureNewReplicaSet(
    deployment: Deployment,
    newReplicaSet: ReplicaSet | undefined,
    oldReplicaSets: ReplicaSet[],
    conditions: Condition[],
  ): { replicaSet: ReplicaSet; conditions: Condition[]; collisionCount: number | undefined } {
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
      if (replicas > 0) recordEvent(deployment, 'ScalingReplicaSet', `Scaled up replica set ${name} to ${replicas}`);
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

  function podIsReady(pod: Pod): boolean {
    return pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
  }

  function podIsAvailable(pod: Pod, minReadySeconds: number): boolean {
    const ready = pod.status?.conditions?.find((condition) => condition.type === 'Ready' && condition.status === 'True');
    if (!ready) return false;
    if (minReadySeconds <= 0) return true;
    const since = Date.parse(ready.lastTransitionTime ?? '');
    return Number.isFinite(since) && since + minReadySeconds * 1000 <= clock.now();
  }

  function availableOf(replicaSet: ReplicaSet): number {
    return replicaSet.status?.availableReplicas ?? 0;
  }

  /** `reconcileOldReplicaSets` of the rolling updater. */
  function scaleDownOldReplicaSets(deployment: Deployment, newReplicaSet: ReplicaSet, oldReplicaSets: ReplicaSet[]): boolean {
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
      scaleReplicaSet(deployment, replicaSet, replicas - scaleDown);
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
      scaleReplicaSet(deployment, replicaSet, replicas - scaleDown);
      toScaleDown -= scaleDown;
      changed = true;
    }
    return changed;
  }

  /** The ReplicaSet controller: make the pod count match spec.replicas, then write status. */
  function syncReplicaSetPods(replicaSet: ReplicaSet): void {
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
  }

  function restartsOf(pod: Pod): number {
    return pod.status?.containerStatuses?.reduce((sum, status) => sum + status.restartCount, 0) ?? 0;
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
    let { newReplicaSet, oldReplicaSets } = splitReplicaSets(deployment, owned());
    let collisionCount = previousStatus.collisionCount;

    if (!deployment.spec.paused) {
      const ensured = ensureNewReplicaSet(deployment, newReplicaSet, oldReplicaSets, conditions);
      conditions = ensured.conditions;
      collisionCount = ensured.collisionCount;
      newReplicaSet = ensured.replicaSet;

      // The Deployment shows the revision of its new ReplicaSet (written like UpdateStatus:
      // no generation change).
      const revision = newReplicaSet.metadata.annotations?.[revisionAnnotation];
      if (revision && deployment.metadata.annotations?.[revisionAnnotation] !== revision) {
        deployment = store.update('apps/deployments', {
          ...deployment,
          metadata: { ...deployment.metadata, annotations: { ...deployment.metadata.annotations, [revisionAnnotation]: revision } },
        }) as Deployment;
      }

      // Roll: a few passes, because scaling one ReplicaSet changes what the next step may do.
      for (let pass = 0; pass < 4; pass += 1) {
        // The ReplicaSet controller's part first: pods and ReplicaSet status, which the scaling
        // decisions below read (availability).
        for (const replicaSet of owned()) syncReplicaSetPods(replicaSet);
        const current = splitReplicaSets(deployment, owned());
        const currentNew = current.newReplicaSet;
        if (!currentNew) break;
        let changed = false;
        const desired = deployment.spec.replicas ?? 1;
        if (deployment.spec.strategy?.type === 'Recreate') {
          const oldActive = current.oldReplicaSets.filter((replicaSet) => (replicaSet.spec.replicas ?? 0) > 0);
          for (const replicaSet of oldActive) {
            scaleReplicaSet(deployment, replicaSet, 0);
            changed = true;
          }
          const oldPods = current.oldReplicaSets.reduce((sum, replicaSet) => sum + (replicaSet.status?.replicas ?? 0), 0);
          if (oldActive.length === 0 && oldPods === 0 && (currentNew.spec.replicas ?? 0) !== desired) {
            scaleReplicaSet(deployment, currentNew, desired);
            changed = true;
          }
        } else {
          const newReplicas = currentNew.spec.replicas ?? 0;
          if (newReplicas > desired) {
            scaleReplicaSet(deployment, currentNew, desired);
            changed = true;
          } else if (newReplicas < desired) {
            const target = newReplicaSetTarget(deployment, [currentNew, ...current.oldReplicaSets], currentNew);
            if (target !== newReplicas) {
              scaleReplicaSet(deployment, currentNew, target);
              changed = true;
            }
          }
          const refreshedNew = cache.get<ReplicaSet>('apps/replicasets', namespace, currentNew.metadata.name) ?? currentNew;
          if (scaleDownOldReplicaSets(deployment, refreshedNew, current.oldReplicaSets)) changed = true;
        }
        for (const replicaSet of owned()) syncReplicaSetPods(replicaSet);
        if (!changed) break;
      }
    } else {
      for (const replicaSet of owned()) syncReplicaSetPods(replicaSet);
    }

    // Status, from the ReplicaSets as they are now (calculateStatus).
    const split = splitReplicaSets(deployment, owned());
    const all = owned();
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

    const now = formatKubeTime(clock.now());
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
        if (Number.isFinite(lastUpdate) && lastUpdate + deployment.spec.progressDeadlineSeconds * 1000 < clock.now()) {
          conditions = setCondition(conditions, { type: 'Progressing', status: 'False', lastUpdateTime: now, lastTransitionTime: now, reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${newName}" has timed out progressing.` });
        }
      }
    }
    // Keep the order Kubernetes shows: Available, then Progressing.
    const order = ['Available', 'Progressing'];
    conditions.sort((left, right) => order.indexOf(left.type) - order.indexOf(right.type));
    status.conditions = conditions;

    const latest = cache.get<Deployment>('apps/deployments', namespace, name);
    if (latest && canonicalJson(latest.status ?? {}) !== canonicalJson(status)) {
      store.update('apps/deployments', { ...latest, status });
    }

    if (complete) {
      inProgress.delete(key);
      cleanupHistory(deployment, split.oldReplicaSets);
    } else {
      const progressing = conditions.find((condition) => condition.type === 'Progressing');
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
    expireEvents,
  };
}

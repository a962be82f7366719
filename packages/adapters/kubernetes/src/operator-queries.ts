/**
 * What the operator commands ask of one Deployment (`autoheal status`, `rollback`): its revisions
 * as `kubectl rollout history` lists them, a summary at a glance, and `kubectl rollout undo` as a
 * plan applied like any other step.
 */
import type { CallOptions, HealingState, HealOutcome, HealPlan, HealStep, TargetRef } from '@autoheal/core';
import type { CoreV1Event } from '@kubernetes/client-node';
import { callApi } from './api-call.js';
import type { PlanApplier } from './apply-plan.js';
import type { DeploymentReads } from './deployment-reads.js';
import { DECISION_ID_ANNOTATION } from './event-message.js';
import { deploymentEventSelector } from './events.js';
import { findHpa, ORIGINAL_MIN_REPLICAS_ANNOTATION } from './hpa-floor.js';
import type { KubeClients } from './kube-clients.js';
import { CHANGE_CAUSE_ANNOTATION, currentReplicaSet, imagesOf, REVISION_ANNOTATION, revisionOf } from './rollback-plan.js';
import { stateFromAnnotations } from './state-annotations.js';

/** One revision of a Deployment, as `kubectl rollout history` lists it. */
export interface RevisionInfo {
  revision: number;
  replicaSet: string;
  images: string[];
  changeCause?: string;
  /** ISO-8601 creation time of the ReplicaSet. */
  created?: string;
  /** Pods the ReplicaSet wants now. */
  replicas: number;
  /** True for the ReplicaSet whose template the Deployment has now. */
  current: boolean;
}

/** One recent Event of a Deployment. */
export interface DeploymentEventInfo {
  type: string;
  reason: string;
  message: string;
  from: string;
  count: number;
  /** ISO-8601 time of the last occurrence. */
  lastSeen?: string;
  /** The id of the decision record the Event belongs to (none for a step applied outside the pipeline). */
  recordId?: string;
}

/** What an operator wants to know about a Deployment at a glance. */
export interface DeploymentSummary {
  target: TargetRef;
  uid: string;
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  updatedReplicas: number;
  paused: boolean;
  revision?: number;
  generation?: number;
  observedGeneration?: number;
  annotations: Record<string, string>;
  state: HealingState;
  /** The HPA targeting the Deployment, if any. */
  hpa?: { name: string; minReplicas: number; maxReplicas: number; originalMinReplicas?: number };
  /** Most recent first. */
  events: DeploymentEventInfo[];
}

/** The operator helpers of the Kubernetes healer. */
export interface OperatorQueries {
  listRevisions(target: TargetRef, options?: CallOptions): Promise<RevisionInfo[]>;
  rollback(target: TargetRef, toRevision?: number, options?: CallOptions & { dryRun?: boolean }): Promise<HealOutcome>;
  getDeploymentSummary(target: TargetRef, options?: CallOptions): Promise<DeploymentSummary>;
}

function eventTime(event: CoreV1Event): number {
  const time = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata?.creationTimestamp;
  return time ? new Date(time as unknown as string).getTime() : 0;
}

function eventInfo(event: CoreV1Event): DeploymentEventInfo {
  const info: DeploymentEventInfo = {
    type: event.type ?? '',
    reason: event.reason ?? '',
    message: event.message ?? '',
    from: event.source?.component ?? event.reportingComponent ?? '',
    count: event.count ?? 1,
  };
  const time = eventTime(event);
  if (time > 0) info.lastSeen = new Date(time).toISOString();
  const recordId = event.metadata?.annotations?.[DECISION_ID_ANNOTATION];
  if (recordId) info.recordId = recordId;
  return info;
}

/** Creates the operator helpers. */
export function createOperatorQueries(deps: {
  clients: KubeClients;
  reads: DeploymentReads;
  plan: (target: TargetRef, step: HealStep, attempt: number, options?: CallOptions) => Promise<HealPlan>;
  apply: PlanApplier;
  settings: { hpaAware: boolean; summaryEventLimit: number };
}): OperatorQueries {
  const { clients, reads, settings } = deps;

  async function listRevisions(target: TargetRef, options?: CallOptions): Promise<RevisionInfo[]> {
    const deployment = await reads.deployment(target, options?.signal);
    const owned = await reads.ownedReplicaSets(deployment, options?.signal);
    const current = currentReplicaSet(deployment, owned);
    const revisions: RevisionInfo[] = [];
    for (const rs of owned) {
      const revision = revisionOf(rs);
      if (revision === undefined) continue;
      const info: RevisionInfo = {
        revision,
        replicaSet: rs.metadata?.name ?? '',
        images: imagesOf(rs.spec?.template),
        replicas: rs.spec?.replicas ?? 0,
        current: rs === current,
      };
      const cause = rs.metadata?.annotations?.[CHANGE_CAUSE_ANNOTATION];
      if (cause !== undefined) info.changeCause = cause;
      if (rs.metadata?.creationTimestamp) info.created = new Date(rs.metadata.creationTimestamp).toISOString();
      revisions.push(info);
    }
    return revisions.sort((a, b) => a.revision - b.revision);
  }

  async function rollback(target: TargetRef, toRevision?: number, options?: CallOptions & { dryRun?: boolean }): Promise<HealOutcome> {
    // The operator's rollback is `kubectl rollout undo`: the previous revision, whatever it is.
    // The plan validates the step (a bad toRevision is an INPUT_INVALID error naming it).
    const step: HealStep = toRevision === undefined ? { kind: 'rollback', previous: 'revision' } : { kind: 'rollback', toRevision, previous: 'revision' };
    return deps.apply(target, await deps.plan(target, step, 1, options), options);
  }

  async function getDeploymentSummary(target: TargetRef, options?: CallOptions): Promise<DeploymentSummary> {
    const signal = options?.signal;
    const deployment = await reads.deployment(target, signal);
    const events = await callApi({ verb: 'list', group: '', resource: 'events', namespace: target.namespace }, signal, () =>
      clients.core.listNamespacedEvent({ namespace: target.namespace, fieldSelector: deploymentEventSelector(deployment) }, clients.request(signal)),
    );
    const recent = [...events.items].sort((a, b) => eventTime(b) - eventTime(a)).slice(0, settings.summaryEventLimit);
    const hpa = settings.hpaAware ? await findHpa(clients, target, signal) : undefined;
    const annotations = { ...(deployment.metadata?.annotations ?? {}) };
    const summary: DeploymentSummary = {
      target,
      uid: deployment.metadata?.uid ?? '',
      replicas: deployment.spec?.replicas ?? 1,
      readyReplicas: deployment.status?.readyReplicas ?? 0,
      availableReplicas: deployment.status?.availableReplicas ?? 0,
      updatedReplicas: deployment.status?.updatedReplicas ?? 0,
      paused: deployment.spec?.paused === true,
      annotations,
      state: stateFromAnnotations(annotations),
      events: recent.map(eventInfo),
    };
    const revision = annotations[REVISION_ANNOTATION];
    if (revision !== undefined && /^\d+$/.test(revision)) summary.revision = Number(revision);
    if (deployment.metadata?.generation !== undefined) summary.generation = deployment.metadata.generation;
    if (deployment.status?.observedGeneration !== undefined) summary.observedGeneration = deployment.status.observedGeneration;
    if (hpa?.metadata?.name && hpa.spec) {
      summary.hpa = { name: hpa.metadata.name, minReplicas: hpa.spec.minReplicas ?? 1, maxReplicas: hpa.spec.maxReplicas };
      const original = hpa.metadata.annotations?.[ORIGINAL_MIN_REPLICAS_ANNOTATION];
      if (original !== undefined) summary.hpa.originalMinReplicas = Number(original);
    }
    return summary;
  }

  return { listRevisions, rollback, getDeploymentSummary };
}

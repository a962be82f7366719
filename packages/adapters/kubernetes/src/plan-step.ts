/**
 * Planning, without I/O: from one {@link StepView} of the cluster to the typed operations of a
 * step (restart, scale or HPA floor, exec, rollback, and the step's Event), or a refusal. What is
 * planned here is what dry-run shows and exactly what `apply` executes.
 */
import type { HealOperation, HealOperationOf, HealPlan, HealStep, TargetRef } from '@autoheal/core';
import type { V1Deployment, V1Pod, V1ReplicaSet, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { stepEventReason } from './events.js';
import { ORIGINAL_MIN_REPLICAS_ANNOTATION } from './hpa-floor.js';
import { currentReplicaSet, planRollback, RESTARTED_AT_ANNOTATION, revisionOf } from './rollback-plan.js';
import { AUTOHEAL_ANNOTATIONS } from './state-annotations.js';

/** What a step is planned from, read once (see `deployment-reads.ts`). */
export interface StepView {
  deployment: V1Deployment;
  /** The ReplicaSets the Deployment controls; read for cache and rollback steps. */
  replicaSets?: V1ReplicaSet[];
  /** The pods the Deployment's selector matches; read for a cache step. */
  pods?: V1Pod[];
  /** The HPA targeting the Deployment (`null`: looked, none); read when the step scales up and the healer is HPA-aware. */
  hpa?: V2HorizontalPodAutoscaler | null;
}

/** Which optional parts of the view a step needs. */
export interface ViewNeeds {
  replicaSets: boolean;
  pods: boolean;
  hpa: boolean;
}

const PAUSED_RESTART_REFUSAL = "can't restart paused deployment (run rollout resume first)";

type ScaleUp = Extract<HealStep, { kind: 'restart' }>['scaleUp'];

function scalesUp(scaleUp: ScaleUp): boolean {
  // by: 0 is "no scale-up" configured, not a ceiling reached.
  return scaleUp !== false && scaleUp.by > 0;
}

function restarts(step: HealStep): boolean {
  return step.kind === 'restart' || (step.kind === 'cache' && step.restart);
}

/** What {@link planStep} will read from the view for `step` on `deployment` (nothing more when it will refuse a paused restart). */
export function viewNeeds(step: HealStep, deployment: V1Deployment, settings: { hpaAware: boolean }): ViewNeeds {
  if (restarts(step) && deployment.spec?.paused === true) return { replicaSets: false, pods: false, hpa: false };
  switch (step.kind) {
    case 'restart':
      return { replicaSets: false, pods: false, hpa: settings.hpaAware && scalesUp(step.scaleUp) };
    case 'cache':
      return { replicaSets: true, pods: true, hpa: settings.hpaAware && scalesUp(step.scaleUp) };
    case 'rollback':
      return { replicaSets: true, pods: false, hpa: false };
    case 'scale':
      return { replicaSets: false, pods: false, hpa: settings.hpaAware };
  }
}

/**
 * Which GitOps controller manages the Deployment, from the markers Argo CD and Flux put on what they
 * apply. Their auto-sync reverts a rollback (argo-cd #15588), so the plan says so.
 */
export function gitOpsManagerOf(deployment: V1Deployment): string | undefined {
  const annotations = deployment.metadata?.annotations ?? {};
  const labels = deployment.metadata?.labels ?? {};
  if (annotations['argocd.argoproj.io/tracking-id'] || labels['argocd.argoproj.io/instance']) return 'Argo CD';
  if (Object.keys(labels).some((key) => key.endsWith('.toolkit.fluxcd.io/name'))) return 'Flux';
  return undefined;
}

/** True when the pod is Ready and not being deleted. */
function isPodReady(pod: V1Pod): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function podNotReadyReason(pod: V1Pod): string {
  if (pod.metadata?.deletionTimestamp) return 'terminating';
  const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const phase = pod.status?.phase ?? 'Unknown';
  if (!ready) return `not ready (phase ${phase}, no Ready condition)`;
  return `not ready (phase ${phase}${ready.reason ? `, ${ready.reason}` : ''})`;
}

function isControlledBy(object: { metadata?: { ownerReferences?: { controller?: boolean; uid: string }[] } }, uid: string | undefined): boolean {
  return !!uid && (object.metadata?.ownerReferences ?? []).some((ref) => ref.controller === true && ref.uid === uid);
}

function restartOperation(target: TargetRef): HealOperationOf<'restart'> {
  return {
    op: 'restart',
    description: `rollout restart deployment/${target.name} (set ${RESTARTED_AT_ANNOTATION} on the pod template)`,
    details: { annotation: RESTARTED_AT_ANNOTATION },
  };
}

function planScaleHpa(hpa: V2HorizontalPodAutoscaler, replicas: number, scaleUp: { by: number; maxReplicas: number }): HealOperationOf<'scale-hpa'> {
  const hpaName = hpa.metadata?.name ?? '';
  const min = hpa.spec?.minReplicas ?? 1;
  const ceiling = Math.min(scaleUp.maxReplicas, hpa.spec?.maxReplicas ?? scaleUp.maxReplicas);
  // Raised by the step's amount from the floor, not above what runs now: an HPA that had scaled out
  // under load would otherwise get its floor pinned at (or near) its maximum until the episode ends.
  const to = Math.min(min + scaleUp.by, ceiling);
  const remembered = hpa.metadata?.annotations?.[ORIGINAL_MIN_REPLICAS_ANNOTATION];
  const details = { hpa: hpaName, from: min, to: Math.max(to, min), replicas, ceiling, originalMinReplicas: remembered ? Number(remembered) : min };
  if (to <= min) {
    return {
      op: 'scale-hpa',
      description: `HPA ${hpaName} minReplicas already at the ceiling (${min}, limit ${ceiling}): no scale-up`,
      details: { ...details, noop: true },
    };
  }
  return {
    op: 'scale-hpa',
    description: `raise HPA ${hpaName} minReplicas ${min} → ${to} (the HPA owns spec.replicas; the original ${details.originalMinReplicas} is restored on reset)`,
    details,
  };
}

function planScale(target: TargetRef, view: StepView, scaleUp: ScaleUp): Array<HealOperationOf<'scale'> | HealOperationOf<'scale-hpa'>> {
  if (scaleUp === false || !scalesUp(scaleUp)) return [];
  const replicas = view.deployment.spec?.replicas ?? 1;
  if (view.hpa) return [planScaleHpa(view.hpa, replicas, scaleUp)];
  const to = Math.min(replicas + scaleUp.by, scaleUp.maxReplicas);
  if (to <= replicas) {
    return [
      {
        op: 'scale',
        description: `deployment/${target.name} already at ${replicas} replicas (ceiling ${scaleUp.maxReplicas}): no scale-up`,
        details: { from: replicas, to: replicas, ceiling: scaleUp.maxReplicas, noop: true },
      },
    ];
  }
  return [{ op: 'scale', description: `scale deployment/${target.name} ${replicas} → ${to} replicas`, details: { from: replicas, to, ceiling: scaleUp.maxReplicas } }];
}

function planExec(view: StepView, step: Extract<HealStep, { kind: 'cache' }>): HealOperationOf<'exec'> {
  const { deployment } = view;
  const owned = view.replicaSets ?? [];
  const current = currentReplicaSet(deployment, owned);
  // Pods of the current ReplicaSet: old ones are on their way out and the cache that matters is in the new ones.
  const ownerUids = current ? [current.metadata?.uid] : owned.map((rs) => rs.metadata?.uid);
  const mine = (view.pods ?? [])
    .filter((pod) => ownerUids.some((uid) => isControlledBy(pod, uid)))
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const ready = mine.filter(isPodReady);
  const skipped = mine.filter((pod) => !isPodReady(pod)).map((pod) => ({ pod: pod.metadata?.name ?? '', reason: podNotReadyReason(pod) }));
  const container = step.container ?? deployment.spec?.template?.spec?.containers?.[0]?.name ?? '';
  const names = ready.map((pod) => pod.metadata?.name ?? '');
  const commandText = step.command.join(' ');
  const description =
    names.length > 0
      ? `run \`${commandText}\` in container ${container} of ${names.length} ready pod(s): ${names.join(', ')}` +
        (skipped.length > 0 ? `; skip ${skipped.length} not ready: ${skipped.map((s) => s.pod).join(', ')}` : '')
      : `no ready pod to run \`${commandText}\` in` + (skipped.length > 0 ? ` (not ready: ${skipped.map((s) => s.pod).join(', ')})` : '');
  const details: HealOperationOf<'exec'>['details'] = { command: [...step.command], container, pods: names, skipped, perPodTimeoutMs: step.perPodTimeoutMs };
  const replicaSet = current?.metadata?.name;
  if (replicaSet !== undefined) details.replicaSet = replicaSet;
  return { op: 'exec', description, details };
}

function planRollbackOperation(target: TargetRef, view: StepView, step: Extract<HealStep, { kind: 'rollback' }>): HealOperationOf<'rollback'> | { refusal: string } {
  const { deployment } = view;
  const decision = planRollback(deployment, view.replicaSets ?? [], step.toRevision, AUTOHEAL_ANNOTATIONS, step.previous ?? 'release');
  if (decision.kind === 'refused') return { refusal: decision.reason };
  if (decision.kind === 'skip') {
    return {
      op: 'rollback',
      description: `deployment/${target.name} ${decision.message}`,
      details: { skip: true, revision: decision.revision, replicaSet: decision.replicaSet },
    };
  }
  const gitOps = gitOpsManagerOf(deployment);
  const fromRevision = revisionOf(deployment);
  return {
    op: 'rollback',
    description:
      `roll back deployment/${target.name} to revision ${decision.revision} (ReplicaSet ${decision.replicaSet}, images ${decision.images.join(', ')})` +
      (gitOps ? `; warning: managed by ${gitOps}, whose sync will revert it unless the change is made in Git` : ''),
    details: {
      ...(gitOps ? { gitOpsManager: gitOps } : {}),
      revision: decision.revision,
      ...(fromRevision !== undefined ? { fromRevision } : {}),
      replicaSet: decision.replicaSet,
      images: decision.images,
      patch: decision.patch,
    },
  };
}

/**
 * The plan of `step` (already validated) on `target`, from `view`. Refusals (a paused Deployment,
 * no previous revision, an unknown revision) are part of the plan, never thrown.
 */
export function planStep(target: TargetRef, view: StepView, step: HealStep, attempt: number): HealPlan {
  const operations: HealOperation[] = [];
  const base = { step, attempt: Math.max(1, Math.trunc(attempt)), operations };
  if (restarts(step) && view.deployment.spec?.paused === true) return { ...base, refusal: PAUSED_RESTART_REFUSAL };

  if (step.kind === 'restart') {
    operations.push(restartOperation(target), ...planScale(target, view, step.scaleUp));
  } else if (step.kind === 'cache') {
    operations.push(planExec(view, step));
    if (step.restart) operations.push(restartOperation(target));
    operations.push(...planScale(target, view, step.scaleUp));
  } else if (step.kind === 'scale') {
    // Capacity only: no restart, which would take pods away while it rolls.
    const scale = planScale(target, view, { by: step.by, maxReplicas: step.maxReplicas });
    // A scale step that can add nothing (at its ceiling, or the HPA's) changes nothing: refused on
    // purpose, so the ladder skips it without spending an attempt, a cooldown and a breaker slot on
    // an Event (the outcome benchmark's CPU-saturated large workloads, 10+ replicas under the
    // default ceiling of 10, took it as a step and then the cache clear it crowded out).
    if (scale.every((operation) => operation.details.noop === true)) {
      return { ...base, refusal: `nothing to scale: ${scale.map((operation) => operation.description).join('; ')}` };
    }
    operations.push(...scale);
  } else {
    const rollback = planRollbackOperation(target, view, step);
    if ('refusal' in rollback) return { ...base, refusal: rollback.refusal };
    operations.push(rollback);
  }
  const reason = stepEventReason(step.kind);
  operations.push({ op: 'event', description: `record Event ${reason} on deployment/${target.name}`, details: { reason } });
  return base;
}

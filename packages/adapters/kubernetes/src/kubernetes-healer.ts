/**
 * The Kubernetes Healer: restarts (as `kubectl rollout restart`), scales (HPA-aware), clears caches
 * in ready pods over exec, rolls back (as `kubectl rollout undo`), keeps the ladder state in the
 * Deployment's annotations and records Events where `kubectl describe` shows them.
 */
import {
  AutohealError,
  HealingError,
  healStepSchema,
  parseWithSchema,
  type CallOptions,
  type DecisionRecord,
  type Healer,
  type HealingState,
  type HealOperation,
  type HealOutcome,
  type HealPlan,
  type HealStep,
  type OperationResult,
  type TargetRef,
} from '@autoheal/core';
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  PatchStrategy,
  type KubeConfig,
  type V1Deployment,
  type V1Pod,
  type V1ReplicaSet,
  type V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { callApi, isConflict, requestOptions, type CallDescription } from './api-call.js';
import { buildDeploymentEvent, deploymentEventSelector, type AutohealEventReason } from './events.js';
import { loadKubeConfig } from './kube-config.js';
import { kubernetesHealerOptionsSchema, type KubernetesHealerOptions, type ResolvedKubernetesHealerOptions } from './options.js';
import { execInPod, type PodExecResult } from './pod-exec.js';
import {
  CHANGE_CAUSE_ANNOTATION,
  controlledReplicaSets,
  equalIgnoreHash,
  imagesOf,
  labelSelectorString,
  planRollback,
  REVISION_ANNOTATION,
  revisionOf,
  type JsonPatchOperation,
} from './rollback-plan.js';
import { annotationsForState, ATTEMPT_ANNOTATION, STATE_ANNOTATION, stateFromAnnotations } from './state-annotations.js';

const COMPONENT = 'kubernetes';
/** The pod-template annotation `kubectl rollout restart` sets. */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
/** Where the HPA's own `minReplicas` is remembered while autoheal has raised it. */
export const ORIGINAL_MIN_REPLICAS_ANNOTATION = 'autoheal.dev/original-min-replicas';
// How many pods are exec'd into at once: enough to be quick, few enough not to flood the API server.
const EXEC_CONCURRENCY = 5;

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

/** A {@link Healer} for Deployments, plus the operator helpers the CLI uses. */
export interface KubernetesHealer extends Healer {
  readonly name: 'kubernetes';
  /** The loaded kubeconfig (for the leader elector or other clients). */
  readonly kubeConfig: KubeConfig;
  /** The Deployment's revisions, oldest first, from the ReplicaSets it controls. */
  listRevisions(target: TargetRef, options?: CallOptions): Promise<RevisionInfo[]>;
  /**
   * Rolls back like `kubectl rollout undo [--to-revision]` and records an Event. Throws a
   * `HealingError` with code `HEALING_REFUSED` when there is nothing to roll back to or the Deployment is paused.
   */
  rollback(target: TargetRef, toRevision?: number, options?: CallOptions & { dryRun?: boolean }): Promise<HealOutcome>;
  /** Replicas, readiness, pause, revision, annotations, ladder state, HPA and recent Events. */
  getDeploymentSummary(target: TargetRef, options?: CallOptions): Promise<DeploymentSummary>;
}

/** The Kubernetes time format `kubectl rollout restart` writes: RFC 3339 in local time, whole seconds. */
export function formatRestartedAt(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const zone = offset === 0 ? 'Z' : `${offset > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${zone}`;
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

/** `FindNewReplicaSet`: the oldest controlled ReplicaSet whose template matches the Deployment's. */
function currentReplicaSet(deployment: V1Deployment, owned: readonly V1ReplicaSet[]): V1ReplicaSet | undefined {
  const sorted = [...owned].sort((a, b) => {
    const at = a.metadata?.creationTimestamp ? new Date(a.metadata.creationTimestamp).getTime() : 0;
    const bt = b.metadata?.creationTimestamp ? new Date(b.metadata.creationTimestamp).getTime() : 0;
    return at !== bt ? at - bt : (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
  });
  return sorted.find((rs) => equalIgnoreHash(rs.spec?.template, deployment.spec?.template));
}

function isControlledBy(object: { metadata?: { ownerReferences?: { controller?: boolean; uid: string }[] } }, uid: string | undefined): boolean {
  return !!uid && (object.metadata?.ownerReferences ?? []).some((ref) => ref.controller === true && ref.uid === uid);
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

function eventReasonForStep(kind: HealStep['kind']): AutohealEventReason {
  return kind === 'restart' ? 'AutohealRestart' : kind === 'cache' ? 'AutohealCacheClear' : 'AutohealRollback';
}

async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Creates a Healer for Kubernetes Deployments.
 *
 * @example
 * import { createKubernetesHealer } from '@autoheal/adapter-kubernetes';
 *
 * const healer = createKubernetesHealer({ kubeconfigPath: '/etc/autoheal/kubeconfig', context: 'prod' });
 * const target = { namespace: 'prod', kind: 'Deployment' as const, name: 'backend' };
 * const plan = await healer.plan(target, { kind: 'restart', scaleUp: { by: 1, maxReplicas: 6 } }, 1);
 * if (!plan.refusal) {
 *   const outcome = await healer.apply(target, plan, { dryRun: true }); // validated by the API server, nothing changes
 *   console.log(outcome.message);
 * }
 */
export function createKubernetesHealer(options: KubernetesHealerOptions = {}): KubernetesHealer {
  const config: ResolvedKubernetesHealerOptions = parseWithSchema(
    kubernetesHealerOptionsSchema,
    options,
    COMPONENT,
    'invalid Kubernetes healer options',
  );
  const kubeConfig = loadKubeConfig(config);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const autoscaling = kubeConfig.makeApiClient(AutoscalingV2Api);
  const fieldManager = config.fieldManager;
  const timeout = config.requestTimeoutMs;

  const deploymentCall = (target: TargetRef, verb: CallDescription['verb'], resource = 'deployments'): CallDescription => ({
    verb,
    group: 'apps',
    resource,
    namespace: target.namespace,
    name: target.name,
  });

  async function getDeployment(target: TargetRef, signal?: AbortSignal): Promise<V1Deployment> {
    return callApi(deploymentCall(target, 'get'), signal, () =>
      apps.readNamespacedDeployment({ name: target.name, namespace: target.namespace }, requestOptions(timeout, signal)),
    );
  }

  async function listOwnedReplicaSets(deployment: V1Deployment, target: TargetRef, signal?: AbortSignal): Promise<V1ReplicaSet[]> {
    const list = await callApi({ verb: 'list', group: 'apps', resource: 'replicasets', namespace: target.namespace }, signal, () =>
      apps.listNamespacedReplicaSet(
        { namespace: target.namespace, labelSelector: labelSelectorString(deployment.spec?.selector) },
        requestOptions(timeout, signal),
      ),
    );
    return controlledReplicaSets(deployment, list.items);
  }

  async function findHpa(target: TargetRef, signal?: AbortSignal): Promise<V2HorizontalPodAutoscaler | undefined> {
    const list = await callApi(
      { verb: 'list', group: 'autoscaling', resource: 'horizontalpodautoscalers', namespace: target.namespace },
      signal,
      () => autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: target.namespace }, requestOptions(timeout, signal)),
    );
    return list.items.find((hpa) => {
      const ref = hpa.spec?.scaleTargetRef;
      return ref?.kind === 'Deployment' && ref.name === target.name && (!ref.apiVersion || ref.apiVersion.startsWith('apps/'));
    });
  }

  async function recordEvent(
    deployment: V1Deployment,
    type: 'Normal' | 'Warning',
    reason: AutohealEventReason,
    message: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const namespace = deployment.metadata?.namespace ?? 'default';
    const body = buildDeploymentEvent({
      deployment,
      type,
      reason,
      message,
      component: config.eventSource,
      reportingInstance: config.reportingInstance,
      now: Date.now(),
    });
    await callApi({ verb: 'create', group: '', resource: 'events', namespace }, signal, () =>
      core.createNamespacedEvent({ namespace, body }, requestOptions(timeout, signal)),
    );
  }

  // ---- planning -------------------------------------------------------------------------------

  async function planScale(target: TargetRef, deployment: V1Deployment, scaleUp: Extract<HealStep, { kind: 'restart' }>['scaleUp'], signal?: AbortSignal): Promise<HealOperation[]> {
    // by: 0 is "no scale-up" configured, not a ceiling reached.
    if (scaleUp === false || scaleUp.by === 0) return [];
    const replicas = deployment.spec?.replicas ?? 1;
    const hpa = config.hpaAware ? await findHpa(target, signal) : undefined;
    if (hpa) {
      const hpaName = hpa.metadata?.name ?? '';
      const min = hpa.spec?.minReplicas ?? 1;
      const ceiling = Math.min(scaleUp.maxReplicas, hpa.spec?.maxReplicas ?? scaleUp.maxReplicas);
      // Raise the floor above what the HPA runs now, or the change would add no pod.
      const to = Math.min(Math.max(min, replicas) + scaleUp.by, ceiling);
      const remembered = hpa.metadata?.annotations?.[ORIGINAL_MIN_REPLICAS_ANNOTATION];
      const details = { hpa: hpaName, from: min, to: Math.max(to, min), replicas, ceiling, originalMinReplicas: remembered ? Number(remembered) : min };
      if (to <= min) {
        return [
          {
            op: 'scale-hpa',
            description: `HPA ${hpaName} minReplicas already at the ceiling (${min}, limit ${ceiling}): no scale-up`,
            details: { ...details, noop: true },
          },
        ];
      }
      return [
        {
          op: 'scale-hpa',
          description: `raise HPA ${hpaName} minReplicas ${min} → ${to} (the HPA owns spec.replicas; the original ${details.originalMinReplicas} is restored on reset)`,
          details,
        },
      ];
    }
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
    return [
      {
        op: 'scale',
        description: `scale deployment/${target.name} ${replicas} → ${to} replicas`,
        details: { from: replicas, to, ceiling: scaleUp.maxReplicas },
      },
    ];
  }

  function restartOperation(target: TargetRef): HealOperation {
    return {
      op: 'restart',
      description: `rollout restart deployment/${target.name} (set ${RESTARTED_AT_ANNOTATION} on the pod template)`,
      details: { annotation: RESTARTED_AT_ANNOTATION },
    };
  }

  function eventOperation(target: TargetRef, reason: AutohealEventReason): HealOperation {
    return { op: 'event', description: `record Event ${reason} on deployment/${target.name}`, details: { reason } };
  }

  async function planExec(
    target: TargetRef,
    deployment: V1Deployment,
    step: Extract<HealStep, { kind: 'cache' }>,
    signal?: AbortSignal,
  ): Promise<HealOperation> {
    const owned = await listOwnedReplicaSets(deployment, target, signal);
    const current = currentReplicaSet(deployment, owned);
    const pods = await callApi({ verb: 'list', group: '', resource: 'pods', namespace: target.namespace }, signal, () =>
      core.listNamespacedPod(
        { namespace: target.namespace, labelSelector: labelSelectorString(deployment.spec?.selector) },
        requestOptions(timeout, signal),
      ),
    );
    // Pods of the current ReplicaSet: old ones are on their way out and the cache that matters is in the new ones.
    const ownerUids = current ? [current.metadata?.uid] : owned.map((rs) => rs.metadata?.uid);
    const mine = pods.items
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
    return {
      op: 'exec',
      description,
      details: {
        command: [...step.command],
        container,
        pods: names,
        skipped,
        perPodTimeoutMs: step.perPodTimeoutMs,
        replicaSet: current?.metadata?.name,
      },
    };
  }

  async function plan(target: TargetRef, stepInput: HealStep, attempt: number, options?: CallOptions): Promise<HealPlan> {
    const step = parseWithSchema(healStepSchema, stepInput, COMPONENT, 'invalid heal step', 'INPUT_INVALID');
    const signal = options?.signal;
    const deployment = await getDeployment(target, signal);
    const paused = deployment.spec?.paused === true;
    const operations: HealOperation[] = [];
    const base = { step, attempt: Math.max(1, Math.trunc(attempt)), operations };

    if (step.kind === 'restart') {
      if (paused) return { ...base, refusal: "can't restart paused deployment (run rollout resume first)" };
      operations.push(restartOperation(target), ...(await planScale(target, deployment, step.scaleUp, signal)));
    } else if (step.kind === 'cache') {
      if (paused && step.restart) return { ...base, refusal: "can't restart paused deployment (run rollout resume first)" };
      operations.push(await planExec(target, deployment, step, signal));
      if (step.restart) operations.push(restartOperation(target));
      operations.push(...(await planScale(target, deployment, step.scaleUp, signal)));
    } else {
      const owned = await listOwnedReplicaSets(deployment, target, signal);
      const decision = planRollback(deployment, owned, step.toRevision, [ATTEMPT_ANNOTATION, STATE_ANNOTATION], step.previous ?? 'release');
      if (decision.kind === 'refused') {
        return { ...base, refusal: decision.reason };
      }
      if (decision.kind === 'skip') {
        operations.push({
          op: 'rollback',
          description: `deployment/${target.name} ${decision.message}`,
          details: { skip: true, revision: decision.revision, replicaSet: decision.replicaSet },
        });
      } else {
        const gitOps = gitOpsManagerOf(deployment);
        operations.push({
          op: 'rollback',
          description:
            `roll back deployment/${target.name} to revision ${decision.revision} (ReplicaSet ${decision.replicaSet}, images ${decision.images.join(', ')})` +
            (gitOps ? `; warning: managed by ${gitOps}, whose sync will revert it unless the change is made in Git` : ''),
          details: {
            ...(gitOps ? { gitOpsManager: gitOps } : {}),
            revision: decision.revision,
            fromRevision: revisionOf(deployment),
            replicaSet: decision.replicaSet,
            images: decision.images,
            patch: decision.patch,
          },
        });
      }
    }
    operations.push(eventOperation(target, eventReasonForStep(step.kind)));
    return base;
  }

  // ---- applying -------------------------------------------------------------------------------

  const dryRunParam = (dryRun: boolean) => (dryRun ? 'All' : undefined);

  async function applyRestart(target: TargetRef, dryRun: boolean, signal?: AbortSignal): Promise<OperationResult> {
    const deployment = await getDeployment(target, signal);
    if (deployment.spec?.paused) {
      return { op: 'restart', ok: false, message: "can't restart paused deployment (run rollout resume first)" };
    }
    let restartedAt = formatRestartedAt(Date.now());
    // Same value as the last restart (within one second) would be no change and no rollout: make it unique.
    if (deployment.spec?.template?.metadata?.annotations?.[RESTARTED_AT_ANNOTATION] === restartedAt) {
      restartedAt = new Date().toISOString();
    }
    const body = { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartedAt } } } } };
    const updated = await callApi(deploymentCall(target, 'patch'), signal, () =>
      apps.patchNamespacedDeployment(
        { name: target.name, namespace: target.namespace, body, fieldManager, dryRun: dryRunParam(dryRun) },
        requestOptions(timeout, signal, PatchStrategy.MergePatch),
      ),
    );
    return {
      op: 'restart',
      ok: true,
      message: dryRun
        ? `would restart deployment/${target.name} (server-side dry-run accepted the patch)`
        : `restarted deployment/${target.name} (${RESTARTED_AT_ANNOTATION}=${restartedAt})`,
      details: { restartedAt, generation: updated.metadata?.generation },
    };
  }

  async function applyScale(target: TargetRef, operation: HealOperation, dryRun: boolean, signal?: AbortSignal): Promise<OperationResult> {
    const details = operation.details ?? {};
    if (details['noop']) return { op: 'scale', ok: true, message: operation.description, details };
    const to = Number(details['to']);
    // Something else (a person, another controller) may have scaled since the plan: never scale down.
    const current = await callApi(deploymentCall(target, 'get', 'deployments/scale'), signal, () =>
      apps.readNamespacedDeploymentScale({ name: target.name, namespace: target.namespace }, requestOptions(timeout, signal)),
    );
    const currentReplicas = current.spec?.replicas ?? 0;
    if (currentReplicas >= to) {
      return {
        op: 'scale',
        ok: true,
        message: `deployment/${target.name} already has ${currentReplicas} replicas (planned ${to}): left as is`,
        details: { ...details, replicas: currentReplicas, noop: true },
      };
    }
    const scale = await callApi(deploymentCall(target, 'patch', 'deployments/scale'), signal, () =>
      apps.patchNamespacedDeploymentScale(
        { name: target.name, namespace: target.namespace, body: { spec: { replicas: to } }, fieldManager, dryRun: dryRunParam(dryRun) },
        requestOptions(timeout, signal, PatchStrategy.MergePatch),
      ),
    );
    return {
      op: 'scale',
      ok: true,
      message: dryRun
        ? `would scale deployment/${target.name} ${String(details['from'])} → ${to} (server-side dry-run accepted it)`
        : `scaled deployment/${target.name} ${String(details['from'])} → ${scale.spec?.replicas ?? to} replicas`,
      details: { ...details, replicas: scale.spec?.replicas },
    };
  }

  /** GET, modify, PUT with the fetched resourceVersion; retried on 409. */
  async function updateHpa(
    target: TargetRef,
    hpaName: string,
    modify: (hpa: V2HorizontalPodAutoscaler) => boolean,
    dryRun: boolean,
    signal?: AbortSignal,
  ): Promise<V2HorizontalPodAutoscaler> {
    const call = (verb: CallDescription['verb']): CallDescription => ({
      verb,
      group: 'autoscaling',
      resource: 'horizontalpodautoscalers',
      namespace: target.namespace,
      name: hpaName,
    });
    for (let attempt = 0; ; attempt++) {
      const hpa = await callApi(call('get'), signal, () =>
        autoscaling.readNamespacedHorizontalPodAutoscaler({ name: hpaName, namespace: target.namespace }, requestOptions(timeout, signal)),
      );
      if (!modify(hpa)) return hpa;
      try {
        return await callApi(call('update'), signal, () =>
          autoscaling.replaceNamespacedHorizontalPodAutoscaler(
            { name: hpaName, namespace: target.namespace, body: hpa, fieldManager, dryRun: dryRunParam(dryRun) },
            requestOptions(timeout, signal),
          ),
        );
      } catch (error) {
        if (!isConflict(error) || attempt >= config.conflictRetries) throw error;
      }
    }
  }

  async function applyScaleHpa(target: TargetRef, operation: HealOperation, dryRun: boolean, signal?: AbortSignal): Promise<OperationResult> {
    const details = operation.details ?? {};
    if (details['noop']) return { op: 'scale-hpa', ok: true, message: operation.description, details };
    const hpaName = String(details['hpa']);
    const to = Number(details['to']);
    const updated = await updateHpa(
      target,
      hpaName,
      (hpa) => {
        hpa.metadata ??= {};
        hpa.metadata.annotations ??= {};
        // Remember the user's floor only the first time: later raises must not overwrite it with ours.
        if (hpa.metadata.annotations[ORIGINAL_MIN_REPLICAS_ANNOTATION] === undefined) {
          hpa.metadata.annotations[ORIGINAL_MIN_REPLICAS_ANNOTATION] = String(hpa.spec?.minReplicas ?? 1);
        }
        // Never lower a floor someone raised since the plan.
        if (!hpa.spec || (hpa.spec.minReplicas ?? 1) >= to) return false;
        hpa.spec.minReplicas = Math.min(to, hpa.spec.maxReplicas);
        return true;
      },
      dryRun,
      signal,
    );
    return {
      op: 'scale-hpa',
      ok: true,
      message: dryRun
        ? `would raise HPA ${hpaName} minReplicas ${String(details['from'])} → ${to} (server-side dry-run accepted it)`
        : `raised HPA ${hpaName} minReplicas ${String(details['from'])} → ${updated.spec?.minReplicas ?? to}`,
      details: { ...details, minReplicas: updated.spec?.minReplicas },
    };
  }

  async function applyExec(target: TargetRef, operation: HealOperation, dryRun: boolean, signal?: AbortSignal): Promise<OperationResult> {
    const details = operation.details ?? {};
    const pods = (details['pods'] as string[] | undefined) ?? [];
    const command = (details['command'] as string[] | undefined) ?? [];
    const container = String(details['container'] ?? '');
    const skipped = (details['skipped'] as { pod: string; reason: string }[] | undefined) ?? [];
    const skippedText = skipped.length > 0 ? `; skipped (not ready): ${skipped.map((s) => `${s.pod} (${s.reason})`).join(', ')}` : '';
    if (dryRun) {
      return {
        op: 'exec',
        ok: true,
        message: `would run \`${command.join(' ')}\` in pods ${pods.length > 0 ? pods.join(', ') : '(none ready)'} (exec has no server-side dry-run, so nothing was run)${skippedText}`,
        details: { ...details, ran: false },
      };
    }
    if (pods.length === 0) {
      return { op: 'exec', ok: false, message: `no ready pod to clear the cache in${skippedText}`, details: { ...details, results: [] } };
    }
    const results: PodExecResult[] = await mapWithConcurrency(pods, EXEC_CONCURRENCY, (pod) =>
      execInPod({
        kubeConfig,
        namespace: target.namespace,
        pod,
        container,
        command,
        timeoutMs: Number(details['perPodTimeoutMs'] ?? 10_000),
        outputLimit: config.execOutputLimit,
        signal,
      }),
    );
    const failed = results.filter((r) => !r.ok);
    const describe = (r: PodExecResult) =>
      r.timedOut ? `${r.pod} (timed out)` : r.exitCode !== undefined ? `${r.pod} (exit ${r.exitCode})` : `${r.pod} (${r.error ?? 'failed'})`;
    const message =
      failed.length === 0
        ? `ran \`${command.join(' ')}\` in ${results.length} pod(s): ${results.map((r) => r.pod).join(', ')}${skippedText}`
        : `cache clear failed in ${failed.length} of ${results.length} pod(s): ${failed.map(describe).join(', ')}${skippedText}`;
    return { op: 'exec', ok: failed.length === 0, message, details: { ...details, results } };
  }

  async function applyRollback(target: TargetRef, operation: HealOperation, dryRun: boolean, signal?: AbortSignal): Promise<OperationResult> {
    const details = operation.details ?? {};
    if (details['skip']) return { op: 'rollback', ok: true, message: operation.description, details };
    const deployment = await getDeployment(target, signal);
    if (deployment.spec?.paused) {
      return {
        op: 'rollback',
        ok: false,
        message: `you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again`,
      };
    }
    const patch = details['patch'] as JsonPatchOperation[];
    const updated = await callApi(deploymentCall(target, 'patch'), signal, () =>
      apps.patchNamespacedDeployment(
        { name: target.name, namespace: target.namespace, body: patch, fieldManager, dryRun: dryRunParam(dryRun) },
        requestOptions(timeout, signal, PatchStrategy.JsonPatch),
      ),
    );
    const { patch: _sent, ...rest } = details;
    return {
      op: 'rollback',
      ok: true,
      message: dryRun
        ? `would roll back deployment/${target.name} to revision ${String(details['revision'])} (server-side dry-run accepted the patch)`
        : `rolled back deployment/${target.name} to revision ${String(details['revision'])} (ReplicaSet ${String(details['replicaSet'])})`,
      details: { ...rest, generation: updated.metadata?.generation },
    };
  }

  async function apply(target: TargetRef, plan: HealPlan, options?: CallOptions & { dryRun?: boolean }): Promise<HealOutcome> {
    const dryRun = options?.dryRun === true;
    const signal = options?.signal;
    if (plan.refusal) {
      throw new HealingError(`${plan.step.kind} of ${target.namespace}/${target.name} was refused: ${plan.refusal}`, {
        component: COMPONENT,
        code: 'HEALING_REFUSED',
        details: { refusal: plan.refusal },
      });
    }
    if (signal?.aborted) {
      throw new AutohealError(`apply to ${target.namespace}/${target.name} aborted before it started`, {
        component: COMPONENT,
        code: 'ABORTED',
        cause: signal.reason,
      });
    }
    const results: OperationResult[] = [];
    let blocked: string | undefined;
    for (const operation of plan.operations) {
      if (operation.op === 'event' || operation.op === 'annotate') continue;
      // Aborted part-way: report what was done and what was not, rather than throwing it away.
      if (!blocked && signal?.aborted) blocked = 'aborted';
      if (blocked) {
        results.push({ op: operation.op, ok: false, message: `not attempted: ${blocked}` });
        continue;
      }
      try {
        let result: OperationResult;
        switch (operation.op) {
          case 'restart':
            result = await applyRestart(target, dryRun, signal);
            break;
          case 'scale':
            result = await applyScale(target, operation, dryRun, signal);
            break;
          case 'scale-hpa':
            result = await applyScaleHpa(target, operation, dryRun, signal);
            break;
          case 'exec':
            result = await applyExec(target, operation, dryRun, signal);
            break;
          case 'rollback':
            result = await applyRollback(target, operation, dryRun, signal);
            break;
        }
        results.push(result);
        // A refused restart or rollback stops the step; a partial cache clear does not (the restart replaces those pods anyway).
        if (!result.ok && operation.op !== 'exec') blocked = `${operation.op} failed`;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        results.push({ op: operation.op, ok: false, message });
        blocked = `${operation.op} failed`;
      }
    }
    const ok = results.every((r) => r.ok);
    const done = results.map((r) => r.message).join('; ');
    const message = `${dryRun ? '[dry-run] ' : ''}${plan.step.kind} step (attempt ${plan.attempt}) on ${target.namespace}/${target.name} ${
      ok ? (dryRun ? 'would succeed' : 'succeeded') : 'failed'
    }: ${done}`;

    const eventOperation = plan.operations.find((o) => o.op === 'event');
    if (eventOperation) {
      const reason = eventReasonForStep(plan.step.kind);
      if (dryRun) {
        results.push({ op: 'event', ok: true, message: `would record Event ${reason} (not written in dry-run)` });
      } else if (signal?.aborted) {
        results.push({ op: 'event', ok: false, message: `Event ${reason} not recorded: aborted` });
      } else {
        try {
          const deployment = await getDeployment(target, signal);
          await recordEvent(deployment, ok ? 'Normal' : 'Warning', reason, message, signal);
          results.push({ op: 'event', ok: true, message: `recorded Event ${reason}` });
        } catch (error) {
          // The action happened; a missing Event must not turn it into a failure, but it is reported.
          results.push({ op: 'event', ok: true, message: `could not record Event ${reason}: ${error instanceof Error ? error.message : String(error)}` });
        }
      }
    }
    return { ok, dryRun, message, results };
  }

  // ---- state ----------------------------------------------------------------------------------

  async function readState(target: TargetRef, options?: CallOptions): Promise<HealingState> {
    const deployment = await getDeployment(target, options?.signal);
    return stateFromAnnotations(deployment.metadata?.annotations);
  }

  async function restoreHpaMinReplicas(target: TargetRef, signal?: AbortSignal): Promise<void> {
    const hpa = await findHpa(target, signal);
    const remembered = hpa?.metadata?.annotations?.[ORIGINAL_MIN_REPLICAS_ANNOTATION];
    if (!hpa?.metadata?.name || remembered === undefined) return;
    await updateHpa(
      target,
      hpa.metadata.name,
      (fresh) => {
        const original = fresh.metadata?.annotations?.[ORIGINAL_MIN_REPLICAS_ANNOTATION];
        if (original === undefined || !fresh.spec || !fresh.metadata?.annotations) return false;
        const value = Number.parseInt(original, 10);
        if (Number.isInteger(value) && value >= 1) fresh.spec.minReplicas = Math.min(value, fresh.spec.maxReplicas);
        delete fresh.metadata.annotations[ORIGINAL_MIN_REPLICAS_ANNOTATION];
        return true;
      },
      false,
      signal,
    );
  }

  async function writeState(target: TargetRef, state: HealingState | null, options?: CallOptions): Promise<void> {
    const signal = options?.signal;
    const wanted = annotationsForState(state);
    for (let attempt = 0; ; attempt++) {
      const deployment = await getDeployment(target, signal);
      const current = deployment.metadata?.annotations ?? {};
      const changes: Record<string, string | null> = {};
      for (const [key, value] of Object.entries(wanted)) {
        if (value === null ? key in current : current[key] !== value) changes[key] = value;
      }
      if (Object.keys(changes).length === 0) break;
      // The resourceVersion in the patch body is a precondition: a concurrent writer makes this a 409, not a lost update.
      const body = { metadata: { resourceVersion: deployment.metadata?.resourceVersion, annotations: changes } };
      try {
        await callApi(deploymentCall(target, 'patch'), signal, () =>
          apps.patchNamespacedDeployment(
            { name: target.name, namespace: target.namespace, body, fieldManager },
            requestOptions(timeout, signal, PatchStrategy.MergePatch),
          ),
        );
        break;
      } catch (error) {
        if (!isConflict(error) || attempt >= config.conflictRetries) throw error;
      }
    }
    if (state === null && config.hpaAware) await restoreHpaMinReplicas(target, signal);
  }

  // ---- decisions ------------------------------------------------------------------------------

  async function recordDecision(record: DecisionRecord, options?: CallOptions): Promise<void> {
    // Dry-run changes nothing, Events included.
    if (record.dryRun) return;
    let type: 'Normal' | 'Warning';
    let reason: AutohealEventReason;
    switch (record.decision) {
      case 'heal': {
        const outcome = record.action?.outcome;
        // apply() already recorded the action's Event; only a heal that never got an outcome needs one here.
        if (outcome && !outcome.dryRun) return;
        type = 'Warning';
        reason = 'AutohealFailed';
        break;
      }
      case 'kept':
        type = 'Normal';
        reason = 'AutohealKept';
        break;
      case 'reset':
        type = 'Normal';
        reason = 'AutohealReset';
        break;
      case 'handoff':
        type = 'Warning';
        reason = 'AutohealHandoff';
        break;
      case 'suppressed':
        if (record.suppressedReason !== 'refused') return;
        type = 'Warning';
        reason = 'AutohealRefused';
        break;
      default:
        return;
    }
    const deployment = await getDeployment(record.target, options?.signal);
    await recordEvent(deployment, type, reason, record.summary, options?.signal);
  }

  // ---- operator helpers -----------------------------------------------------------------------

  async function listRevisions(target: TargetRef, options?: CallOptions): Promise<RevisionInfo[]> {
    const deployment = await getDeployment(target, options?.signal);
    const owned = await listOwnedReplicaSets(deployment, target, options?.signal);
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
    const step: HealStep = toRevision === undefined ? { kind: 'rollback', previous: 'revision' } : { kind: 'rollback', toRevision, previous: 'revision' };
    const rollbackPlan = await plan(target, step, 1, options);
    return apply(target, rollbackPlan, options);
  }

  async function getDeploymentSummary(target: TargetRef, options?: CallOptions): Promise<DeploymentSummary> {
    const signal = options?.signal;
    const deployment = await getDeployment(target, signal);
    const events = await callApi({ verb: 'list', group: '', resource: 'events', namespace: target.namespace }, signal, () =>
      core.listNamespacedEvent(
        { namespace: target.namespace, fieldSelector: deploymentEventSelector(deployment) },
        requestOptions(timeout, signal),
      ),
    );
    const timeOf = (e: (typeof events.items)[number]) => {
      const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
      return t ? new Date(t as unknown as string).getTime() : 0;
    };
    const recent = [...events.items].sort((a, b) => timeOf(b) - timeOf(a)).slice(0, config.summaryEventLimit);
    const hpa = config.hpaAware ? await findHpa(target, signal) : undefined;
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
      events: recent.map((e) => {
        const time = timeOf(e);
        const info: DeploymentEventInfo = {
          type: e.type ?? '',
          reason: e.reason ?? '',
          message: e.message ?? '',
          from: e.source?.component ?? e.reportingComponent ?? '',
          count: e.count ?? 1,
        };
        if (time > 0) info.lastSeen = new Date(time).toISOString();
        return info;
      }),
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

  return {
    name: 'kubernetes',
    kubeConfig,
    readState,
    writeState,
    plan,
    apply,
    recordDecision,
    listRevisions,
    rollback,
    getDeploymentSummary,
    async close() {
      // client-node keeps no long-lived connections that need closing; present for the Healer contract.
    },
  };
}

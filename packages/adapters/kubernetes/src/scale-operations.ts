/**
 * The scale-up operations, and their undo: the Deployment's `/scale` subresource, or, when an HPA
 * owns the replica count, the HPA's floor (`hpa-floor.ts`). Neither ever lowers a value someone
 * raised between the plan and now.
 *
 * Why a scale-up is remembered: the ladder's extra replicas are a remedy for the episode, not a new
 * size for the workload. The first scale-up of an episode writes the replica count it started from
 * (and the count it set) into `autoheal.dev/scaled-from` on the Deployment, as the HPA's own floor is
 * remembered on the HPA; once the workload is kept, {@link undoScaleUp} puts it back — unless
 * someone changed the count since, which is then theirs.
 */
import type { ActionFence, HealOperationOf, OperationResultOf, TargetRef } from '@autoheal/core';
import { PatchStrategy, type V1Deployment } from '@kubernetes/client-node';
import { callApi } from './api-call.js';
import type { ApplyContext } from './apply-context.js';
import type { DeploymentReads } from './deployment-reads.js';
import { raiseHpaFloor, restoreHpaFloor } from './hpa-floor.js';
import { deploymentCall, dryRunParam, type KubeClients } from './kube-clients.js';

import { SCALED_FROM_ANNOTATION } from './state-annotations.js';

export { SCALED_FROM_ANNOTATION };

/** What {@link SCALED_FROM_ANNOTATION} holds. */
interface ScaleMemory {
  /** Replicas before the episode's first scale-up. */
  replicas: number;
  /** Replicas autoheal set last. */
  to: number;
}

/** The remembered scale-up, or `undefined` when there is none (or it cannot be read). */
export function scaleMemoryOf(deployment: V1Deployment): ScaleMemory | undefined {
  const text = deployment.metadata?.annotations?.[SCALED_FROM_ANNOTATION];
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<ScaleMemory>;
    return Number.isInteger(value.replicas) && Number.isInteger(value.to) ? { replicas: value.replicas!, to: value.to! } : undefined;
  } catch {
    return undefined;
  }
}

async function patchScale(clients: KubeClients, target: TargetRef, replicas: number, options: { resourceVersion?: string; dryRun: boolean; signal?: AbortSignal }) {
  const body = { ...(options.resourceVersion ? { metadata: { resourceVersion: options.resourceVersion } } : {}), spec: { replicas } };
  return callApi(deploymentCall(target, 'patch', 'deployments/scale'), options.signal, () =>
    clients.apps.patchNamespacedDeploymentScale(
      { name: target.name, namespace: target.namespace, body, fieldManager: clients.fieldManager, dryRun: dryRunParam(options.dryRun) },
      clients.request(options.signal, PatchStrategy.MergePatch),
    ),
  );
}

async function patchMemory(clients: KubeClients, target: TargetRef, memory: ScaleMemory | null, resourceVersion: string | undefined, signal?: AbortSignal): Promise<V1Deployment> {
  const body = { metadata: { ...(resourceVersion ? { resourceVersion } : {}), annotations: { [SCALED_FROM_ANNOTATION]: memory && JSON.stringify(memory) } } };
  return callApi(deploymentCall(target, 'patch'), signal, () =>
    clients.apps.patchNamespacedDeployment(
      { name: target.name, namespace: target.namespace, body, fieldManager: clients.fieldManager },
      clients.request(signal, PatchStrategy.MergePatch),
    ),
  );
}

/** Scales `spec.replicas` up to the planned count through `/scale`, remembering where it started. */
export async function applyScale(context: ApplyContext, operation: HealOperationOf<'scale'>): Promise<OperationResultOf<'scale'>> {
  const { clients, target, dryRun, signal } = context;
  const { details } = operation;
  if (details.noop) return { op: 'scale', ok: true, message: operation.description, details };
  const { to } = details;
  return context.writeDeployment('scale', async (deployment, resourceVersion) => {
    // Something else (a person, another controller) may have scaled since the plan: never scale down.
    const currentReplicas = deployment.spec?.replicas ?? 0;
    if (currentReplicas >= to) {
      return {
        op: 'scale',
        ok: true,
        message: `deployment/${target.name} already has ${currentReplicas} replicas (planned ${to}): left as is`,
        details: { ...details, replicas: currentReplicas, noop: true },
      };
    }
    let precondition = resourceVersion;
    if (!dryRun) {
      // Remembered before scaling, so a crash in between cannot leave an extra replica nobody undoes.
      const memory = { replicas: scaleMemoryOf(deployment)?.replicas ?? currentReplicas, to };
      const annotated = await patchMemory(clients, target, memory, resourceVersion, signal);
      context.updated(annotated);
      context.checkFence('scale', annotated);
      if (precondition) precondition = annotated.metadata?.resourceVersion;
    }
    const scale = await patchScale(clients, target, to, { ...(precondition ? { resourceVersion: precondition } : {}), dryRun, ...(signal ? { signal } : {}) });
    return {
      op: 'scale',
      ok: true,
      message: dryRun
        ? `would scale deployment/${target.name} ${details.from} → ${to} (server-side dry-run accepted it)`
        : `scaled deployment/${target.name} ${details.from} → ${scale.spec?.replicas ?? to} replicas`,
      details: { ...details, replicas: scale.spec?.replicas },
    };
  });
}

/** Raises the HPA's `minReplicas` to the planned floor. */
export async function applyScaleHpa(context: ApplyContext, operation: HealOperationOf<'scale-hpa'>): Promise<OperationResultOf<'scale-hpa'>> {
  const { clients, target, dryRun, signal } = context;
  const { details } = operation;
  if (details.noop) return { op: 'scale-hpa', ok: true, message: operation.description, details };
  context.checkFence('HPA floor', await context.deployment());
  const updated = await raiseHpaFloor(clients, target, details.hpa, details.to, dryRun, signal);
  return {
    op: 'scale-hpa',
    ok: true,
    message: dryRun
      ? `would raise HPA ${details.hpa} minReplicas ${details.from} → ${details.to} (server-side dry-run accepted it)`
      : `raised HPA ${details.hpa} minReplicas ${details.from} → ${updated.spec?.minReplicas ?? details.to}`,
    details: { ...details, minReplicas: updated.spec?.minReplicas },
  };
}

/**
 * Puts back what this episode's scale-ups changed: the Deployment's replica count (only when it is
 * still the count autoheal set) and the HPA's floor. Resolves with what was done, in words, or
 * `undefined` when there was nothing to undo.
 */
export async function undoScaleUp(
  clients: KubeClients,
  reads: DeploymentReads,
  target: TargetRef,
  options: { hpaAware: boolean; fence?: ActionFence; signal?: AbortSignal },
): Promise<string | undefined> {
  const { signal } = options;
  const done: string[] = [];
  const fenced = () => {
    const why = options.fence?.check();
    return why === undefined ? undefined : [...done, `scale-up not undone: ${why}`].join('; ');
  };
  const deployment = await reads.deployment(target, signal);
  const memory = scaleMemoryOf(deployment);
  if (memory) {
    const stopped = fenced();
    if (stopped) return stopped;
    const now = deployment.spec?.replicas ?? 0;
    if (now === memory.to && memory.replicas < now) {
      await patchScale(clients, target, memory.replicas, { ...(deployment.metadata?.resourceVersion ? { resourceVersion: deployment.metadata.resourceVersion } : {}), dryRun: false, ...(signal ? { signal } : {}) });
      done.push(`scaled deployment/${target.name} back ${now} → ${memory.replicas} replicas`);
    } else {
      done.push(`left deployment/${target.name} at ${now} replicas (changed since autoheal scaled it to ${memory.to})`);
    }
    await patchMemory(clients, target, null, undefined, signal);
  }
  if (options.hpaAware) {
    const stopped = fenced();
    if (stopped) return stopped;
    const restored = await restoreHpaFloor(clients, target, signal);
    if (restored) done.push(restored);
  }
  return done.length > 0 ? done.join('; ') : undefined;
}

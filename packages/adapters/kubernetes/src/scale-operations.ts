/**
 * The scale-up operations: the Deployment's `/scale` subresource, or, when an HPA owns the replica
 * count, the HPA's floor (`hpa-floor.ts`). Neither ever lowers a value someone raised between the
 * plan and now.
 */
import type { HealOperationOf, OperationResultOf } from '@autoheal/core';
import { PatchStrategy } from '@kubernetes/client-node';
import { callApi } from './api-call.js';
import type { ApplyContext } from './apply-context.js';
import { raiseHpaFloor } from './hpa-floor.js';
import { deploymentCall, dryRunParam } from './kube-clients.js';

/** Scales `spec.replicas` up to the planned count through `/scale`. */
export async function applyScale(context: ApplyContext, operation: HealOperationOf<'scale'>): Promise<OperationResultOf<'scale'>> {
  const { clients, target, dryRun, signal } = context;
  const { details } = operation;
  if (details.noop) return { op: 'scale', ok: true, message: operation.description, details };
  const { to } = details;
  // Something else (a person, another controller) may have scaled since the plan: never scale down.
  const currentReplicas = (await context.deployment()).spec?.replicas ?? 0;
  if (currentReplicas >= to) {
    return {
      op: 'scale',
      ok: true,
      message: `deployment/${target.name} already has ${currentReplicas} replicas (planned ${to}): left as is`,
      details: { ...details, replicas: currentReplicas, noop: true },
    };
  }
  const scale = await callApi(deploymentCall(target, 'patch', 'deployments/scale'), signal, () =>
    clients.apps.patchNamespacedDeploymentScale(
      { name: target.name, namespace: target.namespace, body: { spec: { replicas: to } }, fieldManager: clients.fieldManager, dryRun: dryRunParam(dryRun) },
      clients.request(signal, PatchStrategy.MergePatch),
    ),
  );
  return {
    op: 'scale',
    ok: true,
    message: dryRun
      ? `would scale deployment/${target.name} ${details.from} → ${to} (server-side dry-run accepted it)`
      : `scaled deployment/${target.name} ${details.from} → ${scale.spec?.replicas ?? to} replicas`,
    details: { ...details, replicas: scale.spec?.replicas },
  };
}

/** Raises the HPA's `minReplicas` to the planned floor. */
export async function applyScaleHpa(context: ApplyContext, operation: HealOperationOf<'scale-hpa'>): Promise<OperationResultOf<'scale-hpa'>> {
  const { clients, target, dryRun, signal } = context;
  const { details } = operation;
  if (details.noop) return { op: 'scale-hpa', ok: true, message: operation.description, details };
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

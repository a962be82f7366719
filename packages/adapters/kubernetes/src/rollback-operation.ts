/**
 * The rollback operation: the JSON Patch `kubectl rollout undo` sends, computed by the plan
 * (`rollback-plan.ts`) and sent as planned; a skipped rollback writes nothing.
 */
import type { HealOperationOf, JsonPatchOperation, OperationResultOf } from '@autoheal/core';
import { PatchStrategy, type V1Deployment } from '@kubernetes/client-node';
import { AUTOHEAL_ANNOTATIONS } from './state-annotations.js';
import { callApi } from './api-call.js';
import type { ApplyContext } from './apply-context.js';
import { deploymentCall, dryRunParam } from './kube-clients.js';

/** The rollback patch with autoheal's own annotations set to their values on `deployment` (absent ones left out). */
export function withCurrentAutohealAnnotations(patch: JsonPatchOperation[], deployment: V1Deployment): JsonPatchOperation[] {
  const now = deployment.metadata?.annotations ?? {};
  return patch.map((operation) => {
    if (operation.path !== '/metadata/annotations' || operation.op !== 'replace' || typeof operation.value !== 'object' || operation.value === null) return operation;
    const annotations = { ...(operation.value as Record<string, string>) };
    for (const key of AUTOHEAL_ANNOTATIONS) {
      if (now[key] === undefined) delete annotations[key];
      else annotations[key] = now[key];
    }
    return { ...operation, value: annotations };
  });
}

/** Rolls back (refused, as kubectl refuses it, when the Deployment was paused since the plan). */
export async function applyRollback(context: ApplyContext, operation: HealOperationOf<'rollback'>): Promise<OperationResultOf<'rollback'>> {
  const { clients, target, dryRun, signal } = context;
  const { details } = operation;
  if ('skip' in details) return { op: 'rollback', ok: true, message: operation.description, details };
  const { patch, ...rest } = details;
  return context.writeDeployment('rollback', async (deployment, resourceVersion) => {
    if (deployment.spec?.paused) {
      return {
        op: 'rollback',
        ok: false,
        message: `you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again`,
      };
    }
    // The plan's annotations are as of the plan; autoheal's own ones are written as they are now,
    // or the rollback would put back the state from before this step's claim.
    const current = withCurrentAutohealAnnotations(patch, deployment);
    // Under a claim, the precondition rides in the JSON Patch: the patched object's resourceVersion
    // must still be the stored one, or the API server answers 409.
    const body = resourceVersion ? [{ op: 'replace' as const, path: '/metadata/resourceVersion', value: resourceVersion }, ...current] : current;
    const updated = await callApi(deploymentCall(target, 'patch'), signal, () =>
      clients.apps.patchNamespacedDeployment(
        { name: target.name, namespace: target.namespace, body, fieldManager: clients.fieldManager, dryRun: dryRunParam(dryRun) },
        clients.request(signal, PatchStrategy.JsonPatch),
      ),
    );
    if (!dryRun) context.updated(updated);
    return {
      op: 'rollback',
      ok: true,
      message: dryRun
        ? `would roll back deployment/${target.name} to revision ${details.revision} (server-side dry-run accepted the patch)`
        : `rolled back deployment/${target.name} to revision ${details.revision} (ReplicaSet ${details.replicaSet})`,
      details: { ...rest, generation: updated.metadata?.generation },
    };
  });
}

/**
 * The restart operation: `kubectl rollout restart`, i.e. a merge patch of the pod template's
 * `restartedAt` annotation, which makes the Deployment controller roll every pod.
 */
import type { HealOperationOf, OperationResultOf } from '@autoheal/core';
import { PatchStrategy } from '@kubernetes/client-node';
import { callApi } from './api-call.js';
import type { ApplyContext } from './apply-context.js';
import { deploymentCall, dryRunParam } from './kube-clients.js';
import { RESTARTED_AT_ANNOTATION } from './rollback-plan.js';

/** The Kubernetes time format `kubectl rollout restart` writes: RFC 3339 in local time, whole seconds. */
export function formatRestartedAt(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const zone = offset === 0 ? 'Z' : `${offset > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${zone}`;
}

/** Restarts the Deployment (refused, as kubectl refuses it, when it was paused since the plan). */
export async function applyRestart(context: ApplyContext, _operation: HealOperationOf<'restart'>): Promise<OperationResultOf<'restart'>> {
  const { clients, target, dryRun, signal } = context;
  return context.writeDeployment('restart', async (deployment, resourceVersion) => {
    if (deployment.spec?.paused) {
      return { op: 'restart', ok: false, message: "can't restart paused deployment (run rollout resume first)" };
    }
    let restartedAt = formatRestartedAt(Date.now());
    // Same value as the last restart (within one second) would be no change and no rollout: make it unique.
    if (deployment.spec?.template?.metadata?.annotations?.[RESTARTED_AT_ANNOTATION] === restartedAt) {
      restartedAt = new Date().toISOString();
    }
    const body = {
      // Under a claim: the precondition that nobody changed the Deployment (its claim included) since it was checked.
      ...(resourceVersion ? { metadata: { resourceVersion } } : {}),
      spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartedAt } } } },
    };
    const updated = await callApi(deploymentCall(target, 'patch'), signal, () =>
      clients.apps.patchNamespacedDeployment(
        { name: target.name, namespace: target.namespace, body, fieldManager: clients.fieldManager, dryRun: dryRunParam(dryRun) },
        clients.request(signal, PatchStrategy.MergePatch),
      ),
    );
    if (!dryRun) context.updated(updated);
    return {
      op: 'restart',
      ok: true,
      message: dryRun
        ? `would restart deployment/${target.name} (server-side dry-run accepted the patch)`
        : `restarted deployment/${target.name} (${RESTARTED_AT_ANNOTATION}=${restartedAt})`,
      details: { restartedAt, generation: updated.metadata?.generation },
    };
  });
}

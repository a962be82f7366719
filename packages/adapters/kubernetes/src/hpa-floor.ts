/**
 * The HPA's floor. When a HorizontalPodAutoscaler targets the Deployment it owns `spec.replicas`
 * and would undo a scale-up, so autoheal raises the HPA's `minReplicas` instead, remembers the
 * user's own value in an annotation the first time, and puts it back when the episode is reset.
 * Every change is a GET, a modification and a PUT carrying the fetched `resourceVersion`, retried on
 * 409, so a concurrent edit of the HPA is never overwritten.
 */
import type { TargetRef } from '@autoheal/core';
import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { callApi, isConflict, type CallDescription } from './api-call.js';
import { dryRunParam, type KubeClients } from './kube-clients.js';

/** Where the HPA's own `minReplicas` is remembered while autoheal has raised it. */
export const ORIGINAL_MIN_REPLICAS_ANNOTATION = 'autoheal.dev/original-min-replicas';

/** The HPA (autoscaling/v2) among `hpas` whose `scaleTargetRef` is the target Deployment. */
export function hpaTargeting(hpas: readonly V2HorizontalPodAutoscaler[], target: TargetRef): V2HorizontalPodAutoscaler | undefined {
  return hpas.find((hpa) => {
    const ref = hpa.spec?.scaleTargetRef;
    return ref?.kind === 'Deployment' && ref.name === target.name && (!ref.apiVersion || ref.apiVersion.startsWith('apps/'));
  });
}

/** Lists the namespace's HPAs and returns the one targeting the Deployment, if any. */
export async function findHpa(clients: KubeClients, target: TargetRef, signal?: AbortSignal): Promise<V2HorizontalPodAutoscaler | undefined> {
  const list = await callApi({ verb: 'list', group: 'autoscaling', resource: 'horizontalpodautoscalers', namespace: target.namespace }, signal, () =>
    clients.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace: target.namespace }, clients.request(signal)),
  );
  return hpaTargeting(list.items, target);
}

/**
 * GET, `modify`, PUT with the fetched resourceVersion; retried on 409. `modify` returns false when
 * there is nothing to change (then nothing is written and the fetched HPA is returned).
 */
async function updateHpa(
  clients: KubeClients,
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
      clients.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: hpaName, namespace: target.namespace }, clients.request(signal)),
    );
    if (!modify(hpa)) return hpa;
    try {
      return await callApi(call('update'), signal, () =>
        clients.autoscaling.replaceNamespacedHorizontalPodAutoscaler(
          { name: hpaName, namespace: target.namespace, body: hpa, fieldManager: clients.fieldManager, dryRun: dryRunParam(dryRun) },
          clients.request(signal),
        ),
      );
    } catch (error) {
      if (!isConflict(error) || attempt >= clients.conflictRetries) throw error;
    }
  }
}

/**
 * Raises the HPA's `minReplicas` to `to` (capped at its `maxReplicas`), remembering the user's floor
 * the first time. Never lowers a floor someone raised since the plan. Returns the HPA as it is after.
 */
export function raiseHpaFloor(
  clients: KubeClients,
  target: TargetRef,
  hpaName: string,
  to: number,
  dryRun: boolean,
  signal?: AbortSignal,
): Promise<V2HorizontalPodAutoscaler> {
  return updateHpa(
    clients,
    target,
    hpaName,
    (hpa) => {
      hpa.metadata ??= {};
      hpa.metadata.annotations ??= {};
      // Remember the user's floor only the first time: later raises must not overwrite it with ours.
      if (hpa.metadata.annotations[ORIGINAL_MIN_REPLICAS_ANNOTATION] === undefined) {
        hpa.metadata.annotations[ORIGINAL_MIN_REPLICAS_ANNOTATION] = String(hpa.spec?.minReplicas ?? 1);
      }
      if (!hpa.spec || (hpa.spec.minReplicas ?? 1) >= to) return false;
      hpa.spec.minReplicas = Math.min(to, hpa.spec.maxReplicas);
      return true;
    },
    dryRun,
    signal,
  );
}

/**
 * Puts back the floor remembered by {@link raiseHpaFloor} and drops the annotation; nothing when
 * autoheal never raised it. Resolves with what was done, in words, or `undefined`.
 */
export async function restoreHpaFloor(clients: KubeClients, target: TargetRef, signal?: AbortSignal): Promise<string | undefined> {
  const hpa = await findHpa(clients, target, signal);
  const remembered = hpa?.metadata?.annotations?.[ORIGINAL_MIN_REPLICAS_ANNOTATION];
  if (!hpa?.metadata?.name || remembered === undefined) return undefined;
  const updated = await updateHpa(
    clients,
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
  return `HPA ${hpa.metadata.name} minReplicas back to ${updated.spec?.minReplicas ?? remembered}`;
}

/**
 * The ladder state on the Deployment (`state-annotations.ts` says which annotations and how they
 * read): read with one GET (which also gives the rollout, for the rollout guard); written as a merge
 * patch that carries the fetched `resourceVersion` as a precondition, so a concurrent writer makes it
 * a 409 and a retry, never a lost update. A conditional write (`expected`) compares the stored state
 * with the expected one on every try and gives up with `STATE_CONFLICT` when another writer changed
 * it: that is how a step is claimed. Clearing the state also puts back an HPA floor autoheal raised
 * and forgets a remembered scale-up.
 */
import { HealingError, sameHealingState, type CallOptions, type HealingState, type TargetRef, type TargetStatus, type WriteStateOptions } from '@autoheal/core';
import { PatchStrategy } from '@kubernetes/client-node';
import { callApi, isConflict } from './api-call.js';
import type { DeploymentReads } from './deployment-reads.js';
import { restoreHpaFloor } from './hpa-floor.js';
import type { SharedDeploymentRead } from './shared-deployment-read.js';
import { deploymentCall, type KubeClients } from './kube-clients.js';
import { annotationsForState, SCALED_FROM_ANNOTATION, stateFromAnnotations } from './state-annotations.js';
import { workloadStatusOf } from './workload-status.js';

const COMPONENT = 'kubernetes';

/** The Healer's state methods. */
export interface StateStore {
  readState(target: TargetRef, options?: CallOptions): Promise<HealingState>;
  readTarget(target: TargetRef, options?: CallOptions): Promise<TargetStatus>;
  writeState(target: TargetRef, state: HealingState | null, options?: WriteStateOptions): Promise<void>;
}

/** The annotation changes that turn `current` into `wanted` (`null` deletes); empty when there are none. */
export function annotationChanges(current: Record<string, string>, wanted: Record<string, string | null>): Record<string, string | null> {
  const changes: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(wanted)) {
    if (value === null ? key in current : current[key] !== value) changes[key] = value;
  }
  return changes;
}

/** Creates the state store. `hpaAware` also restores an HPA floor when the state is cleared. */
export function createStateStore(clients: KubeClients, reads: DeploymentReads, settings: { hpaAware: boolean }, shared?: SharedDeploymentRead): StateStore {
  async function readState(target: TargetRef, options?: CallOptions): Promise<HealingState> {
    const deployment = await reads.deployment(target, options?.signal);
    return stateFromAnnotations(deployment.metadata?.annotations);
  }

  async function readTarget(target: TargetRef, options?: CallOptions): Promise<TargetStatus> {
    // The pause source's GET moments ago, when it made one (`shared-deployment-read.ts` says why that is safe).
    const deployment = shared ? await shared.take(target, options?.signal) : await reads.deployment(target, options?.signal);
    return { state: stateFromAnnotations(deployment.metadata?.annotations), workload: workloadStatusOf(deployment) };
  }

  async function writeState(target: TargetRef, state: HealingState | null, options?: WriteStateOptions): Promise<void> {
    const signal = options?.signal;
    // Clearing the state ends the episode: a remembered scale-up is forgotten too (not undone).
    const wanted = state === null ? { ...annotationsForState(null), [SCALED_FROM_ANNOTATION]: null } : annotationsForState(state);
    for (let attempt = 0; ; attempt++) {
      const deployment = await reads.deployment(target, signal);
      const current = stateFromAnnotations(deployment.metadata?.annotations);
      if (options?.expected && !sameHealingState(current, options.expected)) {
        throw new HealingError(`the ladder state of ${target.namespace}/${target.name} changed since it was read (another writer); not written`, {
          component: COMPONENT,
          code: 'STATE_CONFLICT',
          details: { current },
        });
      }
      const changes = annotationChanges(deployment.metadata?.annotations ?? {}, wanted);
      if (Object.keys(changes).length === 0) break;
      // The resourceVersion in the patch body is a precondition: a concurrent writer makes this a 409, not a lost update.
      const body = { metadata: { resourceVersion: deployment.metadata?.resourceVersion, annotations: changes } };
      try {
        await callApi(deploymentCall(target, 'patch'), signal, () =>
          clients.apps.patchNamespacedDeployment(
            { name: target.name, namespace: target.namespace, body, fieldManager: clients.fieldManager },
            clients.request(signal, PatchStrategy.MergePatch),
          ),
        );
        break;
      } catch (error) {
        if (!isConflict(error) || attempt >= clients.conflictRetries) throw error;
      }
    }
    if (state === null && settings.hpaAware) await restoreHpaFloor(clients, target, signal);
  }

  return { readState, readTarget, writeState };
}

/**
 * Reads. A step is planned from one view of the cluster: the Deployment and only what its kind
 * needs (its ReplicaSets, its pods, the HPA), each fetched once and passed down. `plan-step.ts` says
 * what it needs ({@link viewNeeds}) and computes the plan from the view without I/O.
 */
import type { HealStep, TargetRef } from '@autoheal/core';
import type { V1Deployment, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { callApi } from './api-call.js';
import { findHpa } from './hpa-floor.js';
import { deploymentCall, type KubeClients } from './kube-clients.js';
import { viewNeeds, type StepView } from './plan-step.js';
import { controlledReplicaSets, labelSelectorString } from './rollback-plan.js';

/** The reads of one healer. */
export interface DeploymentReads {
  /** GETs the target Deployment. */
  deployment(target: TargetRef, signal?: AbortSignal): Promise<V1Deployment>;
  /** The ReplicaSets the Deployment controls (listed by its selector, kept by controller ownerReference). */
  ownedReplicaSets(deployment: V1Deployment, signal?: AbortSignal): Promise<V1ReplicaSet[]>;
  /** Everything `step` is planned from, each object read once. */
  stepView(target: TargetRef, step: HealStep, signal?: AbortSignal): Promise<StepView>;
}

/** Creates the reads. `hpaAware: false` never looks for an HPA. */
export function createDeploymentReads(clients: KubeClients, settings: { hpaAware: boolean }): DeploymentReads {
  async function deployment(target: TargetRef, signal?: AbortSignal): Promise<V1Deployment> {
    return callApi(deploymentCall(target, 'get'), signal, () =>
      clients.apps.readNamespacedDeployment({ name: target.name, namespace: target.namespace }, clients.request(signal)),
    );
  }

  async function ownedReplicaSets(owner: V1Deployment, signal?: AbortSignal): Promise<V1ReplicaSet[]> {
    const namespace = owner.metadata?.namespace ?? '';
    const list = await callApi({ verb: 'list', group: 'apps', resource: 'replicasets', namespace }, signal, () =>
      clients.apps.listNamespacedReplicaSet({ namespace, labelSelector: labelSelectorString(owner.spec?.selector) }, clients.request(signal)),
    );
    return controlledReplicaSets(owner, list.items);
  }

  async function selectedPods(owner: V1Deployment, signal?: AbortSignal): Promise<V1Pod[]> {
    const namespace = owner.metadata?.namespace ?? '';
    const list = await callApi({ verb: 'list', group: '', resource: 'pods', namespace }, signal, () =>
      clients.core.listNamespacedPod({ namespace, labelSelector: labelSelectorString(owner.spec?.selector) }, clients.request(signal)),
    );
    return list.items;
  }

  async function stepView(target: TargetRef, step: HealStep, signal?: AbortSignal): Promise<StepView> {
    const fetched = await deployment(target, signal);
    const needs = viewNeeds(step, fetched, settings);
    const view: StepView = { deployment: fetched };
    // In the order the plan uses them, so a missing permission is reported for the first one needed.
    if (needs.replicaSets) view.replicaSets = await ownedReplicaSets(fetched, signal);
    if (needs.pods) view.pods = await selectedPods(fetched, signal);
    if (needs.hpa) view.hpa = (await findHpa(clients, target, signal)) ?? null;
    return view;
  }

  return { deployment, ownedReplicaSets, stepView };
}

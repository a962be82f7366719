/**
 * The Kubernetes Healer: restarts (as `kubectl rollout restart`), scales (HPA-aware), clears caches
 * in ready pods over exec, rolls back (as `kubectl rollout undo`), keeps the ladder state in the
 * Deployment's annotations and records Events where `kubectl describe` shows them.
 *
 * This file is the wiring only; each job has its module (the package README's "How it is built"):
 * one view of the cluster per step (`deployment-reads.ts`) → a typed plan without I/O
 * (`plan-step.ts`) → the operations applied in order (`apply-plan.ts` and one module per kind) →
 * the step's Event (`event-writer.ts`, the only writer of Events). The pause marks
 * (`pause-marks.ts`) share the evaluation's read of the Deployment with the state read.
 */
import {
  parseWithSchema,
  healStepSchema,
  type CallOptions,
  type DecisionRecord,
  type Healer,
  type HealOutcome,
  type HealPlan,
  type HealStep,
  type HealingIntent,
  type ActionFence,
  type TargetRef,
} from '@autoheal/core';
import type { KubeConfig } from '@kubernetes/client-node';
import { createPlanApplier } from './apply-plan.js';
import { createDeploymentReads } from './deployment-reads.js';
import { createEventWriter } from './event-writer.js';
import { createKubeClients } from './kube-clients.js';
import { loadKubeConfig } from './kube-config.js';
import { createOperatorQueries, type DeploymentSummary, type RevisionInfo } from './operator-queries.js';
import { kubernetesHealerOptionsSchema, type KubernetesHealerOptions, type ResolvedKubernetesHealerOptions } from './options.js';
import { createPauseMarks, type KubernetesPauses } from './pause-marks.js';
import { planStep } from './plan-step.js';
import { createSharedDeploymentRead } from './shared-deployment-read.js';
import { undoScaleUp } from './scale-operations.js';
import { createStateStore } from './state-store.js';
import { findStepEvent } from './step-evidence.js';

const COMPONENT = 'kubernetes';

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
  /**
   * The operators' pause marks (`autoheal.dev/paused` on the Deployment, or on the pause ConfigMap
   * for every target): pass it to the pipeline as `pauses`. Its reads share the evaluation's GET of
   * the Deployment with `readTarget`.
   */
  readonly pauses: KubernetesPauses;
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
  const config: ResolvedKubernetesHealerOptions = parseWithSchema(kubernetesHealerOptionsSchema, options, COMPONENT, 'invalid Kubernetes healer options');
  const kubeConfig = loadKubeConfig(config);
  const clients = createKubeClients(kubeConfig, config);
  const reads = createDeploymentReads(clients, config);
  const events = createEventWriter(clients, reads, { component: config.eventSource, reportingInstance: config.reportingInstance }, { circuitEventIntervalMs: config.circuitEventIntervalMs });
  // The pause source's GET of the Deployment is the one the state read right after it uses.
  const shared = createSharedDeploymentRead(reads, { maxAgeMs: 2_000 });
  const state = createStateStore(clients, reads, config, shared);
  const pauses = createPauseMarks(clients, shared, { namespace: config.pauseNamespace, configMapName: config.pauseConfigMapName, globalPauseCacheMs: config.globalPauseCacheMs });
  const apply = createPlanApplier({ clients, reads, events, execOutputLimit: config.execOutputLimit });

  async function plan(target: TargetRef, stepInput: HealStep, attempt: number, callOptions?: CallOptions): Promise<HealPlan> {
    const step = parseWithSchema(healStepSchema, stepInput, COMPONENT, 'invalid heal step', 'INPUT_INVALID');
    return planStep(target, await reads.stepView(target, step, callOptions?.signal), step, attempt);
  }

  const operator = createOperatorQueries({ clients, reads, plan, apply, settings: config });

  return {
    name: 'kubernetes',
    kubeConfig,
    readState: state.readState,
    readTarget: state.readTarget,
    writeState: state.writeState,
    plan,
    apply,
    recordDecision: (record: DecisionRecord, callOptions?: CallOptions) => events.recordDecision(record, callOptions?.signal),
    findStep: (target: TargetRef, intent: HealingIntent, callOptions?: CallOptions) => findStepEvent(clients, reads, target, intent, callOptions?.signal),
    undoScaleUp: (target: TargetRef, callOptions?: CallOptions & { fence?: ActionFence }) =>
      undoScaleUp(clients, reads, target, { hpaAware: config.hpaAware, ...(callOptions?.fence ? { fence: callOptions.fence } : {}), ...(callOptions?.signal ? { signal: callOptions.signal } : {}) }),
    listRevisions: operator.listRevisions,
    rollback: operator.rollback,
    getDeploymentSummary: operator.getDeploymentSummary,
    pauses,
    async close() {
      // client-node keeps no long-lived connections that need closing; present for the Healer contract.
    },
  };
}

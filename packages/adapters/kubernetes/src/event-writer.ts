/**
 * The one writer of autoheal's Events. Which Event goes with what is decided in `events.ts`
 * (`stepEvent`, `decisionEvent`); every Event is created here, by {@link EventWriter.recordStep}
 * for an applied step (the step's own record, so `apply` alone, as the operator's rollback and SDK
 * users call it, leaves one) and by {@link EventWriter.recordDecision} for the decisions that have
 * one. Dry-run writes none.
 */
import type { DecisionRecord, HealPlan, OperationResultOf } from '@autoheal/core';
import type { V1Deployment } from '@kubernetes/client-node';
import { callApi } from './api-call.js';
import type { DeploymentReads } from './deployment-reads.js';
import { buildDeploymentEvent, decisionEvent, stepEvent, type EventKind } from './events.js';
import type { KubeClients } from './kube-clients.js';

/** Who the Events say wrote them. */
export interface EventSource {
  /** `source.component` / `reportingComponent` ("From" in `kubectl describe`). */
  component: string;
  reportingInstance: string;
}

/** What {@link EventWriter.recordStep} needs to know about an applied step. */
export interface AppliedStep {
  plan: HealPlan;
  /** Whether every operation succeeded. */
  ok: boolean;
  /** The outcome's message; it becomes the Event's message. */
  message: string;
  dryRun: boolean;
  /** The Deployment as the step left it (read at most once by the step). */
  deployment: () => Promise<V1Deployment>;
  signal?: AbortSignal;
}

/** Writes every Event autoheal records. */
export interface EventWriter {
  /**
   * Records the Event of an applied step and reports it as the plan's `event` operation. Never
   * throws: the step happened, so a missing Event is reported in the result, not turned into a failure.
   */
  recordStep(step: AppliedStep): Promise<OperationResultOf<'event'>>;
  /** Records the Event of `record`, when its decision has one (see `decisionEvent`). */
  recordDecision(record: DecisionRecord, signal?: AbortSignal): Promise<void>;
}

/**
 * Creates the Event writer. `circuitEventIntervalMs`: at most one `AutohealCircuitOpen` per target
 * in that time (a storm evaluates every target every round; one Event says it).
 */
export function createEventWriter(clients: KubeClients, reads: DeploymentReads, source: EventSource, limits: { circuitEventIntervalMs: number } = { circuitEventIntervalMs: 600_000 }): EventWriter {
  const lastCircuitEvent = new Map<string, number>();
  async function write(deployment: V1Deployment, kind: EventKind, message: string, signal?: AbortSignal): Promise<void> {
    const namespace = deployment.metadata?.namespace ?? 'default';
    const body = buildDeploymentEvent({
      deployment,
      type: kind.type,
      reason: kind.reason,
      message,
      component: source.component,
      reportingInstance: source.reportingInstance,
      now: Date.now(),
    });
    await callApi({ verb: 'create', group: '', resource: 'events', namespace }, signal, () =>
      clients.core.createNamespacedEvent({ namespace, body }, clients.request(signal)),
    );
  }

  async function recordStep(step: AppliedStep): Promise<OperationResultOf<'event'>> {
    const kind = stepEvent(step.plan.step.kind, step.ok);
    if (step.dryRun) return { op: 'event', ok: true, message: `would record Event ${kind.reason} (not written in dry-run)` };
    if (step.signal?.aborted) return { op: 'event', ok: false, message: `Event ${kind.reason} not recorded: aborted` };
    try {
      await write(await step.deployment(), kind, step.message, step.signal);
      return { op: 'event', ok: true, message: `recorded Event ${kind.reason}` };
    } catch (error) {
      return { op: 'event', ok: true, message: `could not record Event ${kind.reason}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  async function recordDecision(record: DecisionRecord, signal?: AbortSignal): Promise<void> {
    const kind = decisionEvent(record);
    if (!kind) return;
    if (kind.reason === 'AutohealCircuitOpen') {
      const key = `${record.target.namespace}/${record.target.name}`;
      const now = Date.now();
      if (now - (lastCircuitEvent.get(key) ?? Number.NEGATIVE_INFINITY) < limits.circuitEventIntervalMs) return;
      lastCircuitEvent.set(key, now);
    }
    await write(await reads.deployment(record.target, signal), kind, record.summary, signal);
  }

  return { recordStep, recordDecision };
}

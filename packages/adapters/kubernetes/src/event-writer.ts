/**
 * The one writer of autoheal's Events. Which Event goes with what is decided in `events.ts`
 * (`stepEvent`, `decisionEvent`); every Event is created here, by {@link EventWriter.recordStep}
 * for an applied step (the step's own record, so `apply` alone, as the operator's rollback and SDK
 * users call it, leaves one) and by {@link EventWriter.recordDecision} for the decisions that have
 * one. Dry-run writes none. The messages are `event-message.ts`'s.
 *
 * A step's Event is written by `apply`, before the pipeline has built the decision record of that
 * step; when the record arrives, {@link EventWriter.recordDecision} completes that same Event with
 * the record (its id, risk, diagnosis and signals) instead of writing a second one, so each step stays
 * one Event (the circuit breaker of the operator commands counts them).
 *
 * Completing is idempotent, because a write can land while its answer is lost: `apply`'s create may
 * time out after the API server stored the Event, and the delivery queue retries a completion whose
 * patch timed out after it was applied. So the Event is always looked for first (one already tied to
 * this record means done; an untied one of this step and attempt is completed) and written only when
 * none exists. Seen in the chaos suite on a loaded machine as two step Events for one attempt.
 */
import type { DecisionRecord, HealPlan, OperationResultOf } from '@autoheal/core';
import { PatchStrategy, type CoreV1Event, type V1Deployment } from '@kubernetes/client-node';
import { callApi } from './api-call.js';
import type { DeploymentReads } from './deployment-reads.js';
import { DECISION_ID_ANNOTATION, eventMessage } from './event-message.js';
import { buildDeploymentEvent, decisionEvent, deploymentEventSelector, stepEvent, type EventKind } from './events.js';
import type { KubeClients } from './kube-clients.js';

const STEP_EVENT_RECORDED = 'recorded Event ';

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
  async function write(deployment: V1Deployment, kind: EventKind, message: string, signal?: AbortSignal, record?: DecisionRecord): Promise<void> {
    const namespace = deployment.metadata?.namespace ?? 'default';
    const body = buildDeploymentEvent({
      deployment,
      type: kind.type,
      reason: kind.reason,
      message: eventMessage(message, record),
      component: source.component,
      reportingInstance: source.reportingInstance,
      now: Date.now(),
      ...(record ? { annotations: { [DECISION_ID_ANNOTATION]: record.id } } : {}),
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
      return { op: 'event', ok: true, message: `${STEP_EVENT_RECORDED}${kind.reason}` };
    } catch (error) {
      return { op: 'event', ok: true, message: `could not record Event ${kind.reason}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  /**
   * Completes the step's own Event with its record: the newest Event of that step and attempt not yet
   * tied to a record (even when `apply` reported it unwritten: its answer may have been lost). When
   * none exists, it is written now.
   */
  async function completeStepEvent(record: DecisionRecord, step: AppliedStepRecord, signal?: AbortSignal): Promise<void> {
    const deployment = await reads.deployment(record.target, signal);
    const namespace = record.target.namespace;
    const message = eventMessage(step.headline, record);
    const own = await findStepEvent(deployment, step, record.id, signal);
    if (own === 'completed') return;
    if (!own?.metadata?.name) return write(deployment, step.kind, step.headline, signal, record);
    const name = own.metadata.name;
    const body = { message, metadata: { annotations: { [DECISION_ID_ANNOTATION]: record.id } } };
    await callApi({ verb: 'patch', group: '', resource: 'events', namespace, name }, signal, () =>
      clients.core.patchNamespacedEvent({ name, namespace, body }, clients.request(signal, PatchStrategy.MergePatch)),
    );
  }

  /**
   * The step's Event for `recordId`: `'completed'` when one is already tied to that record, else the
   * newest Event of that step and attempt not yet tied to any record (`apply`'s), else none.
   */
  async function findStepEvent(deployment: V1Deployment, step: AppliedStepRecord, recordId: string, signal?: AbortSignal): Promise<CoreV1Event | 'completed' | undefined> {
    const namespace = deployment.metadata?.namespace ?? 'default';
    const list = await callApi({ verb: 'list', group: '', resource: 'events', namespace }, signal, () =>
      clients.core.listNamespacedEvent({ namespace, fieldSelector: deploymentEventSelector(deployment) }, clients.request(signal)),
    );
    const time = (event: CoreV1Event) => new Date((event.lastTimestamp ?? event.firstTimestamp ?? 0) as unknown as string).getTime() || 0;
    const ofStep = list.items.filter(
      (event) => event.reason === step.kind.reason && event.reportingComponent === source.component && (event.message ?? '').includes(`(attempt ${step.attempt})`),
    );
    if (ofStep.some((event) => event.metadata?.annotations?.[DECISION_ID_ANNOTATION] === recordId)) return 'completed';
    return ofStep.filter((event) => event.metadata?.annotations?.[DECISION_ID_ANNOTATION] === undefined).sort((a, b) => time(b) - time(a))[0];
  }

  async function recordDecision(record: DecisionRecord, signal?: AbortSignal): Promise<void> {
    const step = appliedStepOf(record);
    if (step) return completeStepEvent(record, step, signal);
    const kind = decisionEvent(record);
    if (!kind) return;
    if (kind.reason === 'AutohealCircuitOpen') {
      const key = `${record.target.namespace}/${record.target.name}`;
      const now = Date.now();
      if (now - (lastCircuitEvent.get(key) ?? Number.NEGATIVE_INFINITY) < limits.circuitEventIntervalMs) return;
      lastCircuitEvent.set(key, now);
    }
    await write(await reads.deployment(record.target, signal), kind, record.summary, signal, record);
  }

  return { recordStep, recordDecision };
}

/** The step Event a `heal` record's applied step has (or should have had). */
interface AppliedStepRecord {
  kind: EventKind;
  attempt: number;
  /** The step's outcome message: the Event's headline. */
  headline: string;
}

/** The applied step of `record`, when its plan records an Event; dry-run records none. */
function appliedStepOf(record: DecisionRecord): AppliedStepRecord | undefined {
  const action = record.action;
  const outcome = action?.outcome;
  if (record.decision !== 'heal' || record.dryRun || !action || !outcome || outcome.dryRun) return undefined;
  const result = outcome.results.find((r) => r.op === 'event');
  if (!result) return undefined;
  return { kind: stepEvent(action.step, outcome.ok), attempt: action.plan.attempt, headline: outcome.message };
}

/**
 * Which Event autoheal records for what, and its shape: core/v1 Events built the way client-go's
 * recorder does, so `kubectl describe deployment` lists them. Pure; `event-writer.ts` writes them.
 */
import type { DecisionRecord, HealStepKind } from '@autoheal/core';
import type { CoreV1Event, V1Deployment } from '@kubernetes/client-node';

/** Event reasons this healer records. */
export type AutohealEventReason =
  | 'AutohealRestart'
  | 'AutohealCacheClear'
  | 'AutohealRollback'
  | 'AutohealScale'
  | 'AutohealKept'
  | 'AutohealHandoff'
  | 'AutohealReset'
  | 'AutohealRefused'
  | 'AutohealFailed'
  | 'AutohealCircuitOpen'
  /** Discovery skips a Deployment whose autoheal annotations are invalid. */
  | 'AutohealInvalidAnnotation';

/** An Event's type and reason. */
export interface EventKind {
  type: 'Normal' | 'Warning';
  reason: AutohealEventReason;
}

/** The reason of the Event every applied step records (type `Warning` when the step failed). */
export function stepEventReason(kind: HealStepKind): AutohealEventReason {
  const reasons: Record<HealStepKind, AutohealEventReason> = { restart: 'AutohealRestart', cache: 'AutohealCacheClear', rollback: 'AutohealRollback', scale: 'AutohealScale' };
  return reasons[kind];
}

/** The Event of an applied step. */
export function stepEvent(kind: HealStepKind, ok: boolean): EventKind {
  return { type: ok ? 'Normal' : 'Warning', reason: stepEventReason(kind) };
}

/**
 * The Event a decision records, if any. Dry-run records none (it changes nothing, Events
 * included); neither do `none`, `awaiting-recheck` and suppressions other than a refusal and the
 * circuit breaker (`AutohealCircuitOpen`, rate-limited by the writer). A `heal`
 * whose step got an outcome has its Event already: the step records it when applied (see
 * {@link stepEvent}), so only a heal that never got an outcome (`AutohealFailed`) gets one here.
 */
export function decisionEvent(record: DecisionRecord): EventKind | undefined {
  if (record.dryRun) return undefined;
  switch (record.decision) {
    case 'heal': {
      const outcome = record.action?.outcome;
      return outcome && !outcome.dryRun ? undefined : { type: 'Warning', reason: 'AutohealFailed' };
    }
    case 'kept':
      return { type: 'Normal', reason: 'AutohealKept' };
    case 'reset':
      return { type: 'Normal', reason: 'AutohealReset' };
    case 'handoff':
      return { type: 'Warning', reason: 'AutohealHandoff' };
    case 'suppressed':
      if (record.suppressedReason === 'refused') return { type: 'Warning', reason: 'AutohealRefused' };
      // The automation has stopped acting on this target: say so where operators look (the writer
      // keeps it to one per target per interval).
      if (record.suppressedReason === 'circuit-open') return { type: 'Warning', reason: 'AutohealCircuitOpen' };
      return undefined;
    default:
      return undefined;
  }
}

/** What goes into one Event. */
export interface EventInput {
  deployment: V1Deployment;
  type: 'Normal' | 'Warning';
  reason: AutohealEventReason;
  message: string;
  component: string;
  reportingInstance: string;
  now: number;
  /** Annotations of the Event (the decision record's id, see `event-message.ts`). */
  annotations?: Record<string, string>;
}

let sequence = 0;

// The apiserver limits an Event message to 1 KiB in practice (events are truncated by the recorder too).
const MAX_MESSAGE = 1024;

/** A core/v1 Event about the Deployment, with the Deployment's uid so describe's field selector finds it. */
export function buildDeploymentEvent(input: EventInput): CoreV1Event {
  const meta = input.deployment.metadata ?? {};
  const name = meta.name ?? 'deployment';
  const namespace = meta.namespace ?? 'default';
  // client-go names events "<object>.<unix nanoseconds in hex>"; a sequence keeps names unique within one ms.
  sequence = (sequence + 1) % 1_000_000;
  const nanos = BigInt(input.now) * 1_000_000n + BigInt(sequence);
  const at = new Date(input.now);
  const message = input.message.length > MAX_MESSAGE ? `${input.message.slice(0, MAX_MESSAGE - 1)}…` : input.message;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${name}.${nanos.toString(16)}`, namespace, ...(input.annotations ? { annotations: input.annotations } : {}) },
    involvedObject: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name,
      namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
    },
    type: input.type,
    reason: input.reason,
    message,
    source: { component: input.component },
    reportingComponent: input.component,
    reportingInstance: input.reportingInstance,
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  };
}

/** The field selector `kubectl describe deployment` uses to find a Deployment's Events. */
export function deploymentEventSelector(deployment: V1Deployment): string {
  const meta = deployment.metadata ?? {};
  return [
    `involvedObject.name=${meta.name ?? ''}`,
    `involvedObject.namespace=${meta.namespace ?? ''}`,
    'involvedObject.kind=Deployment',
    `involvedObject.uid=${meta.uid ?? ''}`,
  ].join(',');
}

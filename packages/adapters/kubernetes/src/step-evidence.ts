/**
 * What the Deployment's Events say about a claimed step whose holder never reported back: the step's
 * own Event (written by `apply` when the step ends, whichever replica ran it) names its attempt.
 * Found and `Normal`: it finished; `Warning`: it ran and failed; none: it was interrupted before it
 * could say (it may have partly run).
 */
import type { HealingIntent, StepEvidence, TargetRef } from '@autoheal/core';
import type { CoreV1Event } from '@kubernetes/client-node';
import { callApi } from './api-call.js';
import type { DeploymentReads } from './deployment-reads.js';
import { deploymentEventSelector, stepEventReason } from './events.js';
import type { KubeClients } from './kube-clients.js';

// Clocks differ a little between machines: an Event may carry a time slightly before the claim.
const CLOCK_SKEW_MS = 60_000;

function eventTime(event: CoreV1Event): number {
  const at = event.lastTimestamp ?? event.firstTimestamp ?? event.eventTime;
  const ms = at instanceof Date ? at.getTime() : Date.parse(String(at ?? ''));
  return Number.isFinite(ms) ? ms : 0;
}

/** The step Event of `intent` among `events` (the newest match), as evidence. Pure. */
export function stepEvidenceFrom(events: readonly CoreV1Event[], intent: HealingIntent): StepEvidence {
  const reason = stepEventReason(intent.step);
  const match = events
    .filter((event) => event.reason === reason && (event.message ?? '').includes(`(attempt ${intent.attempt})`) && eventTime(event) >= intent.startedAt - CLOCK_SKEW_MS)
    .sort((a, b) => eventTime(b) - eventTime(a))[0];
  if (!match) return { found: 'unknown', evidence: `no ${reason} Event for attempt ${intent.attempt} since ${new Date(intent.startedAt).toISOString()}` };
  const evidence = `Event ${reason} at ${new Date(eventTime(match)).toISOString()} from ${match.reportingInstance ?? match.source?.host ?? 'autoheal'}: ${match.message ?? ''}`;
  return { found: match.type === 'Warning' ? 'failed' : 'applied', evidence };
}

/** Reads the Deployment's Events and finds the step of `intent` among them. */
export async function findStepEvent(clients: KubeClients, reads: DeploymentReads, target: TargetRef, intent: HealingIntent, signal?: AbortSignal): Promise<StepEvidence> {
  const deployment = await reads.deployment(target, signal);
  const list = await callApi({ verb: 'list', group: '', resource: 'events', namespace: target.namespace }, signal, () =>
    clients.core.listNamespacedEvent({ namespace: target.namespace, fieldSelector: deploymentEventSelector(deployment) }, clients.request(signal)),
  );
  return stepEvidenceFrom(list.items, intent);
}

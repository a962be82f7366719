/**
 * The ladder steps a process did not take itself, read back from the autoheal Events on the
 * Deployments: the running server's circuit breaker counts its steps in memory, and the Events are
 * what another process (the operator commands) can see of them.
 */
import { targetKey, type TargetRef } from '@autoheal/core';
import type { DeploymentEventInfo, KubernetesHealer } from '@autoheal/adapter-kubernetes';

/** The Event reasons of applied ladder steps: what the circuit breaker counts. */
export const STEP_EVENT_REASONS: readonly string[] = ['AutohealRestart', 'AutohealCacheClear', 'AutohealRollback', 'AutohealScale'];

/** Enough Events per Deployment to see a full circuit-breaker window of steps next to Kept/Reset Events. */
export const EVENTS_PER_DEPLOYMENT = 200;

/** The autoheal Events of one Deployment, most recent first (throws when they cannot be read). */
export async function autohealEventsOf(healer: Pick<KubernetesHealer, 'getDeploymentSummary'>, target: TargetRef): Promise<DeploymentEventInfo[]> {
  const summary = await healer.getDeploymentSummary(target);
  return summary.events.filter((event) => event.reason.startsWith('Autoheal'));
}

/**
 * Times (epoch ms) of the ladder steps recorded as Events on `targets` within the breaker's window.
 * A target whose Events cannot be read counts nothing (and is named in `unreadable`), so the result
 * is a lower bound.
 */
export async function stepTimesFromEvents(
  healer: Pick<KubernetesHealer, 'getDeploymentSummary'>,
  targets: readonly TargetRef[],
  windowMs: number,
  now: number,
): Promise<{ times: number[]; unreadable: string[] }> {
  const times: number[] = [];
  const unreadable: string[] = [];
  const seen = new Set<string>();
  for (const target of targets) {
    const key = targetKey(target);
    if (seen.has(key)) continue;
    seen.add(key);
    let events: DeploymentEventInfo[];
    try {
      events = await autohealEventsOf(healer, target);
    } catch {
      unreadable.push(key);
      continue;
    }
    for (const event of events) {
      if (!STEP_EVENT_REASONS.includes(event.reason) || !event.lastSeen) continue;
      const at = Date.parse(event.lastSeen);
      if (at > now - windowMs && at <= now) times.push(at);
    }
  }
  return { times, unreadable };
}

/**
 * The two guards that hold a whole target before the ladder's rules apply, pure like the ladder:
 * another process's claim on the target that is still live (it may be applying a step right now),
 * and a workload that is still starting or rolling out (not judged as failing yet).
 *
 * Why they are separate from the rules table: they answer "may this target be judged at all?",
 * for every kind of request, and the facts they read (a claim's deadline, the rollout) come from
 * the healer rather than from a look.
 */
import type { HealingIntent, HealingState } from '../healing.js';
import type { WorkloadStatus } from '../workload.js';
import type { Decided, LadderRequest } from './ladder.js';
import { isoTime, stepLabel } from './words.js';

/** Whether a claim still counts as in flight at `now` (its holder has until `deadline` to report back). */
export function intentLive(intent: HealingIntent | undefined, now: number): intent is HealingIntent {
  return intent !== undefined && now < intent.deadline;
}

/** The decision for an evaluation that found another process's claim on the target still live. */
export function claimedElsewhere(state: HealingState, intent: HealingIntent, maxAttempts: number, request: LadderRequest): Decided {
  const operator = request.kind !== 'evaluate';
  return {
    decision: 'suppressed',
    suppressedReason: 'in-flight',
    state,
    note: `${stepLabel(intent.attempt, maxAttempts, intent.step)} was claimed by ${intent.holder} at ${isoTime(intent.startedAt)} and is still in flight (until ${isoTime(intent.deadline)} at the latest)`,
    ...(operator ? { byOperator: true } : {}),
  };
}

/**
 * Why the rollout guard holds judgement, or `undefined`. A workload that is rolling out (a new
 * version replacing the old one) or still starting (its first version, never complete yet, younger
 * than its progress deadline and not yet available) is not judged as failing: its pods are not
 * ready yet and its restart counters still carry the old pods'. A stalled rollout (no progress
 * within the deadline) is judged, and so is a young workload that was complete once and degrades.
 */
export function rolloutGuard(workload: WorkloadStatus | undefined, now: number): string | undefined {
  if (!workload || workload.stalled) return undefined;
  const availability = `${workload.availableReplicas}/${workload.desiredReplicas} available`;
  if (workload.updating) return `rolling out (${availability}); judged once the rollout completes or stalls`;
  const { createdAt, progressDeadlineMs } = workload;
  // Starting: the first version, never complete yet, within its progress deadline. A young workload
  // that was available once and degrades since is judged.
  if (workload.firstRollout && createdAt !== undefined && progressDeadlineMs !== undefined && now - createdAt < progressDeadlineMs && workload.availableReplicas < workload.desiredReplicas) {
    return `still starting (created ${Math.round((now - createdAt) / 1000)} s ago, ${availability}, progress deadline ${Math.round(progressDeadlineMs / 1000)} s)`;
  }
  return undefined;
}

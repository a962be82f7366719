/**
 * The ladder state on the Deployment's own metadata: `healing.attempt` (the original project's
 * annotation, still read alone when that is all there is) and the rest of `HealingState` as JSON.
 * Never on the pod template: a template change starts a rollout.
 */
import { healingStateSchema, type HealingState } from '@autoheal/core';

/** The attempt count, as the original project's script wrote it. */
export const ATTEMPT_ANNOTATION = 'healing.attempt';
/** The rest of the state (`lastActionAt`, `lastStep`, `healthySince`, ...), as JSON. */
export const STATE_ANNOTATION = 'autoheal.dev/healing-state';
/** Where the replica count before the episode's first scale-up is remembered (`scale-operations.ts`). */
export const SCALED_FROM_ANNOTATION = 'autoheal.dev/scaled-from';
/**
 * The Deployment's own annotations that autoheal keeps for itself: a rollback never takes them from
 * an old ReplicaSet (like kubectl's skip list), and always writes their values as they are when it
 * is applied — the state may have changed since the plan (the step's own claim was written since).
 */
export const AUTOHEAL_ANNOTATIONS: readonly string[] = [ATTEMPT_ANNOTATION, STATE_ANNOTATION, SCALED_FROM_ANNOTATION];

/**
 * Reads the state from annotations. A missing or unreadable `healing.attempt` counts as 0 (hand-edited
 * values such as `"two"` must not crash the loop); an unreadable JSON annotation is ignored.
 */
export function stateFromAnnotations(annotations: Record<string, string> | undefined): HealingState {
  const attemptText = annotations?.[ATTEMPT_ANNOTATION]?.trim();
  const attempt = attemptText && /^\d+$/.test(attemptText) ? Number.parseInt(attemptText, 10) : 0;
  let rest: Partial<HealingState> = {};
  const json = annotations?.[STATE_ANNOTATION];
  if (json) {
    try {
      const parsed = healingStateSchema.partial().safeParse(JSON.parse(json));
      if (parsed.success) rest = parsed.data;
    } catch {
      // A hand-edited or truncated value: keep the attempt count, drop the rest.
    }
  }
  // Every field but the attempt comes from the JSON; `healing.attempt` stays the source of truth for the count.
  const { attempt: _ignored, ...fields } = rest;
  const state: HealingState = { ...fields, attempt };
  return state;
}

/** The two annotation values for a state (`null` values delete them in a merge patch). */
export function annotationsForState(state: HealingState | null): Record<string, string | null> {
  if (state === null) return { [ATTEMPT_ANNOTATION]: null, [STATE_ANNOTATION]: null };
  const { attempt, ...rest } = state;
  return {
    [ATTEMPT_ANNOTATION]: String(attempt),
    [STATE_ANNOTATION]: Object.keys(rest).length > 0 ? JSON.stringify(rest) : null,
  };
}

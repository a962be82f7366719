/**
 * Holds: the reasons autoheal keeps its hands off a target while still looking at it. A target is
 * held while an operator paused it (a mark read through a {@link PauseSource}), while everything is
 * paused (`policy.pause`, or a global mark of the source), or during a maintenance window. A held target is
 * still collected, scored and recorded; no step is taken and no ladder state is written (the
 * ladder's `paused` / `maintenance` suppressions, `pipeline/pause-rule.ts`).
 *
 * Facts only; the rule that reads them is pure. Where the pause marks live is the business of the
 * {@link PauseSource} the pipeline is given (the Kubernetes adapter's reads the `autoheal.dev/paused`
 * annotation of the Deployment and of autoheal's pause ConfigMap).
 */
import { z } from 'zod';

/** Who paused: this one target, or every target. */
export const pauseScopeSchema = z.enum(['target', 'global']);
export type PauseScope = z.output<typeof pauseScopeSchema>;

/** One pause in force. */
export const pauseMarkSchema = z.object({
  scope: pauseScopeSchema,
  /** Why, in the operator's words. */
  reason: z.string().optional(),
  /** Who paused, when the source knows. */
  by: z.string().optional(),
  /** Epoch ms of the pause, when known. */
  since: z.number().optional(),
  /** Epoch ms the pause ends by itself (`autoheal pause --until`); from then on it no longer holds. */
  until: z.number().optional(),
  /** Where the mark is, e.g. `annotation autoheal.dev/paused on deployment prod/web`, `config policy.pause`. */
  source: z.string(),
});
export type PauseMark = z.output<typeof pauseMarkSchema>;

/**
 * What keeps a target held, as the record shows it:
 * - `paused`: a pause mark (`scope` target or global);
 * - `pause-unknown`: the pause marks could not be read, so autoheal acts as if paused (it never acts
 *   against an operator's pause it cannot see);
 * - `maintenance`: a maintenance window is in force until `until`.
 */
export const holdSchema = z.discriminatedUnion('kind', [
  pauseMarkSchema.extend({ kind: z.literal('paused') }),
  z.object({ kind: z.literal('pause-unknown'), reason: z.string() }),
  z.object({ kind: z.literal('maintenance'), window: z.string(), until: z.number() }),
]);
export type Hold = z.output<typeof holdSchema>;

/** What a {@link PauseSource} reports for a target: its pauses, or why they could not be read. */
export interface PauseStatus {
  /** Pauses in force (target and global); empty when none. */
  pauses: PauseMark[];
  /** Set when the pause marks could not be read: the target is then held (`pause-unknown`). */
  unavailable?: string;
}

/** The hold words for records, Slack and `autoheal status`. */
export function describeHold(hold: Hold): string {
  switch (hold.kind) {
    case 'paused': {
      const who = hold.scope === 'global' ? 'every target is paused' : 'paused';
      const details = [
        hold.by ? `by ${hold.by}` : undefined,
        hold.since !== undefined ? `since ${new Date(hold.since).toISOString()}` : undefined,
        hold.until !== undefined ? `until ${new Date(hold.until).toISOString()}` : undefined,
        hold.reason ? `reason: ${hold.reason}` : undefined,
      ].filter(Boolean);
      return `${who} (${hold.source}${details.length > 0 ? `; ${details.join(', ')}` : ''})`;
    }
    case 'pause-unknown':
      return `the pause marks could not be read (${hold.reason}); acting as if paused`;
    case 'maintenance':
      return `maintenance window "${hold.window}" until ${new Date(hold.until).toISOString()}`;
  }
}

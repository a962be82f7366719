/**
 * The wire contract of what holds a target, as the server shows it per target (`hold` in
 * `GET /api/targets` and `GET /api/targets/{namespace}/{name}`): a pause, unreadable pause marks, a
 * maintenance window, or a rollout in progress that kept an at-risk target from being judged.
 * Declared once here: the server builds it with {@link targetHoldOf} from the target's newest
 * record, and the dashboard imports the type (types only; its own mirror of `targetHoldOf`, for
 * live records, is tested against this one).
 */
import { z } from 'zod';
import type { DecisionRecord } from './decision.js';
import { pauseScopeSchema } from './pause.js';

/** The kinds of hold, most specific first. */
export const targetHoldKindSchema = z.enum(['paused', 'pause-unknown', 'maintenance', 'rolling-out']);
export type TargetHoldKind = z.output<typeof targetHoldKindSchema>;

/** What holds one target now; `null` on the wire when nothing does. */
export const targetHoldSchema = z.strictObject({
  kind: targetHoldKindSchema,
  /** `paused`: this target alone, or every target. */
  scope: pauseScopeSchema.optional(),
  /** The operator's reason (paused), why the marks could not be read (pause-unknown), the window's name (maintenance), the rollout (rolling-out). */
  reason: z.string().optional(),
  /** Who paused, when known. */
  by: z.string().optional(),
  /** Epoch ms the pause began, when known. */
  since: z.number().optional(),
  /** Epoch ms the hold ends by itself (a pause's `--until`, the maintenance window's end). */
  until: z.number().optional(),
  /** Where the pause mark is (`annotation autoheal.dev/paused on deployment prod/web`, `config policy.pause`). */
  source: z.string().optional(),
});
export type TargetHold = z.output<typeof targetHoldSchema>;

/** The words of a `rolling-out` hold. */
export const ROLLING_OUT_REASON = 'still starting or rolling out: not judged until the rollout completes or stalls';

/**
 * What held the target at `record`'s evaluation: its first hold (most specific), else `rolling-out`
 * when the rollout guard kept it from being judged, else `null`.
 */
export function targetHoldOf(record: Pick<DecisionRecord, 'holds' | 'suppressedReason'> | null): TargetHold | null {
  if (!record) return null;
  const hold = record.holds?.[0];
  if (hold) {
    switch (hold.kind) {
      case 'paused': {
        const { kind, scope, reason, by, since, until, source } = hold;
        return { kind, scope, source, ...(reason !== undefined ? { reason } : {}), ...(by !== undefined ? { by } : {}), ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) };
      }
      case 'pause-unknown':
        return { kind: 'pause-unknown', reason: hold.reason };
      case 'maintenance':
        return { kind: 'maintenance', reason: hold.window, until: hold.until };
    }
  }
  return record.suppressedReason === 'rolling-out' ? { kind: 'rolling-out', reason: ROLLING_OUT_REASON } : null;
}

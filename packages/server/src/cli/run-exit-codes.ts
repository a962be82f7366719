/**
 * Exit codes of `autoheal run`, for CI pipelines. With several targets the highest code wins.
 *
 * | code | meaning |
 * |---|---|
 * | 0 | every target healthy, or healed and kept |
 * | 1 | usage or configuration error (nothing was evaluated) |
 * | 2 | unexpected runtime error |
 * | 10 | dry-run: a healing step would have run |
 * | 20 | still at risk after the whole ladder (handoff: a human is needed), or a step failed |
 * | 30 | unknown: a signal was missing or the model failed, so nothing was judged |
 * | 40 | a safety rule held a due step back (cooldown, circuit breaker, refused, in flight, not the leader, a pause or maintenance window) |
 */
import type { DecisionRecord } from '@autoheal/core';

export const RUN_EXIT = { ok: 0, usage: 1, error: 2, dryRun: 10, atRisk: 20, unknown: 30, suppressed: 40 } as const;

export function exitCodeFor(record: DecisionRecord): number {
  if (record.action?.outcome && !record.action.outcome.ok && !record.action.outcome.dryRun) return RUN_EXIT.atRisk;
  switch (record.decision) {
    case 'none':
    case 'kept':
    case 'reset':
      return RUN_EXIT.ok;
    case 'handoff':
      return RUN_EXIT.atRisk;
    case 'heal':
    case 'awaiting-recheck':
      // runOnce only stops on these when it was aborted: the outcome is not known.
      return RUN_EXIT.atRisk;
    case 'suppressed':
      switch (record.suppressedReason) {
        case 'unknown':
          return RUN_EXIT.unknown;
        case 'dry-run':
          return RUN_EXIT.dryRun;
        case 'recovered':
          return RUN_EXIT.ok;
        case 'ceiling-reached':
          return RUN_EXIT.atRisk;
        default:
          return RUN_EXIT.suppressed;
      }
  }
}

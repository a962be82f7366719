/**
 * Which steps could not help: the benchmark's definition of a **wrong action**.
 *
 * A step is judged by what it did (its operation results, not its name) against the causes in place
 * on the workload right before it ran (the sandbox's ground truth, `faultCausesPresent`):
 * - what it did, as remedies: a successful `restart` → restart; a `scale` or `scale-hpa` that raised
 *   the replicas or the HPA floor → scale-out; an `exec` that ran in at least one pod → cache clear;
 *   a `rollback` that was not skipped → rollback;
 * - the remedies of each cause: the sandbox's `faultRemedies` (a leak: restart; cache bloat: cache
 *   clear; CPU saturation: scale-out; a bad release, bad config or OOM release: rollback; a failing
 *   dependency: nothing).
 *
 * The step is **wrong** when no cause was in place (a healthy workload, before the onset, after a
 * cause went away by itself, or after an earlier step removed it) or when none of its remedies
 * addresses a cause in place. A right-kind step that was too small (one more replica under a
 * fivefold spike) is not wrong here; its shortfall shows in breach-minutes and in the next steps.
 */
import type { HealOutcome } from '@autoheal/core';
import { faultRemedies, type FaultType, type Remedy } from '@autoheal/sandbox';

/** What a step did, as remedies, from its operation results. */
export function remediesOf(outcome: HealOutcome | undefined): Remedy[] {
  const found = new Set<Remedy>();
  for (const result of outcome?.results ?? []) {
    if (!result.ok) continue;
    switch (result.op) {
      case 'restart':
        found.add('restart');
        break;
      case 'scale':
      case 'scale-hpa':
        if (result.details && !result.details.noop && result.details.to > result.details.from) found.add('scale-out');
        break;
      case 'exec':
        if (result.details?.results?.some((pod) => pod.ok)) found.add('clear-cache');
        break;
      case 'rollback':
        if (result.details && !('skip' in result.details && result.details.skip)) found.add('rollback');
        break;
      default:
        break;
    }
  }
  return [...found];
}

/** Whether a step with these remedies could help with these causes (see the module comment). */
export function couldHelp(remedies: readonly Remedy[], causes: readonly FaultType[]): boolean {
  return causes.some((cause) => faultRemedies[cause].some((remedy) => remedies.includes(remedy)));
}

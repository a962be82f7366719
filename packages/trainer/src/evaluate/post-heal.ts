/**
 * The model after a heal: the question the ladder asks at its re-check ("still at risk?"). A sample
 * after the heal is *at risk* when a breach starts within the horizon after it or it lies inside a
 * breach; otherwise the workload is fine and a warning there is a false positive (autoheal would
 * escalate or hand off a workload that is already healthy).
 */
import type { Episode } from '../dataset/episode.js';
import type { EpisodeScorer } from './evaluate-episodes.js';

/** Counts for one group of post-heal samples. */
export interface PostHealCounts {
  episodes: number;
  /** Samples not at risk, and how many of them the scorer flags (false positives). */
  notAtRisk: number;
  notAtRiskFlagged: number;
  /** Samples at risk (positive or in breach), and how many the scorer flags. */
  atRisk: number;
  atRiskFlagged: number;
}

/** One row of the post-heal table. */
export interface PostHealRow {
  /** `correct` (the right action for the fault) or `wrong`. */
  heal: 'correct' | 'wrong';
  /** `recheck` (the samples from the re-check delay to one minute after it) or `all` (every sample after the heal). */
  window: 'recheck' | 'all';
  counts: PostHealCounts;
}

/** Options of {@link evaluatePostHeal}. */
export interface PostHealOptions {
  threshold: number;
  /** The ladder's re-check delay. @default 120000 (the policy default) */
  recheckDelayMs?: number;
}

/** Post-heal behaviour of `scorer` on the healed episodes among `episodes`. */
export function evaluatePostHeal(episodes: readonly Episode[], scorer: EpisodeScorer, options: PostHealOptions): PostHealRow[] {
  const recheckDelayMs = options.recheckDelayMs ?? 120_000;
  const rows: PostHealRow[] = [];
  for (const heal of ['correct', 'wrong'] as const) {
    const healed = episodes.filter((e) => e.heal !== null && e.heal.correct === (heal === 'correct'));
    const scores = healed.map((episode) => scorer(episode));
    for (const window of ['recheck', 'all'] as const) {
      const counts: PostHealCounts = { episodes: healed.length, notAtRisk: 0, notAtRiskFlagged: 0, atRisk: 0, atRiskFlagged: 0 };
      healed.forEach((episode, k) => {
        const at = (episode.heal as { at: number }).at;
        episode.times.forEach((t, i) => {
          const inWindow = window === 'all' ? t > at : t >= at + recheckDelayMs && t < at + recheckDelayMs + 60_000;
          if (!inWindow) return;
          const label = episode.labels[i];
          const flagged = ((scores[k] as number[])[i] as number) >= options.threshold;
          if (label?.label === 1 || label?.inBreach) {
            counts.atRisk++;
            if (flagged) counts.atRiskFlagged++;
          } else {
            counts.notAtRisk++;
            if (flagged) counts.notAtRiskFlagged++;
          }
        });
      });
      rows.push({ heal, window, counts });
    }
  }
  return rows;
}

/**
 * Evaluates a scorer on held-out episodes, honestly: prediction metrics use only samples outside
 * ongoing breaches (those are reported separately as detection); events are breaches; a warning
 * counts only if it comes at least `minWarningMs` before the breach starts.
 */
import type { Episode } from '../dataset/episode.js';
import {
  brierScore,
  brierSkillScore,
  prAuc,
  quantile,
  reliabilityTable,
  rocAuc,
  thresholdStats,
  type ReliabilityBin,
  type ThresholdStats,
} from './metrics.js';

/** Scores every sample of an episode (probabilities, or any score for baselines). */
export type EpisodeScorer = (episode: Episode) => number[];

/** Options of {@link evaluateEpisodes}. */
export interface EvaluationOptions {
  threshold: number;
  /** @default 5 minutes */
  horizonMs?: number;
  /** A warning later than this before the breach does not count. @default 30 s */
  minWarningMs?: number;
  /** @default 15 s */
  intervalMs?: number;
  /** Probabilities (true) get Brier and reliability; baseline scores do not. @default true */
  probabilistic?: boolean;
}

/** Event-level results for a group of episodes. */
export interface EventStats {
  episodes: number;
  /** Breaches with at least `minWarningMs` of recorded history before them. */
  events: number;
  /** Events with a warning in `[start - horizon, start - minWarning]`. */
  warned: number;
  recall: number;
  /** Lead time per event (ms): from the first warning in the horizon window to the breach; 0 when missed. */
  leadTimesMs: number[];
  medianLeadMs: number;
  p10LeadMs: number;
  /** Median over warned events only. */
  medianLeadWarnedMs: number;
}

/** Everything the model card reports for one scorer. */
export interface EpisodeEvaluation {
  threshold: number;
  samples: number;
  positives: number;
  prevalence: number;
  rocAuc: number;
  prAuc: number;
  brier: number | null;
  brierSkill: number | null;
  reliability: ReliabilityBin[] | null;
  atThreshold: ThresholdStats;
  /** Sample-level false-positive rate on healthy episodes (trained traffic scales). */
  healthyFalsePositiveRate: number;
  /** The same on healthy episodes at traffic scales never trained on. */
  otherScaleFalsePositiveRate: number;
  /** Warnings (threshold crossings) not followed by a breach within the horizon, per workload-day. */
  falseAlarmsPerWorkloadDay: { healthy: number; otherScale: number; all: number };
  events: EventStats;
  eventsByKind: Record<string, EventStats>;
  /** In-breach samples and how many the scorer flags (detection, not prediction). */
  detection: { samples: number; flagged: number; rate: number };
}

function eventStats(episodes: Episode[], scores: Map<string, number[]>, threshold: number, horizonMs: number, minWarningMs: number): EventStats {
  const leads: number[] = [];
  let events = 0;
  let warned = 0;
  for (const episode of episodes) {
    const episodeScores = scores.get(episode.id) as number[];
    const first = episode.times[0];
    const last = episode.times[episode.times.length - 1];
    if (first === undefined || last === undefined) continue;
    for (const breach of episode.breaches) {
      if (breach.start - minWarningMs < first || breach.start > last) continue;
      events++;
      let firstWarning: number | undefined;
      for (let i = 0; i < episode.times.length; i++) {
        const t = episode.times[i] as number;
        if (t < breach.start - horizonMs || t >= breach.start) continue;
        if (episode.labels[i]?.inBreach) continue;
        if ((episodeScores[i] as number) >= threshold) {
          firstWarning = t;
          break;
        }
      }
      const lead = firstWarning === undefined ? 0 : breach.start - firstWarning;
      if (lead >= minWarningMs) warned++;
      leads.push(lead >= minWarningMs ? lead : 0);
    }
  }
  const warnedLeads = leads.filter((lead) => lead > 0);
  return {
    episodes: episodes.length,
    events,
    warned,
    recall: events === 0 ? Number.NaN : warned / events,
    leadTimesMs: leads,
    medianLeadMs: quantile(leads, 0.5),
    p10LeadMs: quantile(leads, 0.1),
    medianLeadWarnedMs: quantile(warnedLeads, 0.5),
  };
}

function falseAlarmRate(episodes: Episode[], scores: Map<string, number[]>, threshold: number, horizonMs: number, intervalMs: number): number {
  let alarms = 0;
  let samples = 0;
  for (const episode of episodes) {
    const episodeScores = scores.get(episode.id) as number[];
    let above = false;
    for (let i = 0; i < episode.times.length; i++) {
      samples++;
      if (episode.labels[i]?.inBreach) {
        above = false;
        continue;
      }
      const warn = (episodeScores[i] as number) >= threshold;
      if (warn && !above) {
        const t = episode.times[i] as number;
        const followed = episode.breaches.some((b) => b.start > t && b.start - t <= horizonMs);
        if (!followed) alarms++;
      }
      above = warn;
    }
  }
  const days = (samples * intervalMs) / 86_400_000;
  return days === 0 ? Number.NaN : alarms / days;
}

function predictionSamples(episodes: Episode[], scores: Map<string, number[]>) {
  const s: number[] = [];
  const y: number[] = [];
  for (const episode of episodes) {
    const episodeScores = scores.get(episode.id) as number[];
    episode.labels.forEach((label, i) => {
      if (label.inBreach) return;
      s.push(episodeScores[i] as number);
      y.push(label.label);
    });
  }
  return { s, y };
}

/** Evaluates `scorer` on `episodes` (all held out) at `options.threshold`. */
export function evaluateEpisodes(episodes: Episode[], scorer: EpisodeScorer, options: EvaluationOptions): EpisodeEvaluation {
  const horizonMs = options.horizonMs ?? 5 * 60_000;
  const minWarningMs = options.minWarningMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 15_000;
  const probabilistic = options.probabilistic ?? true;
  const threshold = options.threshold;
  const scores = new Map(episodes.map((episode) => [episode.id, scorer(episode)]));
  const { s, y } = predictionSamples(episodes, scores);
  const positives = y.reduce((a, b) => a + b, 0);
  const prevalence = y.length === 0 ? Number.NaN : positives / y.length;

  const healthy = episodes.filter((e) => e.kind === 'healthy');
  const otherScale = episodes.filter((e) => e.kind === 'healthy-other-scale');
  const healthySamples = predictionSamples(healthy, scores);
  const otherScaleSamples = predictionSamples(otherScale, scores);

  let inBreach = 0;
  let flagged = 0;
  for (const episode of episodes) {
    const episodeScores = scores.get(episode.id) as number[];
    episode.labels.forEach((label, i) => {
      if (!label.inBreach) return;
      inBreach++;
      if ((episodeScores[i] as number) >= threshold) flagged++;
    });
  }

  const kinds = [...new Set(episodes.map((e) => e.kind))].sort();
  const eventsByKind: Record<string, EventStats> = {};
  for (const kind of kinds) eventsByKind[kind] = eventStats(episodes.filter((e) => e.kind === kind), scores, threshold, horizonMs, minWarningMs);

  return {
    threshold,
    samples: y.length,
    positives,
    prevalence,
    rocAuc: rocAuc(s, y),
    prAuc: prAuc(s, y),
    brier: probabilistic ? brierScore(s, y) : null,
    brierSkill: probabilistic ? brierSkillScore(s, y, prevalence) : null,
    reliability: probabilistic ? reliabilityTable(s, y) : null,
    atThreshold: thresholdStats(s, y, threshold),
    healthyFalsePositiveRate: thresholdStats(healthySamples.s, healthySamples.y, threshold).falsePositiveRate,
    otherScaleFalsePositiveRate: thresholdStats(otherScaleSamples.s, otherScaleSamples.y, threshold).falsePositiveRate,
    falseAlarmsPerWorkloadDay: {
      healthy: falseAlarmRate(healthy, scores, threshold, horizonMs, intervalMs),
      otherScale: falseAlarmRate(otherScale, scores, threshold, horizonMs, intervalMs),
      all: falseAlarmRate(episodes, scores, threshold, horizonMs, intervalMs),
    },
    events: eventStats(episodes, scores, threshold, horizonMs, minWarningMs),
    eventsByKind,
    detection: { samples: inBreach, flagged, rate: inBreach === 0 ? Number.NaN : flagged / inBreach },
  };
}

/**
 * The operating point, chosen on validation episodes only: the threshold with the best sample-level
 * F1 among those whose false-positive rate on healthy episodes is at most `maxHealthyFpr`.
 */
export function tuneThreshold(episodes: Episode[], scorer: EpisodeScorer, maxHealthyFpr: number): number {
  const scores = new Map(episodes.map((episode) => [episode.id, scorer(episode)]));
  const { s, y } = predictionSamples(episodes, scores);
  const healthy = predictionSamples(episodes.filter((e) => e.kind === 'healthy'), scores);
  // A 0.001 grid for probabilities plus 500 quantiles of the scores (for baselines on other scales)
  // keeps the sweep linear in the number of samples.
  const sorted = [...s].sort((a, b) => a - b);
  const quantiles = Array.from({ length: 500 }, (_, i) => sorted[Math.floor((i * sorted.length) / 500)] as number);
  const grid = Array.from({ length: 999 }, (_, i) => (i + 1) / 1000);
  const candidates = [...new Set([...grid, ...quantiles.filter((v) => v > 0)])].sort((a, b) => a - b);
  let best = { threshold: 0.5, f1: -1 };
  for (const threshold of candidates) {
    if (thresholdStats(healthy.s, healthy.y, threshold).falsePositiveRate > maxHealthyFpr) continue;
    const stats = thresholdStats(s, y, threshold);
    const f1 = stats.truePositives === 0 ? 0 : (2 * stats.precision * stats.recall) / (stats.precision + stats.recall);
    if (f1 > best.f1) best = { threshold, f1 };
  }
  return best.threshold;
}

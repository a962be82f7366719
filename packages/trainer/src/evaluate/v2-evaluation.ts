/**
 * Model v2's evaluation, in the terms of its targets (issue 14), on held-out episodes:
 *
 * - ranking: ROC-AUC and PR-AUC on every sample with the v2 label (a breach now or within the
 *   horizon), and separately on prediction samples only (outside breaches, label = a breach starts
 *   within the horizon) and detection (inside breaches: how many are flagged);
 * - gradual faults (`faultPace` gradual): the first breach after the fault's onset is an event; it is
 *   warned when a sample in `[start − horizon, start − minWarning]` outside a breach scores at or above
 *   the threshold; the lead is from the first such sample to the breach;
 * - sudden faults: the *first failing scrape* is the first sample from the onset on whose scraped
 *   signals violate the objective (ready ratio below its minimum or error ratio above its maximum, the
 *   breach rule applied to what was scraped); the event is flagged on time when the evaluation of that
 *   same scrape scores at or above the threshold;
 * - false alarms: on healthy episodes, a warning (a rise to or above the threshold) at a sample with
 *   no breach now or within the horizon, per workload-day of healthy samples, overall and per group
 *   (big services, 20+ replicas with their rolling updates, HPA shapes, held-out shapes).
 */
import { faultPace, type FaultType } from '@autoheal/sandbox';
import type { V2Episode } from '../dataset/v2-dataset.js';
import { brierScore, prAuc, quantile, reliabilityTable, rocAuc, type ReliabilityBin } from './metrics.js';

/** Options of {@link evaluateV2}. */
export interface V2EvaluationOptions {
  threshold: number;
  /** @default 5 minutes */
  horizonMs?: number;
  /** @default 30 s */
  minWarningMs?: number;
  /** @default 15 s */
  intervalMs?: number;
}

/** Ranking figures on one set of samples. */
export interface RankingStats {
  samples: number;
  positives: number;
  rocAuc: number;
  prAuc: number;
  /** At the threshold. */
  recall: number;
  precision: number;
}

/** Gradual faults: early warning of the first breach. */
export interface GradualStats {
  episodes: number;
  events: number;
  warned: number;
  recall: number;
  /** Lead per event (0 when not warned), median and 10th percentile. */
  medianLeadMs: number;
  p10LeadMs: number;
}

/** Sudden faults: flagged at the first failing scrape. */
export interface SuddenStats {
  episodes: number;
  /** Episodes with a failing scrape after the onset. */
  events: number;
  /** Flagged by the evaluation of the first failing scrape. */
  onTime: number;
  rate: number;
  /** Flagged at some later evaluation while the episode lasts (beyond `onTime`). */
  late: number;
  /** Median evaluations from the first failing scrape to the first flag, over flagged events. */
  medianDelayEvaluations: number;
}

/** False alarms on a group of healthy episodes. */
export interface FalseAlarmStats {
  name: string;
  episodes: number;
  alarms: number;
  days: number;
  perDay: number;
  /** Healthy episodes whose ground truth had a breach anyway (a swing that saturated them). */
  withBreach: number;
  /** The episodes that raised alarms, most first (so a figure can be traced to its scenarios). */
  byEpisode: Array<{ id: string; alarms: number }>;
}

/** Everything the v2 card reports. */
export interface V2Evaluation {
  threshold: number;
  all: RankingStats;
  prediction: RankingStats;
  detection: { samples: number; flagged: number; rate: number };
  brier: number;
  reliability: ReliabilityBin[];
  gradual: Record<string, GradualStats>;
  sudden: Record<string, SuddenStats>;
  falseAlarms: FalseAlarmStats[];
}

/** Scores per episode id. */
export type V2Scores = ReadonlyMap<string, readonly number[]>;

function ranking(s: number[], y: number[], threshold: number): RankingStats {
  let tp = 0;
  let fp = 0;
  let positives = 0;
  s.forEach((score, i) => {
    positives += y[i] as number;
    if (score >= threshold) (y[i] === 1 ? tp++ : fp++);
  });
  return { samples: s.length, positives, rocAuc: rocAuc(s, y), prAuc: prAuc(s, y), recall: positives === 0 ? Number.NaN : tp / positives, precision: tp + fp === 0 ? Number.NaN : tp / (tp + fp) };
}

/** Whether an episode's family is gradual or sudden (`null` for healthy). */
export function paceOf(kind: string): 'gradual' | 'sudden' | null {
  return kind in faultPace ? faultPace[kind as FaultType] : null;
}

/** Warnings not followed by a breach within the horizon, on one episode. */
export function countFalseAlarms(episode: V2Episode, scores: readonly number[], threshold: number): number {
  let alarms = 0;
  let above = false;
  episode.labels.forEach((label, i) => {
    const warn = (scores[i] as number) >= threshold;
    if (warn && !above && label.label === 0) alarms++;
    above = warn;
  });
  return alarms;
}

function falseAlarmGroup(name: string, episodes: V2Episode[], scores: V2Scores, threshold: number, intervalMs: number): FalseAlarmStats {
  let alarms = 0;
  let samples = 0;
  const byEpisode: FalseAlarmStats['byEpisode'] = [];
  for (const episode of episodes) {
    const count = countFalseAlarms(episode, scores.get(episode.id) ?? [], threshold);
    alarms += count;
    if (count > 0) byEpisode.push({ id: episode.id, alarms: count });
    samples += episode.times.length;
  }
  byEpisode.sort((a, b) => b.alarms - a.alarms || (a.id < b.id ? -1 : 1));
  const days = (samples * intervalMs) / 86_400_000;
  return { name, episodes: episodes.length, alarms, days, perDay: days === 0 ? Number.NaN : alarms / days, withBreach: episodes.filter((e) => e.breaches.length > 0).length, byEpisode };
}

/** Healthy groups the targets name. */
export function healthyGroups(episodes: readonly V2Episode[]): Array<[string, V2Episode[]]> {
  const healthy = episodes.filter((e) => e.kind === 'healthy');
  return [
    ['every healthy workload', healthy],
    ['big services (≥ 1,000 req/s)', healthy.filter((e) => e.requestsPerSecond >= 1000)],
    ['20+ replicas (their rolling updates included)', healthy.filter((e) => e.replicas >= 20)],
    ['behind an HPA (scale events)', healthy.filter((e) => e.hpa)],
    ['under 1 req/s', healthy.filter((e) => e.requestsPerSecond < 1)],
    ['held-out shapes', healthy.filter((e) => e.heldOut.shape)],
  ];
}

/** Evaluates precomputed scores on held-out v2 episodes. */
export function evaluateV2(episodes: readonly V2Episode[], scores: V2Scores, options: V2EvaluationOptions): V2Evaluation {
  const { threshold } = options;
  const horizonMs = options.horizonMs ?? 5 * 60_000;
  const minWarningMs = options.minWarningMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 15_000;
  const all = { s: [] as number[], y: [] as number[] };
  const prediction = { s: [] as number[], y: [] as number[] };
  let inBreach = 0;
  let flagged = 0;
  const gradualLeads = new Map<string, { episodes: number; leads: number[]; warned: number }>();
  const sudden = new Map<string, { episodes: number; events: number; onTime: number; late: number; delays: number[] }>();

  for (const episode of episodes) {
    const s = scores.get(episode.id) ?? [];
    episode.labels.forEach((label, i) => {
      const score = s[i] as number;
      all.s.push(score);
      all.y.push(label.label);
      if (label.inBreach) {
        inBreach++;
        if (score >= threshold) flagged++;
      } else {
        prediction.s.push(score);
        prediction.y.push(label.label);
      }
    });
    const pace = paceOf(episode.kind);
    if (pace === null || episode.faultOnset === null) continue;
    const onset = episode.faultOnset;
    if (pace === 'gradual') {
      const group = gradualLeads.get(episode.kind) ?? { episodes: 0, leads: [], warned: 0 };
      gradualLeads.set(episode.kind, group);
      group.episodes++;
      const first = episode.times[0] as number;
      const last = episode.times[episode.times.length - 1] as number;
      const breach = episode.breaches.find((b) => b.end >= onset);
      if (!breach || breach.start - minWarningMs < first || breach.start > last) continue;
      let lead = 0;
      for (let i = 0; i < episode.times.length; i++) {
        const t = episode.times[i] as number;
        if (t < breach.start - horizonMs || t >= breach.start || episode.labels[i]?.inBreach) continue;
        if ((s[i] as number) >= threshold) {
          lead = breach.start - t;
          break;
        }
      }
      if (lead >= minWarningMs) group.warned++;
      group.leads.push(lead >= minWarningMs ? lead : 0);
    } else {
      const group = sudden.get(episode.kind) ?? { episodes: 0, events: 0, onTime: 0, late: 0, delays: [] };
      sudden.set(episode.kind, group);
      group.episodes++;
      const firstFailing = episode.times.findIndex((t, i) => t >= onset && episode.violating[i]);
      if (firstFailing === -1) continue;
      group.events++;
      const firstFlag = s.findIndex((score, i) => i >= firstFailing && score >= threshold);
      if (firstFlag === firstFailing) group.onTime++;
      else if (firstFlag !== -1) group.late++;
      if (firstFlag !== -1) group.delays.push(firstFlag - firstFailing);
    }
  }

  const gradual: Record<string, GradualStats> = {};
  for (const [kind, group] of [...gradualLeads].sort(([a], [b]) => a.localeCompare(b))) {
    gradual[kind] = {
      episodes: group.episodes,
      events: group.leads.length,
      warned: group.warned,
      recall: group.leads.length === 0 ? Number.NaN : group.warned / group.leads.length,
      medianLeadMs: quantile(group.leads, 0.5),
      p10LeadMs: quantile(group.leads, 0.1),
    };
  }
  const suddenStats: Record<string, SuddenStats> = {};
  for (const [kind, group] of [...sudden].sort(([a], [b]) => a.localeCompare(b))) {
    suddenStats[kind] = {
      episodes: group.episodes,
      events: group.events,
      onTime: group.onTime,
      rate: group.events === 0 ? Number.NaN : group.onTime / group.events,
      late: group.late,
      medianDelayEvaluations: quantile(group.delays, 0.5),
    };
  }
  return {
    threshold,
    all: ranking(all.s, all.y, threshold),
    prediction: ranking(prediction.s, prediction.y, threshold),
    detection: { samples: inBreach, flagged, rate: inBreach === 0 ? Number.NaN : flagged / inBreach },
    brier: brierScore(all.s, all.y),
    reliability: reliabilityTable(all.s, all.y),
    gradual,
    sudden: suddenStats,
    falseAlarms: healthyGroups(episodes).map(([name, group]) => falseAlarmGroup(name, group, scores, threshold, intervalMs)),
  };
}

/**
 * The operating point, from tuning episodes only (validation and calibration folds): the lowest
 * threshold at which healthy workloads raise at most `maxAlarmsPerDay` false alarms per workload-day
 * (the lowest such threshold warns earliest on everything else).
 */
export function tuneV2Threshold(episodes: readonly V2Episode[], scores: V2Scores, maxAlarmsPerDay: number, intervalMs = 15_000): number {
  const healthy = episodes.filter((e) => e.kind === 'healthy');
  for (let k = 1; k < 1000; k++) {
    const threshold = k / 1000;
    if (falseAlarmGroup('tuning', healthy, scores, threshold, intervalMs).perDay <= maxAlarmsPerDay) return threshold;
  }
  return 0.999;
}

import { describe, expect, it } from 'vitest';
import { labelSamplesV2, type V2Episode } from '../dataset/v2-dataset.js';
import { evaluateV2, tuneV2Threshold } from './v2-evaluation.js';

const step = 15_000;
const t0 = Date.UTC(2025, 0, 1);

/** An episode of 40 samples; `breach` in sample indices; `violating` from a sample index on. */
function episode(id: string, kind: string, options: { onset?: number; breach?: [number, number]; violatingFrom?: number; replicas?: number } = {}): V2Episode {
  const times = Array.from({ length: 40 }, (_, i) => t0 + i * step);
  const breaches = options.breach ? [{ start: t0 + options.breach[0] * step, end: t0 + options.breach[1] * step }] : [];
  return {
    id,
    scenarioId: id,
    seed: 1,
    fold: 'test',
    kind,
    strength: kind === 'healthy' ? null : 0.5,
    faultOnset: options.onset === undefined ? null : t0 + options.onset * step,
    heldOutShape: false,
    heldOut: { shape: false, family: false, strength: false },
    shape: 'small',
    replicas: options.replicas ?? 3,
    requestsPerSecond: 20,
    hpa: false,
    times,
    features: times.map(() => [0]),
    labels: labelSamplesV2(times, breaches, 5 * 60_000),
    violating: times.map((_, i) => options.violatingFrom !== undefined && i >= options.violatingFrom),
    breaches,
    heal: null,
  };
}

describe('labelSamplesV2', () => {
  it('is positive inside a breach and within the horizon before one, negative otherwise', () => {
    const e = episode('e', 'memory-leak', { breach: [30, 35] });
    // 5 min = 20 samples before the start at 30: samples 10..29 predict, 30..35 are in the breach.
    expect(e.labels.map((l) => l.label).join('')).toBe(`${'0'.repeat(10)}${'1'.repeat(26)}${'0'.repeat(4)}`);
    expect(e.labels[32]).toMatchObject({ inBreach: true, label: 1 });
    expect(e.labels[20]).toMatchObject({ inBreach: false, msToBreach: 10 * step });
  });
});

describe('evaluateV2', () => {
  it('measures the lead before a gradual fault, the first failing scrape of a sudden one, and healthy false alarms', () => {
    const leak = episode('leak', 'memory-leak', { onset: 5, breach: [30, 39] });
    const release = episode('release', 'bad-release', { onset: 10, breach: [11, 39], violatingFrom: 12 });
    const late = episode('late', 'bad-config', { onset: 10, breach: [11, 39], violatingFrom: 12 });
    const healthy = episode('healthy', 'healthy', { replicas: 30 });
    const scores = new Map([
      ['leak', leak.times.map((_, i) => (i >= 22 ? 0.9 : 0.1))], // warned 8 samples (120 s) ahead
      ['release', release.times.map((_, i) => (i >= 12 ? 0.9 : 0.1))], // at the first failing scrape
      ['late', late.times.map((_, i) => (i >= 14 ? 0.9 : 0.1))], // two evaluations late
      ['healthy', healthy.times.map((_, i) => (i === 5 || i === 6 || i === 20 ? 0.9 : 0.1))], // two alarms
    ]);
    const result = evaluateV2([leak, release, late, healthy], scores, { threshold: 0.5 });
    expect(result.gradual['memory-leak']).toMatchObject({ events: 1, warned: 1, recall: 1, medianLeadMs: 120_000 });
    expect(result.sudden['bad-release']).toMatchObject({ events: 1, onTime: 1, rate: 1 });
    expect(result.sudden['bad-config']).toMatchObject({ events: 1, onTime: 0, late: 1, medianDelayEvaluations: 2 });
    const all = result.falseAlarms.find((g) => g.name === 'every healthy workload');
    expect(all).toMatchObject({ episodes: 1, alarms: 2, byEpisode: [{ id: 'healthy', alarms: 2 }] });
    expect(result.falseAlarms.find((g) => g.name.startsWith('20+ replicas'))?.alarms).toBe(2);
  });

  it('tunes the threshold to the lowest with at most the allowed healthy false alarms', () => {
    const healthy = episode('healthy', 'healthy');
    const scores = new Map([['healthy', healthy.times.map((_, i) => (i === 7 ? 0.42 : 0.05))]]);
    expect(tuneV2Threshold([healthy], scores, 0.1)).toBe(0.421);
  });
});

import { describe, expect, it } from 'vitest';
import { brierScore, brierSkillScore, prAuc, quantile, reliabilityTable, rocAuc, thresholdStats } from './metrics.js';

describe('rocAuc', () => {
  it('is 1 for a perfect ranking, 0.5 for ties everywhere, and counts a hand-computed case', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    // Pairs (pos, neg): (0.4 vs 0.1) win, (0.4 vs 0.6) lose, (0.9 vs both) win: 3 of 4.
    expect(rocAuc([0.1, 0.4, 0.6, 0.9], [0, 1, 0, 1])).toBe(0.75);
  });
});

describe('prAuc', () => {
  it('averages precision at each recall step', () => {
    // Ranked: 0.9 (1), 0.6 (0), 0.4 (1), 0.1 (0): AP = (1/2)(1/1) + (1/2)(2/3).
    expect(prAuc([0.1, 0.4, 0.6, 0.9], [0, 1, 0, 1])).toBeCloseTo(0.5 + 1 / 3, 12);
  });
});

describe('brier', () => {
  it('scores squared error and skill against the base rate', () => {
    expect(brierScore([1, 0, 0.5], [1, 0, 1])).toBeCloseTo(0.25 / 3, 12);
    expect(brierSkillScore([0.5, 0.5], [1, 0], 0.5)).toBe(0);
    expect(brierSkillScore([1, 0], [1, 0], 0.5)).toBe(1);
  });
});

describe('reliabilityTable', () => {
  it('bins predictions and reports the observed rate per bin', () => {
    const table = reliabilityTable([0.05, 0.05, 0.95, 0.95], [0, 1, 1, 1]);
    expect(table).toEqual([
      { low: 0, high: 0.1, count: 2, meanPredicted: 0.05, observedRate: 0.5 },
      { low: 0.9, high: 1, count: 2, meanPredicted: 0.95, observedRate: 1 },
    ]);
  });
});

describe('thresholdStats', () => {
  it('counts warnings at or above the threshold', () => {
    expect(thresholdStats([0.2, 0.5, 0.7, 0.1], [0, 1, 0, 1], 0.5)).toMatchObject({ truePositives: 1, falsePositives: 1, trueNegatives: 1, falseNegatives: 1, precision: 0.5, recall: 0.5, falsePositiveRate: 0.5 });
  });
});

describe('quantile', () => {
  it('interpolates', () => {
    expect(quantile([10, 20, 30, 40, 50], 0.5)).toBe(30);
    expect(quantile([0, 100], 0.1)).toBe(10);
  });
});

import { describe, expect, it } from 'vitest';
import { averageOverTime, extrapolatedCounterRate, instantValue, leastSquaresSlope, rangeWindow } from './prometheus-functions.js';

const s = (seconds: number, v: number) => ({ t: seconds * 1000, v });

describe('rangeWindow', () => {
  it('is left-open: a sample exactly range-ago is outside, one at the evaluation time inside', () => {
    const samples = [s(0, 1), s(60, 2), s(120, 3)];
    expect(rangeWindow(samples, 120_000, 120_000).map((x) => x.v)).toEqual([2, 3]);
  });
});

describe('instantValue', () => {
  it('takes the latest sample at or before the evaluation time', () => {
    expect(instantValue([s(0, 1), s(15, 2), s(30, 3)], 20_000)).toBe(2);
  });

  it('is undefined once the latest sample is 5 minutes old (stale)', () => {
    expect(instantValue([s(0, 1)], 299_000)).toBe(1);
    expect(instantValue([s(0, 1)], 300_000)).toBeUndefined();
  });
});

describe('extrapolatedCounterRate', () => {
  it('extrapolates a regular counter to the window start: 10 per 15 s is 0.667/s', () => {
    const samples = [1, 2, 3, 4, 5, 6, 7, 8].map((k) => s(15 * k, 10 * k));
    // delta 70 over 105 s, extended by 15 s to the window start: 70 * 120 / 105 = 80.
    expect(extrapolatedCounterRate(samples, 120_000, 120_000, false)).toBeCloseTo(80, 10);
    expect(extrapolatedCounterRate(samples, 120_000, 120_000, true)).toBeCloseTo(80 / 120, 10);
  });

  it('adds back the value before a counter reset', () => {
    const samples = [s(30, 10), s(45, 20), s(60, 5), s(75, 15)];
    // delta 5 + 20 (reset) = 25 over 45 s, extended by 15 s at the start: 25 * 60 / 45.
    expect(extrapolatedCounterRate(samples, 75_000, 60_000, false)).toBeCloseTo((25 * 60) / 45, 10);
  });

  it('does not extrapolate past the zero point of the counter', () => {
    const samples = [s(30, 1), s(45, 4), s(60, 7)];
    // Gap to start (30 s) exceeds 1.1 x 15 s, so half an interval (7.5 s) would be used; zero is 5 s back.
    expect(extrapolatedCounterRate(samples, 60_000, 60_000, false)).toBeCloseTo((6 * 35) / 30, 10);
  });

  it('extends only half an interval when the series ends well before the window end', () => {
    const samples = [s(15, 100), s(30, 110), s(45, 120)];
    // 15 s to the start (within 1.1 x 15 s) and 75 s to the end (too far: 7.5 s).
    expect(extrapolatedCounterRate(samples, 120_000, 120_000, false)).toBeCloseTo((20 * 52.5) / 30, 10);
  });

  it('has no result with fewer than two samples in the window', () => {
    expect(extrapolatedCounterRate([s(0, 5), s(100, 6)], 120_000, 60_000, true)).toBeUndefined();
  });
});

describe('leastSquaresSlope (deriv)', () => {
  it('is the least-squares slope per second, 0 for a constant series, undefined with one sample', () => {
    // y = 100 + 2x with noise that cancels: slope exactly 2.
    const samples = [s(0, 100), s(10, 121), s(20, 139), s(30, 160)];
    expect(leastSquaresSlope(samples, 30_000, 60_000)).toBeCloseTo(1.98, 10);
    expect(leastSquaresSlope([s(0, 5), s(10, 5)], 10_000, 60_000)).toBe(0);
    expect(leastSquaresSlope([s(0, 5)], 10_000, 60_000)).toBeUndefined();
  });
});

describe('averageOverTime', () => {
  it('averages the samples of the window, which may end in the past (offset)', () => {
    const samples = [s(0, 1), s(10, 2), s(20, 3), s(30, 10)];
    expect(averageOverTime(samples, 20_000, 15_000)).toBe(2.5);
    expect(averageOverTime(samples, 100_000, 15_000)).toBeUndefined();
  });
});

describe('staleness markers', () => {
  it('end an instant selection at once and are skipped by range functions', () => {
    const samples = [s(0, 1), s(15, 2), { t: 30_000, v: Number.NaN, stale: true as const }];
    expect(instantValue(samples, 29_000)).toBe(2);
    expect(instantValue(samples, 31_000)).toBeUndefined();
    expect(rangeWindow(samples, 40_000, 60_000).map((x) => x.v)).toEqual([1, 2]);
  });
});

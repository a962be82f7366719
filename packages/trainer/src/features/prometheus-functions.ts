/**
 * The PromQL evaluation rules the features depend on, re-implemented for sample histories:
 * range and instant selection (Prometheus 3 semantics: windows are left-open, `(t - range, t]`)
 * and the extrapolated `rate` / `increase` of counters.
 */
import type { Sample } from './sample-history.js';

/** Prometheus' default lookback for instant vectors: a series older than this is stale. */
export const LOOKBACK_DELTA_MS = 5 * 60_000;

/** Index of the first sample with `t > bound` (binary search; samples are sorted by time). */
function firstAfter(samples: readonly Sample[], bound: number): number {
  let low = 0;
  let high = samples.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((samples[mid] as Sample).t > bound) high = mid;
    else low = mid + 1;
  }
  return low;
}

/**
 * The samples of a range selector `[rangeMs]` evaluated at `at`: those with `at - rangeMs < t <= at`,
 * without staleness markers (Prometheus drops them from range selections).
 */
export function rangeWindow(samples: readonly Sample[], at: number, rangeMs: number): Sample[] {
  const window = samples.slice(firstAfter(samples, at - rangeMs), firstAfter(samples, at));
  return window.some((sample) => sample.stale) ? window.filter((sample) => !sample.stale) : window;
}

/**
 * The value of an instant selector at `at`: the latest sample with `at - lookback < t <= at`, or
 * `undefined` when the series is stale (no sample in the lookback window, or a staleness marker last).
 */
export function instantValue(samples: readonly Sample[], at: number, lookbackMs = LOOKBACK_DELTA_MS): number | undefined {
  const end = firstAfter(samples, at);
  const last = samples[end - 1];
  if (!last || last.t <= at - lookbackMs || last.stale) return undefined;
  return last.v;
}

/**
 * Prometheus' extrapolated rate for a counter over the window `(at - rangeMs, at]`.
 *
 * - Fewer than two samples in the window: no result (`undefined`).
 * - A drop in value is a counter reset: the value before the drop is added back.
 * - The increase seen between the first and last sample is extrapolated towards the window edges,
 *   but only by up to 1.1× the average sample interval (further gaps mean the series starts or ends
 *   inside the window: then it extends by half an interval), and never below the counter's zero point.
 *
 * Returns the increase over the whole window when `perSecond` is false (`increase()`), or the
 * per-second rate when true (`rate()`).
 */
export function extrapolatedCounterRate(
  samples: readonly Sample[],
  at: number,
  rangeMs: number,
  perSecond: boolean,
): number | undefined {
  const window = rangeWindow(samples, at, rangeMs);
  if (window.length < 2) return undefined;
  const first = window[0] as Sample;
  const last = window[window.length - 1] as Sample;

  let delta = last.v - first.v;
  let previous = 0;
  for (const sample of window) {
    if (sample.v < previous) delta += previous;
    previous = sample.v;
  }

  const rangeStart = at - rangeMs;
  const sampledSeconds = (last.t - first.t) / 1000;
  const averageInterval = sampledSeconds / (window.length - 1);
  const extrapolationLimit = averageInterval * 1.1;

  let toStart = (first.t - rangeStart) / 1000;
  let toEnd = (at - last.t) / 1000;
  if (toStart >= extrapolationLimit) toStart = averageInterval / 2;
  if (delta > 0 && first.v >= 0) {
    // A counter cannot have been below zero: do not extrapolate past the point where it was 0.
    const toZero = sampledSeconds * (first.v / delta);
    if (toZero < toStart) toStart = toZero;
  }
  if (toEnd >= extrapolationLimit) toEnd = averageInterval / 2;

  const factor = (sampledSeconds + toStart + toEnd) / sampledSeconds;
  const increase = delta * factor;
  return perSecond ? increase / (rangeMs / 1000) : increase;
}

/**
 * Prometheus' `deriv()`: the least-squares slope (per second) of the samples in `(at - rangeMs, at]`,
 * with x measured in seconds from the first sample, as `linearRegression` does; `undefined` with
 * fewer than two samples, and 0 when every value is the same (Prometheus' constant-y shortcut).
 */
export function leastSquaresSlope(samples: readonly Sample[], at: number, rangeMs: number): number | undefined {
  const window = rangeWindow(samples, at, rangeMs);
  if (window.length < 2) return undefined;
  const origin = (window[0] as Sample).t;
  const initial = (window[0] as Sample).v;
  let constant = true;
  let n = 0;
  let sumX = 0;
  let sumY = 0;
  let sumXY = 0;
  let sumX2 = 0;
  for (const sample of window) {
    if (sample.v !== initial) constant = false;
    const x = (sample.t - origin) / 1000;
    n += 1;
    sumX += x;
    sumY += sample.v;
    sumXY += x * sample.v;
    sumX2 += x * x;
  }
  if (constant) return 0;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  return covXY / varX;
}

/** Prometheus' `avg_over_time()` over `(at - rangeMs, at]`; `undefined` without samples. */
export function averageOverTime(samples: readonly Sample[], at: number, rangeMs: number): number | undefined {
  const window = rangeWindow(samples, at, rangeMs);
  if (window.length === 0) return undefined;
  let sum = 0;
  for (const sample of window) sum += sample.v;
  return sum / window.length;
}

/**
 * Platt scaling: `p = sigmoid(a * score + b)`, fitted by Newton's method on a fold the trees never
 * saw. With `a > 0` the map is increasing, so it keeps the trees' monotone constraints.
 */
import { sigmoid } from './gbdt.js';

/** A fitted Platt map. */
export interface PlattCalibration {
  method: 'platt';
  a: number;
  b: number;
}

/**
 * Fits `a` and `b` minimising the log loss of `sigmoid(a * scores[i] + b)` against `labels`. Uses
 * Platt's smoothed targets ((positives + 1) / (positives + 2) and 1 / (negatives + 2)) so a
 * perfectly separated fold does not drive `a` to infinity.
 */
export function fitPlatt(scores: ArrayLike<number>, labels: ArrayLike<number>): PlattCalibration {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] as number;
  const negatives = labels.length - positives;
  const high = (positives + 1) / (positives + 2);
  const low = 1 / (negatives + 2);
  let a = 1;
  let b = 0;
  for (let iteration = 0; iteration < 100; iteration++) {
    // Gradient and Hessian of the log loss in (a, b).
    let ga = 0;
    let gb = 0;
    let haa = 1e-12;
    let hab = 0;
    let hbb = 1e-12;
    for (let i = 0; i < labels.length; i++) {
      const s = scores[i] as number;
      const target = (labels[i] as number) === 1 ? high : low;
      const p = sigmoid(a * s + b);
      const d = p - target;
      const w = p * (1 - p);
      ga += d * s;
      gb += d;
      haa += w * s * s;
      hab += w * s;
      hbb += w;
    }
    const determinant = haa * hbb - hab * hab;
    if (Math.abs(determinant) < 1e-18) break;
    const stepA = (hbb * ga - hab * gb) / determinant;
    const stepB = (haa * gb - hab * ga) / determinant;
    a -= stepA;
    b -= stepB;
    if (Math.abs(stepA) < 1e-10 && Math.abs(stepB) < 1e-10) break;
  }
  return { method: 'platt', a, b };
}

/** Applies a Platt map to a raw score. */
export function applyPlatt(calibration: PlattCalibration, score: number): number {
  return sigmoid(calibration.a * score + calibration.b);
}

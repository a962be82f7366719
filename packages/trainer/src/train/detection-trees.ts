/**
 * Detection combined with prediction by a fixed rule, written as extra trees of the ensemble. A row
 * gets `DETECTION_LOG_ODDS` added to its log-odds, which puts its calibrated probability at
 * practically 1 whatever the learned trees say, when
 *
 * - its ready ratio is below the objective's minimum, or its error ratio above its maximum (a breach
 *   the last scrape already shows), or
 * - it is in a crash loop: at least one restart per pod in five minutes, with at least half of the
 *   pods last terminated by an error exit (or, in the other tree, by the OOM killer). The sandbox's
 *   ground truth does not count a crash-looping new ReplicaSet as a breach while the old one still
 *   serves (a stalled rollout), but it is the most urgent case to act on, not a neutral one.
 *
 * As trees, the rule keeps the exported format (trees → Platt → sigmoid), so every consumer of the
 * format reads it, explanations credit it to the features that fired, and it is monotone in each of
 * them (every leaf that fires sits on the harmful side of every split). NaN never fires.
 */
import type { Tree } from './gbdt.js';

/** Log-odds a firing rule adds (before calibration): sigmoid(a · (raw + 30) + b) ≈ 1 for any sane raw. */
export const DETECTION_LOG_ODDS = 30;

/** Which columns the rule reads and its limits (the availability objective's, and a crash loop's). */
export interface DetectionRule {
  readyFeature: number;
  errorFeature: number;
  minReadyRatio: number;
  maxErrorRatio: number;
  restartsFeature: number;
  errorExitFeature: number;
  oomKilledFeature: number;
  /** @default 1 restart per pod in the 5-minute window */
  minRestartsPerPod: number;
  /** @default 0.5 of the pods */
  minExitedPodRatio: number;
}

/** The largest float32 strictly below `x` (so `ready <= it` means `ready < x` in float32). */
function float32Below(x: number): number {
  const buffer = new Float32Array([x]);
  const bits = new Int32Array(buffer.buffer);
  bits[0] = (bits[0] as number) + (x > 0 ? -1 : 1);
  return buffer[0] as number;
}

/** A crash loop tree: restarts at or above the minimum and `exitFeature` at or above its minimum fire. */
function crashLoopTree(rule: DetectionRule, exitFeature: number): Tree {
  return {
    nodes: [
      { kind: 'split', feature: rule.restartsFeature, threshold: float32Below(Math.fround(rule.minRestartsPerPod)), missingGoesLeft: true, left: 1, right: 2 },
      { kind: 'leaf', value: 0 },
      { kind: 'split', feature: exitFeature, threshold: float32Below(Math.fround(rule.minExitedPodRatio)), missingGoesLeft: true, left: 3, right: 4 },
      { kind: 'leaf', value: 0 },
      { kind: 'leaf', value: DETECTION_LOG_ODDS },
    ],
  };
}

/** The trees of the rule, to append after the learned ones (after calibration is fitted). */
export function detectionTrees(rule: DetectionRule): Tree[] {
  return [
    crashLoopTree(rule, rule.errorExitFeature),
    crashLoopTree(rule, rule.oomKilledFeature),
    {
      // ready < minReadyRatio → fires; NaN goes right (does not fire).
      nodes: [
        { kind: 'split', feature: rule.readyFeature, threshold: float32Below(Math.fround(rule.minReadyRatio)), missingGoesLeft: false, left: 1, right: 2 },
        { kind: 'leaf', value: DETECTION_LOG_ODDS },
        { kind: 'leaf', value: 0 },
      ],
    },
    {
      // error > maxErrorRatio → fires; NaN goes left (does not fire).
      nodes: [
        { kind: 'split', feature: rule.errorFeature, threshold: Math.fround(rule.maxErrorRatio), missingGoesLeft: true, left: 1, right: 2 },
        { kind: 'leaf', value: 0 },
        { kind: 'leaf', value: DETECTION_LOG_ODDS },
      ],
    },
  ];
}

/**
 * Detection combined with prediction by a fixed rule, written as extra trees of the ensemble. A row
 * gets `DETECTION_LOG_ODDS` added to its log-odds, which puts its calibrated probability at
 * practically 1 whatever the learned trees say, when
 *
 * - its ready ratio is below the objective's minimum, or its error ratio above its maximum by more
 *   than counting noise (a breach the last scrape already shows), or
 * - it is in a crash loop: at least one restart per pod in five minutes, with at least half of the
 *   pods last terminated by an error exit (or, in the other tree, by the OOM killer). The sandbox's
 *   ground truth does not count a crash-looping new ReplicaSet as a breach while the old one still
 *   serves (a stalled rollout), but it is the most urgent case to act on, not a neutral one.
 *
 * Counting noise: a service at 0.14 req/s serves 17 requests in a 2-minute rate window, so one failed
 * request reads 5.9%, above a 5% objective, while its ground truth (every request, sustained) is fine:
 * the validation fold's tiny healthy services fired the rule that way several times a day. So the
 * error ratio must exceed the maximum by two standard errors of a ratio at the maximum,
 * `max + 2·sqrt(max·(1 − max)/n)`, for the requests `n` the rate window holds at the row's request
 * rate. Trees cannot compute a square root, so the request rate is cut into bands and each band uses
 * its fewest requests (the strictest limit in the band). From 40,000 requests in the window, two
 * standard errors are under a quarter of a point and the limit is the maximum itself. The bands
 * assume the rate window the model is trained on (`rateWindowSeconds`); a shorter configured window
 * holds fewer requests, so there the rule is more lenient than the noise warrants.
 *
 * The noise margin is not needed when the errors have also risen above the workload's own ratio of
 * 15–30 minutes ago by more than the counting noise of both windows (`http_error_ratio_rise` > 0, a
 * significance test of its own): an error ratio past the objective that is also significantly
 * higher than the workload's usual is a breach starting, not a service's usual noise. It fires at
 * the objective itself then (measured: without it, 4 of 64 sudden test faults were flagged one
 * evaluation after their first failing scrape, not at it).
 *
 * As trees, the rule keeps the exported format (trees → Platt → sigmoid), so every consumer of the
 * format reads it, explanations credit it to the features that fired, and it is monotone in each of
 * them (every leaf that fires sits on the harmful side of every split). NaN never fires.
 */
import type { SplitNode, Tree } from './gbdt.js';

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
  /** The request rate (req/s), for the error ratio's counting noise. */
  requestsFeature: number;
  /** The rate window the features are computed over (the model's training default, 120 s). */
  rateWindowSeconds: number;
  /** The error ratio's rise above the workload's own earlier ratio, net of counting noise. */
  errorRiseFeature: number;
}

/** Requests in the rate window at which the error ratio's bands start (the first is the features' minRequests default). */
const ERROR_BAND_REQUESTS = [5, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 40_000] as const;

/** One band of the error-ratio rule: from this request rate up to the next band's, the ratio must exceed `maxErrorRatio`. */
export interface ErrorRatioBand {
  minRequestsPerSecond: number;
  maxErrorRatio: number;
}

/**
 * The error ratio's limit per band of request rate: the objective's maximum plus two standard errors
 * of a ratio at that maximum over the band's fewest requests; the last band (≥ 40,000 requests in the
 * window) uses the maximum itself. Below the first band the ratio is missing (minRequests), and the
 * first band's limit also applies there.
 */
export function errorRatioBands(maxErrorRatio: number, rateWindowSeconds: number): ErrorRatioBand[] {
  return ERROR_BAND_REQUESTS.map((requests, i) => ({
    minRequestsPerSecond: requests / rateWindowSeconds,
    maxErrorRatio: i === ERROR_BAND_REQUESTS.length - 1 ? maxErrorRatio : maxErrorRatio + 2 * Math.sqrt((maxErrorRatio * (1 - maxErrorRatio)) / requests),
  }));
}

/** error > the band's limit fires, the band picked by the request rate (missing rate: the first band; missing ratio never fires). */
function errorRatioTree(rule: DetectionRule): Tree {
  const bands = errorRatioBands(rule.maxErrorRatio, rule.rateWindowSeconds);
  const nodes: Tree['nodes'] = [];
  const errorSplit = (limit: number): number => {
    const at = nodes.length;
    nodes.push({ kind: 'split', feature: rule.errorFeature, threshold: Math.fround(limit), missingGoesLeft: true, left: at + 1, right: at + 2 });
    nodes.push({ kind: 'leaf', value: 0 });
    nodes.push({ kind: 'leaf', value: DETECTION_LOG_ODDS });
    return at;
  };
  const band = (i: number): number => {
    const current = bands[i] as ErrorRatioBand;
    const next = bands[i + 1];
    if (next === undefined) return errorSplit(current.maxErrorRatio);
    const at = nodes.length;
    // rate < next band's start → this band (left); else the next bands (right).
    nodes.push({ kind: 'split', feature: rule.requestsFeature, threshold: float32Below(Math.fround(next.minRequestsPerSecond)), missingGoesLeft: true, left: -1, right: -1 });
    const left = errorSplit(current.maxErrorRatio);
    const right = band(i + 1);
    nodes[at] = { ...(nodes[at] as SplitNode), left, right };
    return at;
  };
  band(0);
  return { nodes };
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
    // error > the limit of its request-rate band → fires; NaN goes left (does not fire).
    errorRatioTree(rule),
    {
      // error > maxErrorRatio and a rise above the workload's own level beyond counting noise → fires.
      nodes: [
        { kind: 'split', feature: rule.errorFeature, threshold: Math.fround(rule.maxErrorRatio), missingGoesLeft: true, left: 1, right: 2 },
        { kind: 'leaf', value: 0 },
        { kind: 'split', feature: rule.errorRiseFeature, threshold: 0, missingGoesLeft: true, left: 3, right: 4 },
        { kind: 'leaf', value: 0 },
        { kind: 'leaf', value: DETECTION_LOG_ODDS },
      ],
    },
  ];
}

/**
 * Scoring metrics for rare events: ROC-AUC, PR-AUC (average precision), Brier score and skill,
 * a reliability table, and confusion counts at a threshold. Pure functions over parallel arrays.
 */

/** Area under the ROC curve (Mann–Whitney, ties count half). `NaN` without both classes. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positives = 0;
  let rankSum = 0;
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if ((labels[order[k] as number] as number) === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Average precision: the area under the precision–recall curve as a step function (ties grouped). */
export function prAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  let totalPositives = 0;
  for (let i = 0; i < labels.length; i++) totalPositives += labels[i] as number;
  if (totalPositives === 0) return Number.NaN;
  let truePositives = 0;
  let seen = 0;
  let area = 0;
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    let newPositives = 0;
    for (let k = i; k <= j; k++) newPositives += labels[order[k] as number] as number;
    truePositives += newPositives;
    seen += j - i + 1;
    area += (newPositives / totalPositives) * (truePositives / seen);
    i = j + 1;
  }
  return area;
}

/** Mean squared error of probabilities. */
export function brierScore(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) total += ((probabilities[i] as number) - (labels[i] as number)) ** 2;
  return total / Math.max(1, labels.length);
}

/** Brier skill score against always forecasting `baseRate`: 1 is perfect, 0 no better, < 0 worse. */
export function brierSkillScore(probabilities: ArrayLike<number>, labels: ArrayLike<number>, baseRate: number): number {
  const reference = brierScore(Array.from({ length: labels.length }, () => baseRate), labels);
  return reference === 0 ? Number.NaN : 1 - brierScore(probabilities, labels) / reference;
}

/** One row of a reliability table. */
export interface ReliabilityBin {
  low: number;
  high: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/** Predicted versus observed frequency in equal-width probability bins (empty bins omitted). */
export function reliabilityTable(probabilities: ArrayLike<number>, labels: ArrayLike<number>, bins = 10): ReliabilityBin[] {
  const count = new Array<number>(bins).fill(0);
  const predicted = new Array<number>(bins).fill(0);
  const observed = new Array<number>(bins).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const p = probabilities[i] as number;
    const bin = Math.min(bins - 1, Math.floor(p * bins));
    count[bin] = (count[bin] as number) + 1;
    predicted[bin] = (predicted[bin] as number) + p;
    observed[bin] = (observed[bin] as number) + (labels[i] as number);
  }
  const table: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const n = count[b] as number;
    if (n === 0) continue;
    table.push({ low: b / bins, high: (b + 1) / bins, count: n, meanPredicted: (predicted[b] as number) / n, observedRate: (observed[b] as number) / n });
  }
  return table;
}

/** Confusion counts and rates at one threshold (score >= threshold warns). */
export interface ThresholdStats {
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  falsePositiveRate: number;
}

/** Counts at `threshold`; precision is `NaN` when nothing warns. */
export function thresholdStats(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): ThresholdStats {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const warn = (scores[i] as number) >= threshold;
    if ((labels[i] as number) === 1) {
      if (warn) tp++;
      else fn++;
    } else if (warn) fp++;
    else tn++;
  }
  return {
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: tn,
    falseNegatives: fn,
    precision: tp + fp === 0 ? Number.NaN : tp / (tp + fp),
    recall: tp + fn === 0 ? Number.NaN : tp / (tp + fn),
    falsePositiveRate: fp + tn === 0 ? Number.NaN : fp / (fp + tn),
  };
}

/** The q-quantile (0..1) of values by linear interpolation; `NaN` when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (position - low);
}

/**
 * A small histogram-based gradient-boosted tree learner for binary targets (log loss), written for
 * the risk model: depth-limited trees, shrinkage, L2 on leaf weights, early stopping on a
 * validation fold, monotone constraints, and a learned direction for missing values (NaN) at every
 * split. Its trees map one-to-one onto ONNX `TreeEnsembleRegressor` nodes (`BRANCH_LEQ`).
 *
 * Thresholds are float32 and inputs are rounded to float32 before comparing, exactly as
 * onnxruntime compares a float32 tensor, so the TypeScript model and the exported one agree.
 */

/** -1: risk may only fall as the feature rises; 0: free; 1: risk may only rise. */
export type MonotoneDirection = -1 | 0 | 1;

/** A split: `x[feature] <= threshold` goes left; NaN goes left when `missingGoesLeft`. */
export interface SplitNode {
  kind: 'split';
  feature: number;
  /** A float32 value. */
  threshold: number;
  missingGoesLeft: boolean;
  left: number;
  right: number;
}

/** A leaf: adds `value` (already multiplied by the learning rate) to the log-odds. */
export interface LeafNode {
  kind: 'leaf';
  value: number;
}

/** One tree as a flat node list; node 0 is the root. */
export interface Tree {
  nodes: Array<SplitNode | LeafNode>;
}

/** A trained ensemble: log-odds = `baseScore` + the sum of one leaf per tree. */
export interface GbdtModel {
  baseScore: number;
  trees: Tree[];
  featureCount: number;
}

/** Options of {@link trainGbdt}. */
export interface GbdtOptions {
  /** @default 4 */
  maxDepth?: number;
  /** @default 0.1 */
  learningRate?: number;
  /** Upper bound on boosting rounds. @default 300 */
  maxRounds?: number;
  /** Stop after this many rounds without a better validation log loss. @default 20 */
  earlyStoppingRounds?: number;
  /** @default 20 */
  minSamplesLeaf?: number;
  /** L2 regularisation of leaf weights. @default 1 */
  l2?: number;
  /** Candidate thresholds per feature (quantiles of the training values), at most 255. @default 64 */
  maxBins?: number;
  /** One direction per feature; omitted = all free. */
  monotone?: readonly MonotoneDirection[];
  /**
   * A missing value (NaN) of a constrained feature is no evidence of harm: at every split on a
   * feature with direction 1 it goes with the low (healthy) values, with direction -1 with the high
   * ones; free features still learn their direction. Without it a split learned where no training
   * row had NaN sends NaN right, to the high side: model v2 scored any row without an error ratio
   * (too little traffic, no request metrics) at 0.99, and healed idle and brand-new workloads.
   * @default false
   */
  missingIsHealthy?: boolean;
  /**
   * Features the trees may not split on (true = never split), e.g. ones whose level depends on the
   * workload's size; they stay inputs of the model. Omitted = every feature may be split on.
   */
  noSplit?: readonly boolean[];
  /** Called after every round (for progress bars). */
  onRound?: (round: number, validationLoss: number | undefined) => void;
}

/** What {@link trainGbdt} returns besides the model. */
export interface GbdtTrainingResult {
  model: GbdtModel;
  /** Rounds kept (the best validation round). */
  rounds: number;
  bestValidationLoss: number | undefined;
}

/** Features as rows of numbers (NaN = missing) and 0/1 labels. */
export interface LabelledMatrix {
  x: ReadonlyArray<ArrayLike<number>>;
  y: ArrayLike<number>;
}

const MISSING_BIN = 255;

/** Logistic function. */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Sorted float32 thresholds for one feature: midpoints between distinct values, or quantile cuts. */
function candidateThresholds(values: number[], maxBins: number): number[] {
  values.sort((a, b) => a - b);
  const distinct: number[] = [];
  for (const v of values) if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v);
  const cuts: number[] = [];
  if (distinct.length <= maxBins) {
    for (let i = 0; i + 1 < distinct.length; i++) cuts.push(((distinct[i] as number) + (distinct[i + 1] as number)) / 2);
  } else {
    for (let b = 1; b < maxBins; b++) {
      const value = values[Math.floor((b * values.length) / maxBins)] as number;
      // Cut just below the quantile value so that value starts the next bin.
      const index = distinct.indexOf(value);
      if (index > 0) cuts.push(((distinct[index - 1] as number) + value) / 2);
    }
  }
  const rounded: number[] = [];
  for (const cut of cuts) {
    const f = Math.fround(cut);
    if (rounded.length === 0 || (rounded[rounded.length - 1] as number) < f) rounded.push(f);
  }
  return rounded;
}

/** Bin of a value: the first threshold it does not exceed (so "bin <= k" is "x <= thresholds[k]"). */
function binOf(value: number, thresholds: readonly number[]): number {
  if (Number.isNaN(value)) return MISSING_BIN;
  const x = Math.fround(value);
  let low = 0;
  let high = thresholds.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (x <= (thresholds[mid] as number)) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** Raw log-odds of one row. */
export function predictRaw(model: GbdtModel, row: ArrayLike<number>): number {
  let score = model.baseScore;
  for (const tree of model.trees) score += leafValue(tree, row);
  return score;
}

/** The leaf value a row reaches in one tree. */
export function leafValue(tree: Tree, row: ArrayLike<number>): number {
  let node = tree.nodes[0] as SplitNode | LeafNode;
  while (node.kind === 'split') {
    const value = row[node.feature] as number;
    const goLeft = Number.isNaN(value) ? node.missingGoesLeft : Math.fround(value) <= node.threshold;
    node = tree.nodes[goLeft ? node.left : node.right] as SplitNode | LeafNode;
  }
  return node.value;
}

/** Mean log loss of probabilities `p` against labels `y`. */
export function logLoss(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(1 - 1e-12, Math.max(1e-12, p[i] as number));
    total -= (y[i] as number) === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return total / Math.max(1, y.length);
}

interface BestSplit {
  gain: number;
  bin: number;
  missingGoesLeft: boolean;
  leftWeight: number;
  rightWeight: number;
}

/**
 * Trains a boosted ensemble on `train`, stopping early on `validation` when given. Deterministic:
 * no sampling, ties broken by the lowest feature and bin.
 */
export function trainGbdt(train: LabelledMatrix, validation: LabelledMatrix | undefined, options: GbdtOptions = {}): GbdtTrainingResult {
  const maxDepth = options.maxDepth ?? 4;
  const learningRate = options.learningRate ?? 0.1;
  const maxRounds = options.maxRounds ?? 300;
  const patience = options.earlyStoppingRounds ?? 20;
  const minLeaf = options.minSamplesLeaf ?? 20;
  const l2 = options.l2 ?? 1;
  const maxBins = Math.min(255, options.maxBins ?? 64);
  const n = train.y.length;
  const featureCount = train.x[0]?.length ?? 0;
  const monotone = options.monotone ?? new Array<MonotoneDirection>(featureCount).fill(0);
  if (n === 0) throw new RangeError('cannot train on an empty dataset');

  // Bin every feature once; trees then work on small integers.
  const thresholds: number[][] = [];
  const bins: Uint8Array[] = [];
  for (let f = 0; f < featureCount; f++) {
    const present: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = (train.x[i] as ArrayLike<number>)[f] as number;
      if (!Number.isNaN(v)) present.push(v);
    }
    const cuts = candidateThresholds(present, maxBins);
    thresholds.push(cuts);
    const column = new Uint8Array(n);
    for (let i = 0; i < n; i++) column[i] = binOf((train.x[i] as ArrayLike<number>)[f] as number, cuts);
    bins.push(column);
  }

  let positives = 0;
  for (let i = 0; i < n; i++) positives += train.y[i] as number;
  const prior = Math.min(1 - 1e-6, Math.max(1e-6, positives / n));
  const baseScore = Math.log(prior / (1 - prior));
  const model: GbdtModel = { baseScore, trees: [], featureCount };

  const raw = new Float64Array(n).fill(baseScore);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const validationRaw = validation ? new Float64Array(validation.y.length).fill(baseScore) : undefined;
  const validationProbability = validation ? new Float64Array(validation.y.length) : undefined;

  let bestLoss: number | undefined;
  let bestRounds = 0;
  const histogramSize = 256;
  const gradHistogram = new Float64Array(histogramSize);
  const hessHistogram = new Float64Array(histogramSize);
  const countHistogram = new Int32Array(histogramSize);

  const weightFor = (g: number, h: number, lower: number, upper: number) => Math.min(upper, Math.max(lower, -g / (h + l2)));
  // Reduction in loss from giving a node weight w (second-order approximation), doubled.
  const scoreOf = (g: number, h: number, w: number) => -(2 * g * w + (h + l2) * w * w);

  const findSplit = (rows: Int32Array, g: number, h: number, lower: number, upper: number): (BestSplit & { feature: number }) | undefined => {
    const parentScore = scoreOf(g, h, weightFor(g, h, lower, upper));
    let best: (BestSplit & { feature: number }) | undefined;
    for (let f = 0; f < featureCount; f++) {
      if (options.noSplit?.[f]) continue;
      const column = bins[f] as Uint8Array;
      const binCount = (thresholds[f] as number[]).length + 1;
      gradHistogram.fill(0, 0, binCount);
      hessHistogram.fill(0, 0, binCount);
      countHistogram.fill(0, 0, binCount);
      gradHistogram[MISSING_BIN] = 0;
      hessHistogram[MISSING_BIN] = 0;
      countHistogram[MISSING_BIN] = 0;
      for (let k = 0; k < rows.length; k++) {
        const i = rows[k] as number;
        const b = column[i] as number;
        gradHistogram[b] = (gradHistogram[b] as number) + (grad[i] as number);
        hessHistogram[b] = (hessHistogram[b] as number) + (hess[i] as number);
        countHistogram[b] = (countHistogram[b] as number) + 1;
      }
      const gMissing = gradHistogram[MISSING_BIN] as number;
      const hMissing = hessHistogram[MISSING_BIN] as number;
      const cMissing = countHistogram[MISSING_BIN] as number;
      const direction = monotone[f] ?? 0;
      const forcedMissingLeft = options.missingIsHealthy && direction !== 0 ? direction === 1 : undefined;
      let gLeft = 0;
      let hLeft = 0;
      let cLeft = 0;
      // A split after bin `b` sends bins 0..b left; the last bin cannot be a split point.
      for (let b = 0; b < binCount - 1; b++) {
        gLeft += gradHistogram[b] as number;
        hLeft += hessHistogram[b] as number;
        cLeft += countHistogram[b] as number;
        for (const missingGoesLeft of [true, false]) {
          if (forcedMissingLeft !== undefined) {
            if (missingGoesLeft !== forcedMissingLeft) continue;
          } else if (cMissing === 0 && missingGoesLeft) continue; // without missing values, one direction (the learned default: right)
          const gl = gLeft + (missingGoesLeft ? gMissing : 0);
          const hl = hLeft + (missingGoesLeft ? hMissing : 0);
          const cl = cLeft + (missingGoesLeft ? cMissing : 0);
          const cr = rows.length - cl;
          if (cl < minLeaf || cr < minLeaf) continue;
          const gr = g - gl;
          const hr = h - hl;
          const wl = weightFor(gl, hl, lower, upper);
          const wr = weightFor(gr, hr, lower, upper);
          if (direction === 1 && wl > wr) continue;
          if (direction === -1 && wl < wr) continue;
          const gain = scoreOf(gl, hl, wl) + scoreOf(gr, hr, wr) - parentScore;
          if (gain > 1e-12 && (!best || gain > best.gain)) {
            best = { gain, bin: b, missingGoesLeft, leftWeight: wl, rightWeight: wr, feature: f };
          }
        }
      }
    }
    return best;
  };

  for (let round = 0; round < maxRounds; round++) {
    for (let i = 0; i < n; i++) {
      const p = sigmoid(raw[i] as number);
      grad[i] = p - (train.y[i] as number);
      hess[i] = Math.max(p * (1 - p), 1e-16);
    }
    const tree: Tree = { nodes: [] };
    const rowsOf: Int32Array[] = [];
    const grow = (rows: Int32Array, depth: number, lower: number, upper: number): number => {
      let g = 0;
      let h = 0;
      for (let k = 0; k < rows.length; k++) {
        g += grad[rows[k] as number] as number;
        h += hess[rows[k] as number] as number;
      }
      const index = tree.nodes.length;
      const split = depth < maxDepth ? findSplit(rows, g, h, lower, upper) : undefined;
      if (!split) {
        tree.nodes.push({ kind: 'leaf', value: learningRate * weightFor(g, h, lower, upper) });
        rowsOf[index] = rows;
        return index;
      }
      const column = bins[split.feature] as Uint8Array;
      const leftRows: number[] = [];
      const rightRows: number[] = [];
      for (let k = 0; k < rows.length; k++) {
        const i = rows[k] as number;
        const b = column[i] as number;
        const goLeft = b === MISSING_BIN ? split.missingGoesLeft : b <= split.bin;
        (goLeft ? leftRows : rightRows).push(i);
      }
      const node: SplitNode = {
        kind: 'split',
        feature: split.feature,
        threshold: (thresholds[split.feature] as number[])[split.bin] as number,
        missingGoesLeft: split.missingGoesLeft,
        left: -1,
        right: -1,
      };
      tree.nodes.push(node);
      // Monotone constraints: children's weights are bounded on either side of the split's midpoint,
      // so every leaf to the right stays above (or below) every leaf to the left, at any depth.
      const direction = monotone[split.feature] ?? 0;
      const middle = (split.leftWeight + split.rightWeight) / 2;
      const leftBounds = direction === 1 ? [lower, middle] : direction === -1 ? [middle, upper] : [lower, upper];
      const rightBounds = direction === 1 ? [middle, upper] : direction === -1 ? [lower, middle] : [lower, upper];
      node.left = grow(Int32Array.from(leftRows), depth + 1, leftBounds[0] as number, leftBounds[1] as number);
      node.right = grow(Int32Array.from(rightRows), depth + 1, rightBounds[0] as number, rightBounds[1] as number);
      return index;
    };
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    grow(all, 0, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
    if (tree.nodes.length === 1) break; // nothing left to learn
    model.trees.push(tree);
    tree.nodes.forEach((node, index) => {
      if (node.kind !== 'leaf') return;
      const rows = rowsOf[index] as Int32Array;
      for (let k = 0; k < rows.length; k++) raw[rows[k] as number] = (raw[rows[k] as number] as number) + node.value;
    });

    let validationLoss: number | undefined;
    if (validation && validationRaw && validationProbability) {
      for (let i = 0; i < validation.y.length; i++) {
        validationRaw[i] = (validationRaw[i] as number) + leafValue(tree, validation.x[i] as ArrayLike<number>);
        validationProbability[i] = sigmoid(validationRaw[i] as number);
      }
      validationLoss = logLoss(validationProbability, validation.y);
      if (bestLoss === undefined || validationLoss < bestLoss - 1e-9) {
        bestLoss = validationLoss;
        bestRounds = model.trees.length;
      }
    } else {
      bestRounds = model.trees.length;
    }
    options.onRound?.(round + 1, validationLoss);
    if (validation && model.trees.length - bestRounds >= patience) break;
  }
  model.trees.length = bestRounds;
  return { model, rounds: bestRounds, bestValidationLoss: bestLoss };
}

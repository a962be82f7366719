/**
 * Logistic regression, the simpler model the trees are compared with: features standardised on
 * the train fold, missing values replaced by the train mean (0 after standardising), fitted by
 * Newton's method with a small L2 penalty.
 */
import { sigmoid } from './gbdt.js';

/** A fitted logistic regression. */
export interface LogisticModel {
  means: number[];
  scales: number[];
  weights: number[];
  bias: number;
}

function standardise(model: Pick<LogisticModel, 'means' | 'scales'>, row: ArrayLike<number>): number[] {
  return model.means.map((mean, j) => {
    const v = row[j] as number;
    return Number.isNaN(v) ? 0 : (v - mean) / (model.scales[j] as number);
  });
}

/** Probability for one row. */
export function predictLogistic(model: LogisticModel, row: ArrayLike<number>): number {
  const z = standardise(model, row);
  return sigmoid(model.bias + z.reduce((sum, v, j) => sum + v * (model.weights[j] as number), 0));
}

/** Fits on rows `x` (NaN = missing) and 0/1 labels `y`. */
export function trainLogistic(x: ReadonlyArray<ArrayLike<number>>, y: ArrayLike<number>, l2 = 1e-3): LogisticModel {
  const d = x[0]?.length ?? 0;
  const means: number[] = [];
  const scales: number[] = [];
  for (let j = 0; j < d; j++) {
    let sum = 0;
    let sumSquares = 0;
    let count = 0;
    for (const row of x) {
      const v = row[j] as number;
      if (Number.isNaN(v)) continue;
      sum += v;
      sumSquares += v * v;
      count++;
    }
    const mean = count === 0 ? 0 : sum / count;
    means.push(mean);
    scales.push(Math.sqrt(Math.max(1e-12, count === 0 ? 1 : sumSquares / count - mean * mean)));
  }
  const z = x.map((row) => [1, ...standardise({ means, scales }, row)]);
  const w = new Array<number>(d + 1).fill(0);
  for (let iteration = 0; iteration < 25; iteration++) {
    const gradient = new Array<number>(d + 1).fill(0);
    const hessian = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    z.forEach((row, i) => {
      const p = sigmoid(row.reduce((s, v, j) => s + v * (w[j] as number), 0));
      const r = p - (y[i] as number);
      const h = Math.max(p * (1 - p), 1e-12);
      for (let a = 0; a <= d; a++) {
        gradient[a] = (gradient[a] as number) + r * (row[a] as number);
        for (let b = 0; b <= d; b++) (hessian[a] as number[])[b] = ((hessian[a] as number[])[b] as number) + h * (row[a] as number) * (row[b] as number);
      }
    });
    for (let a = 1; a <= d; a++) {
      gradient[a] = (gradient[a] as number) + l2 * x.length * (w[a] as number);
      (hessian[a] as number[])[a] = ((hessian[a] as number[])[a] as number) + l2 * x.length;
    }
    const step = solve(hessian, gradient);
    let largest = 0;
    for (let a = 0; a <= d; a++) {
      w[a] = (w[a] as number) - (step[a] as number);
      largest = Math.max(largest, Math.abs(step[a] as number));
    }
    if (largest < 1e-8) break;
  }
  return { means, scales, weights: w.slice(1), bias: w[0] as number };
}

/** Solves `A s = b` by Gaussian elimination with partial pivoting (A is small and positive definite). */
function solve(matrix: number[][], vector: number[]): number[] {
  const n = vector.length;
  const a = matrix.map((row, i) => [...row, vector[i] as number]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs((a[r] as number[])[col] as number) > Math.abs((a[pivot] as number[])[col] as number)) pivot = r;
    [a[col], a[pivot]] = [a[pivot] as number[], a[col] as number[]];
    const p = (a[col] as number[])[col] as number;
    if (Math.abs(p) < 1e-15) continue;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = ((a[r] as number[])[col] as number) / p;
      for (let c = col; c <= n; c++) (a[r] as number[])[c] = ((a[r] as number[])[c] as number) - factor * ((a[col] as number[])[c] as number);
    }
  }
  return a.map((row, i) => {
    const p = row[i] as number;
    return Math.abs(p) < 1e-15 ? 0 : (row[n] as number) / p;
  });
}

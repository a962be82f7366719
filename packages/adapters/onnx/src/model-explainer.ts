/**
 * Turns the model's graph into a JS explainer for whole batches: the trees (compiled, see
 * `compiled-tree-explainer.ts`) or the linear map, then the calibration and sigmoid after them. The
 * explainer is checked against onnxruntime on probe rows at load: contributions are only offered
 * when they provably add up to the model's own log-odds.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { compileTreeExplainer } from './compiled-tree-explainer.js';
import { firstLine, modelInvalid } from './errors.js';
import { readLinearModel, readOutputHead } from './linear-model.js';
import type { ModelProto } from './onnx-graph.js';
import { readTreeEnsemble } from './tree-ensemble.js';

/** The model's input and output tensor names (see `onnx-risk-model.ts`). */
const INPUT = 'features';
const OUTPUT = 'probability';

/** How contributions are computed for this model, or why there are none. */
export interface OnnxExplanation {
  /** `path-attribution` (trees, Saabas), `linear` (coefficient × value), or `none`. */
  method: 'path-attribution' | 'linear' | 'none';
  /** Why there are no contributions, when `method` is `none`. */
  reason?: string;
  /** Trees only: how node values average their children. */
  nodeWeighting?: 'equal' | 'cover';
  /** Trees only: how many trees. */
  trees?: number;
  /**
   * Trees only: whether the walk is compiled to JavaScript (fast). False when the runtime forbids
   * code generation or a tree is deeper than 64 levels; the results are the same either way.
   */
  compiled?: boolean;
  /** The log-odds before any feature is known: contributions + baseValue = logit(probability). */
  baseValue?: number;
}

/** The kind of model, as far as the graph shows it. */
export type OnnxModelType = 'tree_ensemble' | 'logistic' | 'unknown';

/**
 * Explains `count` rows of `values` (row-major, `width` columns): adds each feature's credit, in
 * log-odds of the returned probability, to `credits[row * width + feature]` and writes each row's
 * logit to `logits[row]`. Both arrays must start at zero.
 */
export type BatchExplainer = (values: Float32Array, count: number, width: number, credits: Float64Array, logits: Float64Array) => void;

/** Reads the graph into a {@link BatchExplainer}, or says why it cannot explain this model. */
export async function buildExplainer(
  proto: ModelProto,
  declaredType: 'tree_ensemble' | 'logistic' | undefined,
  nodeCover: number[] | undefined,
  width: number,
  session: InferenceSession,
  TensorClass: typeof Tensor,
): Promise<{ explain: BatchExplainer | undefined; explanation: OnnxExplanation; modelType: OnnxModelType }> {
  const none = (reason: string, modelType: OnnxModelType) => ({ explain: undefined, explanation: { method: 'none' as const, reason }, modelType });

  const ensemble = readTreeEnsemble(proto, nodeCover ? { nodeCover } : {});
  let explain: BatchExplainer;
  let explanation: OnnxExplanation;
  let probes: number[][];
  let modelType: OnnxModelType;
  if (ensemble) {
    modelType = 'tree_ensemble';
    if (ensemble.inputName !== INPUT) return none('the tree ensemble does not read the model input directly', modelType);
    if (ensemble.featureCount > width) throw modelInvalid(`the tree ensemble splits on column ${ensemble.featureCount - 1} but the model has ${width} feature_names; export it again.`);
    if (ensemble.aggregateFunction !== 'SUM' && ensemble.aggregateFunction !== 'AVERAGE') return none(`aggregate_function ${ensemble.aggregateFunction} is not additive`, modelType);
    if (ensemble.postTransform !== 'NONE' && ensemble.postTransform !== 'LOGISTIC') return none(`post_transform ${ensemble.postTransform} is not a sigmoid`, modelType);
    const head = readOutputHead(proto, ensemble.outputName, OUTPUT, ensemble.postTransform === 'LOGISTIC');
    if (typeof head === 'string') return none(head, modelType);
    const trees = compileTreeExplainer(ensemble);
    explain = (values, count, rowWidth, credits, logits) => {
      trees.explainRows(values, count, rowWidth, credits, logits);
      // Platt calibration is affine in log-odds, so scaling the credits keeps them exact.
      const cells = count * rowWidth;
      for (let k = 0; k < cells; k++) credits[k] = credits[k]! * head.scale;
      for (let r = 0; r < count; r++) logits[r] = head.scale * logits[r]! + head.offset;
    };
    explanation = {
      method: 'path-attribution',
      nodeWeighting: ensemble.nodeWeighting,
      trees: ensemble.trees.length,
      compiled: trees.compiled,
      baseValue: head.scale * trees.baseValue + head.offset,
    };
    probes = treeProbes(ensemble.trees.flatMap((tree) => tree.nodes), width);
  } else {
    const linear = readLinearModel(proto, INPUT);
    modelType = linear ? 'logistic' : declaredType ?? 'unknown';
    if (!linear) return none('the graph is neither a TreeEnsembleRegressor nor a linear map (MatMul, Gemm, LinearRegressor) of the input', modelType);
    if (linear.coefficients.length !== width) throw modelInvalid(`the linear model has ${linear.coefficients.length} coefficients but ${width} feature_names; export it again.`);
    const head = readOutputHead(proto, linear.outputName, OUTPUT, false);
    if (typeof head === 'string') return none(head, modelType);
    const weights = Float64Array.from(linear.coefficients, (c) => c * head.scale);
    const intercept = head.scale * linear.intercept + head.offset;
    explain = (values, count, rowWidth, credits, logits) => {
      for (let r = 0, o = 0; r < count; r++, o += rowWidth) {
        let logit = intercept;
        for (let i = 0; i < rowWidth; i++) {
          const credit = weights[i]! * values[o + i]!;
          credits[o + i] = credits[o + i]! + credit;
          logit += credit;
        }
        logits[r] = logit;
      }
    };
    explanation = { method: 'linear', baseValue: intercept };
    probes = [new Array<number>(width).fill(0), new Array<number>(width).fill(1), Array.from({ length: width }, (_, i) => (i % 3) - 1)];
  }

  const mismatch = await compareWithRuntime(explain, probes, width, session, TensorClass);
  if (mismatch !== undefined) return none(mismatch, modelType);
  return { explain, explanation, modelType };
}

/** Rows that visit both sides of many splits, plus an all-NaN row for the missing-value routing. */
function treeProbes(nodes: ReadonlyArray<{ featureIndex: number; threshold: number }>, width: number): number[][] {
  const thresholds: number[][] = Array.from({ length: width }, () => []);
  for (const n of nodes) if (n.featureIndex >= 0) thresholds[n.featureIndex]!.push(n.threshold);
  const rows: number[][] = [new Array<number>(width).fill(Number.NaN), new Array<number>(width).fill(0)];
  for (let r = 0; r < 14; r++) {
    rows.push(thresholds.map((list, f) => {
      if (list.length === 0) return r;
      const t = list[(r * 7 + f * 3) % list.length]!;
      // Alternate just below and just above a real threshold so both branches get exercised.
      return r % 2 === 0 ? t - Math.max(1e-3, Math.abs(t) * 0.01) : t + Math.max(1e-3, Math.abs(t) * 0.01);
    }));
  }
  return rows;
}

async function compareWithRuntime(explain: BatchExplainer, probes: number[][], width: number, session: InferenceSession, TensorClass: typeof Tensor): Promise<string | undefined> {
  const values = Float32Array.from(probes.flat());
  let output: Float32Array;
  try {
    const result = await session.run({ [INPUT]: new TensorClass('float32', values, [probes.length, width]) }, [OUTPUT]);
    output = result[OUTPUT]!.data as Float32Array;
  } catch (error) {
    throw modelInvalid(`onnxruntime failed on a test batch right after loading: ${firstLine(error)}. Export the model again.`, { kind: 'runtime-probe' }, error);
  }
  const logits = new Float64Array(probes.length);
  explain(values, probes.length, width, new Float64Array(probes.length * width), logits);
  let worst = 0;
  for (let r = 0; r < probes.length; r++) {
    const expected = output[r]!;
    if (!Number.isFinite(expected)) continue; // e.g. NaN through a linear model: nothing to compare
    worst = Math.max(worst, Math.abs(1 / (1 + Math.exp(-logits[r]!)) - expected));
  }
  return worst > 1e-4 ? `the graph as read for explanations disagrees with onnxruntime by up to ${worst.toExponential(2)} in probability` : undefined;
}

/**
 * Reads the coefficients of a linear (logistic) model out of an ONNX graph: `MatMul` with a constant
 * weight matrix, `Gemm`, or `LinearRegressor` (ai.onnx.ml). What follows it (intercept, calibration,
 * sigmoid) is read by `readOutputHead`.
 */
import { constantValue, findAttribute, floatAttribute, intAttribute, realsAttribute, stringAttribute, type ModelProto } from './onnx-graph.js';

/** A decoded linear score: `intercept + Σ coefficients[i] · x[i]`, written to `outputName`. */
export interface LinearModel {
  inputName: string;
  outputName: string;
  coefficients: number[];
  intercept: number;
}

/**
 * Finds the node that reads `inputName` and, when it is a linear map with constant weights and one
 * output column, returns its coefficients. `undefined` when the graph is not of that shape.
 */
export function readLinearModel(model: ModelProto, inputName: string): LinearModel | undefined {
  const graph = model.graph;
  if (!graph) return undefined;
  const readers = (graph.node ?? []).filter((node) => node.input?.[0] === inputName);
  if (readers.length !== 1) return undefined;
  const node = readers[0]!;
  const outputName = node.output?.[0] ?? '';

  if (node.opType === 'LinearRegressor' && node.domain === 'ai.onnx.ml') {
    if (intAttribute(node, 'targets', 1) !== 1 || stringAttribute(node, 'post_transform', 'NONE') !== 'NONE') return undefined;
    return { inputName, outputName, coefficients: realsAttribute(node, 'coefficients'), intercept: realsAttribute(node, 'intercepts')[0] ?? 0 };
  }
  if (node.opType === 'MatMul') {
    const weights = constantValue(graph, node.input?.[1] ?? '');
    // [F, 1] or [F]: one output column.
    if (!weights || (weights.dims.length === 2 && weights.dims[1] !== 1) || weights.dims.length > 2) return undefined;
    return { inputName, outputName, coefficients: weights.values, intercept: 0 };
  }
  if (node.opType === 'Gemm') {
    if (intAttribute(node, 'transA', 0) !== 0) return undefined;
    const weights = constantValue(graph, node.input?.[1] ?? '');
    if (!weights || weights.dims.length !== 2) return undefined;
    const transB = intAttribute(node, 'transB', 0) !== 0;
    if ((transB ? weights.dims[0] : weights.dims[1]) !== 1) return undefined;
    const alpha = floatAttribute(node, 'alpha', 1);
    const beta = floatAttribute(node, 'beta', 1);
    const biasName = node.input?.[2];
    const bias = biasName ? constantValue(graph, biasName) : undefined;
    if (biasName && (!bias || bias.values.length !== 1)) return undefined;
    return { inputName, outputName, coefficients: weights.values.map((w) => w * alpha), intercept: bias ? bias.values[0]! * beta : 0 };
  }
  return undefined;
}

/** The map from the score tensor to the output: `probability = sigmoid(scale · score + offset)`. */
export interface OutputHead {
  scale: number;
  offset: number;
}

const SHAPE_ONLY = new Set(['Identity', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Cast']);

/**
 * Follows the graph from `scoreName` to `outputName` and returns the affine map before the one
 * sigmoid (Platt calibration `Mul`/`Add`, an intercept `Add`, ...). With `sigmoidDone` (the
 * operator already applied a logistic post-transform) only shape-only nodes may follow.
 * Returns a reason string when the path is anything else, so explanations can be turned off honestly.
 */
export function readOutputHead(model: ModelProto, scoreName: string, outputName: string, sigmoidDone: boolean): OutputHead | string {
  const graph = model.graph!;
  let current = scoreName;
  let scale = 1;
  let offset = 0;
  let sigmoid = sigmoidDone;
  for (let steps = 0; current !== outputName; steps++) {
    const consumers = (graph.node ?? []).filter((node) => node.input?.includes(current));
    if (consumers.length !== 1 || steps > 32) return `the score tensor "${current}" feeds ${consumers.length} nodes`;
    const node = consumers[0]!;
    const op = node.opType ?? '';
    const next = node.output?.[0] ?? '';
    if (SHAPE_ONLY.has(op)) {
      if (op === 'Cast' && findAttribute(node, 'to')?.i !== undefined && intAttribute(node, 'to', 1) !== 1 && intAttribute(node, 'to', 1) !== 11) return 'a Cast to a non-real type follows the score';
    } else if (op === 'Sigmoid') {
      if (sigmoid) return 'the score goes through two sigmoids';
      sigmoid = true;
    } else if (op === 'Mul' || op === 'Add' || op === 'Sub' || op === 'Div') {
      if (sigmoid) return `a ${op} follows the sigmoid, so the output is not a sigmoid of a linear score`;
      const position = node.input?.indexOf(current) ?? -1;
      const other = constantValue(graph, node.input?.[1 - position] ?? '');
      if (!other || other.values.length !== 1) return `${op} "${node.name ?? ''}" does not combine the score with one constant`;
      const c = other.values[0]!;
      if (op === 'Mul') [scale, offset] = [scale * c, offset * c];
      else if (op === 'Add') offset += c;
      else if (op === 'Sub' && position === 0) offset -= c;
      else if (op === 'Sub') [scale, offset] = [-scale, c - offset];
      else if (position === 0) [scale, offset] = [scale / c, offset / c];
      else return 'the score is a divisor';
    } else {
      return `unsupported operator ${op} between the score and the output`;
    }
    current = next;
  }
  if (!sigmoid) return 'the output is not a sigmoid of the score, so the score is not in log-odds';
  return { scale, offset };
}

/**
 * `createOnnxRiskModel`: the RiskModel backed by an ONNX file and onnxruntime-node. Everything that
 * can be wrong with the file (not there, an LFS pointer, truncated, wrong inputs, wrong feature
 * names) fails here, at load; the tree structure for explanations is decoded once, here too.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { z } from 'zod';
import { DEFAULT_FEATURE_NAMES, parseWithSchema, type CallOptions, type FeatureContribution, type FeatureVector, type RiskModel, type RiskScore } from '@autoheal/core';
import { aborted, COMPONENT, firstLine, inputInvalid, modelFailed, modelInvalid } from './errors.js';
import { readLinearModel, readOutputHead, type OutputHead } from './linear-model.js';
import { assertLooksLikeOnnx, decodeModel, describeSource, readModelFile } from './model-file.js';
import { describeFeatureMismatch, readModelProperties, type PlattCalibration } from './model-metadata.js';
import { toInteger, type ModelProto } from './onnx-graph.js';
import { createTreeExplainer, readTreeEnsemble } from './tree-ensemble.js';

/** The input tensor name every autoheal model uses. */
export const ONNX_INPUT_NAME = 'features';
/** The output tensor name every autoheal model uses. */
export const ONNX_OUTPUT_NAME = 'probability';

/** Options of {@link createOnnxRiskModel}; give exactly one of `modelPath` and `modelBytes`. */
export const onnxRiskModelOptionsSchema = z
  .strictObject({
    /** Path of the `.onnx` file (e.g. `models/risk-v1.onnx`). */
    modelPath: z.string().min(1, 'must be a non-empty path').optional(),
    /** The `.onnx` file's bytes, when they do not come from a file (tests, embedded models). */
    modelBytes: z.custom<Uint8Array>((value) => value instanceof Uint8Array, { error: 'must be a Uint8Array or Buffer' }).optional(),
    /**
     * The feature names, in order, the model must take. `null` accepts whatever the model declares.
     * @default DEFAULT_FEATURE_NAMES (the seven signals of the original project)
     */
    expectedFeatureNames: z.array(z.string().min(1)).min(1).readonly().nullable().default([...DEFAULT_FEATURE_NAMES]),
    /**
     * Threads onnxruntime may use inside one run. One keeps latency predictable on small models and
     * leaves the other cores to the server.
     * @default 1
     */
    intraOpNumThreads: z.number().int().min(1).max(256).default(1),
    /**
     * Whether scores carry per-feature contributions. Turn off for large batches when only the
     * probability is needed.
     * @default true
     */
    contributions: z.boolean().default(true),
  })
  .refine((options) => (options.modelPath === undefined) !== (options.modelBytes === undefined), {
    error: 'give exactly one of modelPath (a .onnx file) or modelBytes',
    path: ['modelPath'],
  });

/** Input of {@link createOnnxRiskModel}. */
export type OnnxRiskModelOptions = z.input<typeof onnxRiskModelOptionsSchema>;

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
  /** The log-odds before any feature is known: contributions + baseValue = logit(probability). */
  baseValue?: number;
}

/** Everything known about the loaded model, for `/readyz`, `doctor` and decision records. */
export interface OnnxModelMetadata {
  name: string;
  version: string;
  modelType: 'tree_ensemble' | 'logistic' | 'unknown';
  featureNames: string[];
  /** `threshold` metadata: the operating point the model was tuned for. */
  threshold: number | undefined;
  calibration: PlattCalibration | undefined;
  trainingSummary: unknown;
  createdBy: string | undefined;
  /** Every `metadata_props` entry as written in the file. */
  properties: Record<string, string>;
  source: { path: string | undefined; sizeBytes: number; sha256: string };
  irVersion: number;
  producer: { name: string; version: string };
  /** Opset version per domain (`''` is ai.onnx). */
  opsets: Record<string, number>;
  explanation: OnnxExplanation;
}

/** A score with its explanation base, when the model can explain itself. */
export interface OnnxRiskScore extends RiskScore {
  /** The log-odds the contributions start from; `baseValue + Σ contributions = logit(probability)`. */
  baseValue?: number;
}

/** Per-call options of the ONNX model. */
export interface OnnxScoreOptions extends CallOptions {
  /** Override the factory's `contributions` for this call. */
  contributions?: boolean;
}

/** One row: a vector by feature name, or the values in `featureNames` order. */
export type OnnxFeatureRow = FeatureVector | readonly (number | null)[];

/** A RiskModel that scores with onnxruntime-node. */
export interface OnnxRiskModel extends RiskModel {
  readonly metadata: OnnxModelMetadata;
  score(vector: OnnxFeatureRow, options?: OnnxScoreOptions): Promise<OnnxRiskScore>;
  /** Scores all rows with one `session.run`. */
  scoreBatch(vectors: readonly OnnxFeatureRow[], options?: OnnxScoreOptions): Promise<OnnxRiskScore[]>;
  /** Releases the onnxruntime session; later calls fail with `MODEL_FAILED`. */
  close(): Promise<void>;
}

/** Explains one row in place: adds log-odds credits to `contributions` and returns the logit. */
type RowExplainer = (values: Float32Array, row: number, width: number, contributions: Float64Array) => number;

/**
 * Loads an ONNX risk model and checks it against the feature schema.
 *
 * @throws ConfigError `CONFIG_INVALID` for bad options; ModelError `MODEL_INVALID` when the file is
 * missing, empty, a Git LFS pointer, truncated, not ONNX, or its inputs/outputs/feature names do
 * not match.
 * @example
 * const model = await createOnnxRiskModel({ modelPath: 'models/risk-v1.onnx' });
 * const { probability, contributions } = await model.score({ restart_count_last_5m: 0, cpu_usage_pct: 10,
 *   memory_usage_bytes: 52428800, ready_replica_ratio: 1, unavailable_replicas: 0,
 *   network_receive_bytes_per_s: 86, http_5xx_error_rate: 0 });
 */
export async function createOnnxRiskModel(input: OnnxRiskModelOptions): Promise<OnnxRiskModel> {
  const options = parseWithSchema(onnxRiskModelOptionsSchema, input, COMPONENT, 'invalid ONNX model options');
  const source = describeSource(options.modelPath);
  const bytes = options.modelBytes ?? (await readModelFile(options.modelPath!));
  assertLooksLikeOnnx(bytes, source);
  const proto = decodeModel(bytes, source);
  const properties = readModelProperties(proto, source);

  // Imported here so that importing this package (for its schema or types) stays cheap.
  const ort = await import('onnxruntime-node');
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: options.intraOpNumThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
    });
  } catch (error) {
    throw modelInvalid(`onnxruntime could not load ${source}: ${firstLine(error)}. The file is damaged or uses operators this onnxruntime does not support; export it again with @autoheal/trainer (opsets ai.onnx 17, ai.onnx.ml 3).`, { kind: 'runtime-load' }, error);
  }

  try {
    checkSignature(session, properties.featureNames, source);
    if (options.expectedFeatureNames !== null) {
      const mismatch = describeFeatureMismatch(properties.featureNames, options.expectedFeatureNames);
      if (mismatch) {
        throw modelInvalid(
          `${source} does not take the expected features: ${mismatch.message}. The model has [${properties.featureNames.join(', ')}]; expected [${options.expectedFeatureNames.join(', ')}]. Load a model trained on these features, or set expectedFeatureNames (null accepts the model's own).`,
          { kind: 'feature-mismatch', missing: mismatch.missing, extra: mismatch.extra, misordered: mismatch.misordered },
        );
      }
    }
    await checkRunsAtLoad(session, properties.featureNames.length, source, ort.Tensor);
  } catch (error) {
    await session.release().catch(() => undefined);
    throw error;
  }

  const featureNames = properties.featureNames;
  const width = featureNames.length;
  const { explain, explanation, modelType } = await buildExplainer(proto, properties.modelType, properties.nodeCover, width, session, ort.Tensor);

  const metadata: OnnxModelMetadata = {
    name: properties.name ?? (options.modelPath ? basename(options.modelPath, '.onnx') : 'onnx-model'),
    version: properties.version ?? 'unversioned',
    modelType,
    featureNames,
    threshold: properties.threshold,
    calibration: properties.calibration,
    trainingSummary: properties.trainingSummary,
    createdBy: properties.createdBy,
    properties: properties.raw,
    source: { path: options.modelPath, sizeBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
    irVersion: toInteger(proto.irVersion),
    producer: { name: proto.producerName ?? '', version: proto.producerVersion ?? '' },
    opsets: Object.fromEntries((proto.opsetImport ?? []).map((opset) => [opset.domain ?? '', toInteger(opset.version)])),
    explanation,
  };

  let closed = false;

  function toMatrix(rows: readonly OnnxFeatureRow[]): Float32Array {
    const values = new Float32Array(rows.length * width);
    rows.forEach((row, r) => {
      if (Array.isArray(row)) {
        if (row.length !== width) throw inputInvalid(`row ${r} has ${row.length} values; the model takes ${width}: ${featureNames.join(', ')}.`, { row: r });
        for (let i = 0; i < width; i++) values[r * width + i] = toValue(row[i], featureNames[i]!, r);
        return;
      }
      if (typeof row !== 'object' || row === null) throw inputInvalid(`row ${r} is ${row === null ? 'null' : typeof row}; pass an object keyed by feature name.`, { row: r });
      const vector = row as FeatureVector;
      // Fast path for batches: every name present and no other key; the slow path only builds the message.
      let present = 0;
      for (const name of featureNames) if (vector[name] !== undefined) present++;
      let keys = 0;
      for (const key in vector) if (Object.hasOwn(vector, key)) keys++;
      if (present !== width || keys !== width) {
        const absent = featureNames.filter((name) => vector[name] === undefined);
        const unknown = Object.keys(vector).filter((name) => !featureNames.includes(name));
        const parts = [absent.length > 0 ? `absent feature(s) ${absent.join(', ')} (use null for a value that could not be measured)` : '', unknown.length > 0 ? `unknown feature(s) ${unknown.join(', ')}` : ''].filter(Boolean);
        throw inputInvalid(`row ${r} does not match the model's features: ${parts.join('; ')}. The model takes ${featureNames.join(', ')}.`, { row: r, absent, unknown });
      }
      for (let i = 0; i < width; i++) values[r * width + i] = toValue(vector[featureNames[i]!], featureNames[i]!, r);
    });
    return values;
  }

  async function scoreRows(rows: readonly OnnxFeatureRow[], call: OnnxScoreOptions = {}): Promise<OnnxRiskScore[]> {
    if (call.signal?.aborted) throw aborted(call.signal);
    if (closed) throw modelFailed(`model ${metadata.name}@${metadata.version} is closed; create a new one with createOnnxRiskModel.`);
    if (!Array.isArray(rows)) throw inputInvalid('scoreBatch takes an array of vectors.');
    if (rows.length === 0) return [];
    const values = toMatrix(rows);

    let output: Float32Array;
    try {
      const result = await session.run({ [ONNX_INPUT_NAME]: new ort.Tensor('float32', values, [rows.length, width]) }, [ONNX_OUTPUT_NAME]);
      output = result[ONNX_OUTPUT_NAME]!.data as Float32Array;
    } catch (error) {
      throw modelFailed(`onnxruntime failed to score ${rows.length} row(s) with ${metadata.name}@${metadata.version}: ${firstLine(error)}.`, error);
    }
    if (output.length !== rows.length) throw modelFailed(`the model returned ${output.length} probabilities for ${rows.length} rows; its output must be [N, 1].`);

    const withContributions = (call.contributions ?? options.contributions) && explain !== undefined;
    const scores: OnnxRiskScore[] = [];
    const credits = new Float64Array(width);
    const order = new Int32Array(width);
    for (let r = 0; r < rows.length; r++) {
      const probability = output[r]!;
      if (!Number.isFinite(probability) || probability < 0 || probability > 1) {
        const missing = featureNames.filter((_, i) => Number.isNaN(values[r * width + i]!));
        throw modelFailed(`the model returned ${probability} for row ${r}${missing.length > 0 ? ` with missing ${missing.join(', ')}; this ${modelType} model cannot score missing values — collect them, or use a tree model that routes NaN` : ''}.`);
      }
      if (!withContributions) {
        scores.push({ probability });
        continue;
      }
      credits.fill(0);
      explain(values, r, width, credits);
      // Largest magnitude first. An insertion sort of indices: a handful of features, and for big
      // batches it is much cheaper than sorting objects with a comparator.
      for (let i = 0; i < width; i++) {
        let j = i;
        while (j > 0 && Math.abs(credits[order[j - 1]!]!) < Math.abs(credits[i]!)) {
          order[j] = order[j - 1]!;
          j--;
        }
        order[j] = i;
      }
      const contributions: FeatureContribution[] = new Array(width);
      for (let j = 0; j < width; j++) {
        const i = order[j]!;
        const feature = featureNames[i]!;
        contributions[j] = { feature, value: Number.isNaN(values[r * width + i]!) ? null : rowValue(rows[r]!, feature, i), contribution: credits[i]! };
      }
      scores.push({ probability, contributions, baseValue: explanation.baseValue! });
    }
    return scores;
  }

  return {
    name: metadata.name,
    version: metadata.version,
    featureNames,
    recommendedThreshold: metadata.threshold,
    metadata,
    async score(vector, call) {
      return (await scoreRows([vector], call))[0]!;
    },
    scoreBatch: scoreRows,
    async close() {
      if (closed) return;
      closed = true;
      await session.release();
    },
  };
}

function rowValue(row: OnnxFeatureRow, feature: string, index: number): number | null {
  const value = Array.isArray(row) ? row[index] : (row as FeatureVector)[feature];
  return value ?? null;
}

function toValue(value: unknown, feature: string, row: number): number {
  if (value === null) return Number.NaN;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw inputInvalid(`row ${row}: ${feature} is ${typeof value === 'number' ? String(value) : JSON.stringify(value) ?? typeof value}; pass a finite number, or null when it could not be measured.`, { row, feature });
  }
  return value;
}

/** Checks input `features` float32 [N, F] and output `probability` float32 [N, 1]. */
function checkSignature(session: InferenceSession, featureNames: readonly string[], source: string): void {
  const width = featureNames.length;
  const fix = 'Export it with @autoheal/trainer, which writes input "features" float32 [N, F] and output "probability" float32 [N, 1].';
  const inputs = session.inputMetadata;
  if (inputs.length !== 1 || inputs[0]!.name !== ONNX_INPUT_NAME) {
    throw modelInvalid(`${source} has input(s) ${inputs.map((i) => `"${i.name}"`).join(', ')}; expected exactly one input named "${ONNX_INPUT_NAME}". ${fix}`, { kind: 'input-name' });
  }
  const input = inputs[0]!;
  if (!input.isTensor || input.type !== 'float32') {
    throw modelInvalid(`${source} input "${ONNX_INPUT_NAME}" is ${input.isTensor ? input.type : 'not a tensor'}; expected float32. ${fix}`, { kind: 'input-type' });
  }
  const columns = input.shape[1];
  // An empty shape means the model does not declare one; only a declared wrong shape is refused.
  if (input.shape.length > 0 && (input.shape.length !== 2 || (typeof columns === 'number' && columns !== width))) {
    throw modelInvalid(`${source} input "${ONNX_INPUT_NAME}" has shape [${input.shape.join(', ')}]; expected [N, ${width}] for its ${width} feature_names. ${fix}`, { kind: 'input-shape' });
  }
  const output = session.outputMetadata.find((o) => o.name === ONNX_OUTPUT_NAME);
  if (!output) {
    throw modelInvalid(`${source} has output(s) ${session.outputMetadata.map((o) => `"${o.name}"`).join(', ')}; expected one named "${ONNX_OUTPUT_NAME}". ${fix}`, { kind: 'output-name' });
  }
  if (!output.isTensor || output.type !== 'float32') {
    throw modelInvalid(`${source} output "${ONNX_OUTPUT_NAME}" is ${output.isTensor ? output.type : 'not a tensor'}; expected float32. ${fix}`, { kind: 'output-type' });
  }
  const outColumns = output.shape[1];
  if (output.shape.length > 0 && (output.shape.length !== 2 || (typeof outColumns === 'number' && outColumns !== 1))) {
    throw modelInvalid(`${source} output "${ONNX_OUTPUT_NAME}" has shape [${output.shape.join(', ')}]; expected [N, 1]. ${fix}`, { kind: 'output-shape' });
  }
}

/**
 * Runs one all-zero row so that a model which loads but cannot run, or whose output is not a
 * probability (a raw score, a missing sigmoid), is refused now rather than at the first prediction.
 */
async function checkRunsAtLoad(session: InferenceSession, width: number, source: string, TensorClass: typeof Tensor): Promise<void> {
  let output: Float32Array;
  try {
    const result = await session.run({ [ONNX_INPUT_NAME]: new TensorClass('float32', new Float32Array(width), [1, width]) }, [ONNX_OUTPUT_NAME]);
    output = result[ONNX_OUTPUT_NAME]!.data as Float32Array;
  } catch (error) {
    throw modelInvalid(`onnxruntime loaded ${source} but could not run it: ${firstLine(error)}. Export the model again with @autoheal/trainer.`, { kind: 'runtime-run' }, error);
  }
  const value = output[0];
  if (output.length !== 1 || value === undefined || !Number.isFinite(value) || value < 0 || value > 1) {
    throw modelInvalid(
      `${source} does not output a probability: for an all-zero row "${ONNX_OUTPUT_NAME}" is ${output.length === 1 ? String(value) : `${output.length} values`}, expected one number in [0, 1]. The graph probably lacks its final Sigmoid; export it with @autoheal/trainer.`,
      { kind: 'output-not-probability' },
    );
  }
}

/**
 * Reads the graph (trees or linear map, then the calibration and sigmoid after it) into a JS
 * explainer, and checks it against onnxruntime on probe rows: contributions are only offered when
 * they provably add up to the model's own log-odds.
 */
async function buildExplainer(
  proto: ModelProto,
  declaredType: 'tree_ensemble' | 'logistic' | undefined,
  nodeCover: number[] | undefined,
  width: number,
  session: InferenceSession,
  TensorClass: typeof Tensor,
): Promise<{ explain: RowExplainer | undefined; explanation: OnnxExplanation; modelType: OnnxModelMetadata['modelType'] }> {
  const none = (reason: string, modelType: OnnxModelMetadata['modelType']) => ({ explain: undefined, explanation: { method: 'none' as const, reason }, modelType });

  const ensemble = readTreeEnsemble(proto, nodeCover ? { nodeCover } : {});
  let explain: RowExplainer;
  let explanation: OnnxExplanation;
  let probes: number[][];
  let modelType: OnnxModelMetadata['modelType'];
  if (ensemble) {
    modelType = 'tree_ensemble';
    if (ensemble.inputName !== ONNX_INPUT_NAME) return none('the tree ensemble does not read the model input directly', modelType);
    if (ensemble.featureCount > width) throw modelInvalid(`the tree ensemble splits on column ${ensemble.featureCount - 1} but the model has ${width} feature_names; export it again.`);
    if (ensemble.aggregateFunction !== 'SUM' && ensemble.aggregateFunction !== 'AVERAGE') return none(`aggregate_function ${ensemble.aggregateFunction} is not additive`, modelType);
    if (ensemble.postTransform !== 'NONE' && ensemble.postTransform !== 'LOGISTIC') return none(`post_transform ${ensemble.postTransform} is not a sigmoid`, modelType);
    const head = readOutputHead(proto, ensemble.outputName, ONNX_OUTPUT_NAME, ensemble.postTransform === 'LOGISTIC');
    if (typeof head === 'string') return none(head, modelType);
    const trees = createTreeExplainer(ensemble);
    explain = (values, row, rowWidth, contributions) => {
      const raw = trees.explainRow(values, row, rowWidth, contributions);
      // Platt calibration is affine in log-odds, so scaling the credits keeps them exact.
      for (let i = 0; i < rowWidth; i++) contributions[i] = contributions[i]! * head.scale;
      return head.scale * raw + head.offset;
    };
    explanation = { method: 'path-attribution', nodeWeighting: ensemble.nodeWeighting, trees: ensemble.trees.length, baseValue: head.scale * trees.baseValue + head.offset };
    probes = treeProbes(ensemble.trees.flatMap((tree) => tree.nodes), width);
  } else {
    const linear = readLinearModel(proto, ONNX_INPUT_NAME);
    modelType = linear ? 'logistic' : declaredType ?? 'unknown';
    if (!linear) return none('the graph is neither a TreeEnsembleRegressor nor a linear map (MatMul, Gemm, LinearRegressor) of the input', modelType);
    if (linear.coefficients.length !== width) throw modelInvalid(`the linear model has ${linear.coefficients.length} coefficients but ${width} feature_names; export it again.`);
    const head = readOutputHead(proto, linear.outputName, ONNX_OUTPUT_NAME, false);
    if (typeof head === 'string') return none(head, modelType);
    const weights = linear.coefficients.map((c) => c * head.scale);
    const intercept = head.scale * linear.intercept + head.offset;
    explain = (values, row, rowWidth, contributions) => {
      let logit = intercept;
      for (let i = 0; i < rowWidth; i++) {
        const credit = weights[i]! * values[row * rowWidth + i]!;
        contributions[i] = contributions[i]! + credit;
        logit += credit;
      }
      return logit;
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

async function compareWithRuntime(explain: RowExplainer, probes: number[][], width: number, session: InferenceSession, TensorClass: typeof Tensor): Promise<string | undefined> {
  const values = Float32Array.from(probes.flat());
  let output: Float32Array;
  try {
    const result = await session.run({ [ONNX_INPUT_NAME]: new TensorClass('float32', values, [probes.length, width]) }, [ONNX_OUTPUT_NAME]);
    output = result[ONNX_OUTPUT_NAME]!.data as Float32Array;
  } catch (error) {
    throw modelInvalid(`onnxruntime failed on a test batch right after loading: ${firstLine(error)}. Export the model again.`, { kind: 'runtime-probe' }, error);
  }
  const credits = new Float64Array(width);
  let worst = 0;
  for (let r = 0; r < probes.length; r++) {
    const expected = output[r]!;
    if (!Number.isFinite(expected)) continue; // e.g. NaN through a linear model: nothing to compare
    credits.fill(0);
    const logit = explain(values, r, width, credits);
    worst = Math.max(worst, Math.abs(1 / (1 + Math.exp(-logit)) - expected));
  }
  return worst > 1e-4 ? `the graph as read for explanations disagrees with onnxruntime by up to ${worst.toExponential(2)} in probability` : undefined;
}

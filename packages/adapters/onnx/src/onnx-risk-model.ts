/**
 * `createOnnxRiskModel`: the RiskModel backed by an ONNX file and onnxruntime-node. Everything that
 * can be wrong with the file (not there, an LFS pointer, truncated, wrong inputs, wrong feature
 * names) fails here, at load; the tree structure for explanations is decoded (and compiled) once,
 * here too. A call reads its rows into typed arrays, runs onnxruntime once for all of them, explains
 * them in one pass when asked, and only then builds the result objects.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { z } from 'zod';
import { describeMissingFeatures, featureSetNamesFor, parseWithSchema, type FeatureSetId, type CallOptions, type RiskModel, type RiskScore } from '@autoheal/core';
import { explainedScores, probabilityScores } from './build-scores.js';
import { aborted, COMPONENT, firstLine, inputInvalid, modelFailed, modelInvalid } from './errors.js';
import { buildExplainer, type OnnxExplanation, type OnnxModelType } from './model-explainer.js';
import { assertLooksLikeOnnx, decodeModel, describeSource, readModelFile } from './model-file.js';
import { describeFeatureMismatch, readModelProperties, type PlattCalibration } from './model-metadata.js';
import { toInteger } from './onnx-graph.js';
import { createRowReader, type OnnxFeatureRow } from './row-reader.js';
import { createScratchBuffers } from './scratch-buffers.js';

export type { OnnxExplanation } from './model-explainer.js';
export type { OnnxFeatureRow } from './row-reader.js';

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
     * @default the names of the feature set its `feature_set` metadata declares: core's
     * `DEFAULT_FEATURE_NAMES` (the seven seed signals) for a model without it, `FEATURE_SET_V2_NAMES` for `v2`
     * (or its first N names, for a v2 model trained before features were appended: core's `featureSetNamesFor`)
     */
    expectedFeatureNames: z.array(z.string().min(1)).min(1).readonly().nullable().optional(),
    /**
     * The features the feature source in use provides (its `featureNames`). Given, a model that needs
     * others is refused at load, naming them and what provides them; absent, nothing is checked here
     * (core's `createPipeline` checks the same when it composes).
     */
    availableFeatures: z.array(z.string().min(1)).readonly().optional(),
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

/** Everything known about the loaded model, for `/readyz`, `doctor` and decision records. */
export interface OnnxModelMetadata {
  name: string;
  version: string;
  modelType: OnnxModelType;
  featureNames: string[];
  /** The feature set the model takes (`feature_set` metadata; `seed` without it). */
  featureSet: FeatureSetId;
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

/** A RiskModel that scores with onnxruntime-node. */
export interface OnnxRiskModel extends RiskModel {
  readonly metadata: OnnxModelMetadata;
  /** The feature set the model takes: `seed` (the seven signals, model v1) or `v2`. */
  readonly featureSet: FeatureSetId;
  score(vector: OnnxFeatureRow, options?: OnnxScoreOptions): Promise<OnnxRiskScore>;
  /** Scores all rows with one `session.run`. */
  scoreBatch(vectors: readonly OnnxFeatureRow[], options?: OnnxScoreOptions): Promise<OnnxRiskScore[]>;
  /** Releases the onnxruntime session; later calls fail with `MODEL_FAILED`. */
  close(): Promise<void>;
}

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
    const expected = options.expectedFeatureNames === undefined ? featureSetNamesFor(properties.featureSet, properties.featureNames) : options.expectedFeatureNames;
    if (expected !== null) {
      const mismatch = describeFeatureMismatch(properties.featureNames, expected);
      if (mismatch) {
        const declared = options.expectedFeatureNames === undefined ? ` (feature set ${properties.featureSet}, ${properties.raw.feature_set === undefined ? 'as a model without feature_set metadata is read' : 'as its feature_set metadata says'})` : '';
        throw modelInvalid(
          `${source} does not take the expected features${declared}: ${mismatch.message}. The model has [${properties.featureNames.join(', ')}]; expected [${expected.join(', ')}]. Load a model trained on these features, or set expectedFeatureNames (null accepts the model's own).`,
          { kind: 'feature-mismatch', missing: mismatch.missing, extra: mismatch.extra, misordered: mismatch.misordered },
        );
      }
    }
    if (options.availableFeatures) {
      const available = options.availableFeatures;
      const notProvided = properties.featureNames.filter((name) => !available.includes(name));
      if (notProvided.length > 0) {
        throw modelInvalid(
          `${source} (feature set ${properties.featureSet}) needs features the feature source does not provide: ${describeMissingFeatures(notProvided)}. The source provides [${available.join(', ')}].`,
          { kind: 'features-not-provided', missing: notProvided, featureSet: properties.featureSet },
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
    featureSet: properties.featureSet,
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

  const readRows = createRowReader(featureNames);
  // The matrices of a call are lent to it until it returns (they live across the await on
  // onnxruntime); the explanation's arrays are filled and read with no await in between, so one
  // set serves every call. All are kept at the size of the largest batch so far.
  const inputs = createScratchBuffers(Float32Array);
  const givenValues = createScratchBuffers(Float64Array);
  let credits = new Float64Array(0);
  let logits = new Float64Array(0);

  async function scoreRows(rows: readonly OnnxFeatureRow[], call: OnnxScoreOptions = {}): Promise<OnnxRiskScore[]> {
    if (call.signal?.aborted) throw aborted(call.signal);
    if (closed) throw modelFailed(`model ${metadata.name}@${metadata.version} is closed; create a new one with createOnnxRiskModel.`);
    if (!Array.isArray(rows)) throw inputInvalid('scoreBatch takes an array of vectors.');
    const count = rows.length;
    if (count === 0) return [];
    const withContributions = (call.contributions ?? options.contributions) && explain !== undefined;
    const cells = count * width;
    const input = inputs.take(cells);
    const given = withContributions ? givenValues.take(cells) : undefined;
    try {
      return await scoreMatrix(rows, count, input.subarray(0, cells), given?.subarray(0, cells));
    } finally {
      inputs.give(input);
      if (given) givenValues.give(given);
    }
  }

  /**
   * Scores `rows` through `values` (float32, what onnxruntime and the tree walk compare) and, when
   * contributions are wanted, `given` (the values as passed, in doubles, because each contribution
   * reports the value that was passed).
   */
  async function scoreMatrix(rows: readonly OnnxFeatureRow[], count: number, values: Float32Array, given: Float64Array | undefined): Promise<OnnxRiskScore[]> {
    const cells = values.length;
    if (given) {
      readRows(rows, given);
      // A plain loop: V8's typed-array-to-typed-array conversion is about ten times slower.
      for (let k = 0; k < cells; k++) values[k] = given[k]!;
    } else {
      readRows(rows, values);
    }

    let output: Float32Array;
    try {
      const result = await session.run({ [ONNX_INPUT_NAME]: new ort.Tensor('float32', values, [count, width]) }, [ONNX_OUTPUT_NAME]);
      output = result[ONNX_OUTPUT_NAME]!.data as Float32Array;
    } catch (error) {
      throw modelFailed(`onnxruntime failed to score ${count} row(s) with ${metadata.name}@${metadata.version}: ${firstLine(error)}.`, error);
    }
    if (output.length !== count) throw modelFailed(`the model returned ${output.length} probabilities for ${count} rows; its output must be [N, 1].`);
    for (let r = 0; r < count; r++) {
      const probability = output[r]!;
      if (!(probability >= 0 && probability <= 1)) {
        const missing = featureNames.filter((_, i) => Number.isNaN(values[r * width + i]!));
        throw modelFailed(`the model returned ${probability} for row ${r}${missing.length > 0 ? ` with missing ${missing.join(', ')}; this ${modelType} model cannot score missing values — collect them, or use a tree model that routes NaN` : ''}.`);
      }
    }

    if (!given || !explain) return probabilityScores(output, count);
    if (credits.length < cells) credits = new Float64Array(cells);
    else credits.fill(0, 0, cells);
    if (logits.length < count) logits = new Float64Array(count);
    else logits.fill(0, 0, count);
    explain(values, count, width, credits, logits);
    return explainedScores(output, count, featureNames, given, credits, explanation.baseValue!);
  }

  return {
    name: metadata.name,
    version: metadata.version,
    featureNames,
    featureSet: properties.featureSet,
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

/**
 * Writes a trained risk model as ONNX in the format the ONNX adapter loads:
 *
 * `features` float32 [N, F] → `TreeEnsembleRegressor` (ai.onnx.ml 3, SUM, one target, NaN routed by
 * `nodes_missing_value_tracks_true`) → raw log-odds → `Mul` a → `Add` b (Platt) → `Sigmoid` →
 * `probability` float32 [N, 1], with the agreed `metadata_props`.
 *
 * The bytes depend only on the model: no timestamps, a fixed node order, float32 values, and
 * metadata written in a fixed key order with canonical JSON.
 */
import onnxProto from 'onnx-proto';
import type { GbdtModel } from '../train/gbdt.js';
import type { PlattCalibration } from '../train/platt.js';

const { onnx } = onnxProto;

/** What goes into the exported file. */
export interface RiskModelExport {
  model: GbdtModel;
  calibration: PlattCalibration;
  featureNames: readonly string[];
  /** The decision threshold on the calibrated probability. */
  threshold: number;
  /** JSON-serialisable summary of how the model was trained (seeds, rows, label, data hash...). */
  trainingSummary: unknown;
  /** @default 'risk' */
  modelName?: string;
  /** @default '1.0.0' */
  modelVersion?: string;
  /**
   * The feature set the model takes (core's `FEATURE_SET_V2_ID` for model v2), written as
   * `feature_set` after `feature_names`. Omitted for the seed features (model v1 has no such key).
   */
  featureSet?: string;
}

/** How the threshold is written (and read back): a fixed number of decimals, so it is stable. */
export function formatThreshold(threshold: number): string {
  return threshold.toFixed(4);
}

/**
 * JSON with object keys sorted at every level, so the same value always gives the same text.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(v as Record<string, unknown>).sort()) sorted[key] = (v as Record<string, unknown>)[key];
      return sorted;
    }
    return v;
  });
}

function attribute(name: string, value: { floats: number[] } | { ints: number[] } | { strings: string[] } | { i: number } | { s: string }) {
  const T = onnx.AttributeProto.AttributeType;
  if ('floats' in value) return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: value.floats });
  if ('ints' in value) return onnx.AttributeProto.create({ name, type: T.INTS, ints: value.ints });
  if ('strings' in value) return onnx.AttributeProto.create({ name, type: T.STRINGS, strings: value.strings.map((s) => new TextEncoder().encode(s)) });
  if ('i' in value) return onnx.AttributeProto.create({ name, type: T.INT, i: value.i });
  return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(value.s) });
}

function floatScalar(name: string, value: number) {
  return onnx.TensorProto.create({ name, dataType: onnx.TensorProto.DataType.FLOAT, dims: [], floatData: [Math.fround(value)] });
}

function floatTensorInfo(name: string, dims: Array<string | number>) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) => (typeof d === 'string' ? onnx.TensorShapeProto.Dimension.create({ dimParam: d }) : onnx.TensorShapeProto.Dimension.create({ dimValue: d }))),
        }),
      }),
    }),
  });
}

/** The calibration exactly as stored (float32), which the TypeScript model must use to match. */
export function storedCalibration(calibration: PlattCalibration): PlattCalibration {
  return { method: 'platt', a: Math.fround(calibration.a), b: Math.fround(calibration.b) };
}

/** Builds the ONNX bytes. Same input, same bytes. */
export function exportRiskModelToOnnx(input: RiskModelExport): Uint8Array {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const missingTracksTrue: number[] = [];
  const targetTreeIds: number[] = [];
  const targetNodeIds: number[] = [];
  const targetIds: number[] = [];
  const targetWeights: number[] = [];

  // An ensemble with no tree (nothing learned) still needs one node: a zero leaf.
  const trees = input.model.trees.length > 0 ? input.model.trees : [{ nodes: [{ kind: 'leaf' as const, value: 0 }] }];
  trees.forEach((tree, treeId) => {
    tree.nodes.forEach((node, nodeId) => {
      treeIds.push(treeId);
      nodeIds.push(nodeId);
      if (node.kind === 'split') {
        featureIds.push(node.feature);
        modes.push('BRANCH_LEQ');
        values.push(Math.fround(node.threshold));
        trueIds.push(node.left);
        falseIds.push(node.right);
        missingTracksTrue.push(node.missingGoesLeft ? 1 : 0);
      } else {
        featureIds.push(0);
        modes.push('LEAF');
        values.push(0);
        trueIds.push(0);
        falseIds.push(0);
        missingTracksTrue.push(0);
        targetTreeIds.push(treeId);
        targetNodeIds.push(nodeId);
        targetIds.push(0);
        targetWeights.push(Math.fround(node.value));
      }
    });
  });

  const calibration = storedCalibration(input.calibration);
  const featureCount = input.featureNames.length;
  const graph = onnx.GraphProto.create({
    name: input.modelName ?? 'risk',
    node: [
      onnx.NodeProto.create({
        name: 'trees',
        opType: 'TreeEnsembleRegressor',
        domain: 'ai.onnx.ml',
        input: ['features'],
        output: ['log_odds'],
        attribute: [
          attribute('aggregate_function', { s: 'SUM' }),
          attribute('base_values', { floats: [Math.fround(input.model.baseScore)] }),
          attribute('n_targets', { i: 1 }),
          attribute('nodes_falsenodeids', { ints: falseIds }),
          attribute('nodes_featureids', { ints: featureIds }),
          attribute('nodes_missing_value_tracks_true', { ints: missingTracksTrue }),
          attribute('nodes_modes', { strings: modes }),
          attribute('nodes_nodeids', { ints: nodeIds }),
          attribute('nodes_treeids', { ints: treeIds }),
          attribute('nodes_truenodeids', { ints: trueIds }),
          attribute('nodes_values', { floats: values }),
          attribute('post_transform', { s: 'NONE' }),
          attribute('target_ids', { ints: targetIds }),
          attribute('target_nodeids', { ints: targetNodeIds }),
          attribute('target_treeids', { ints: targetTreeIds }),
          attribute('target_weights', { floats: targetWeights }),
        ],
      }),
      onnx.NodeProto.create({ name: 'platt_scale', opType: 'Mul', input: ['log_odds', 'platt_a'], output: ['scaled'] }),
      onnx.NodeProto.create({ name: 'platt_shift', opType: 'Add', input: ['scaled', 'platt_b'], output: ['calibrated_log_odds'] }),
      onnx.NodeProto.create({ name: 'to_probability', opType: 'Sigmoid', input: ['calibrated_log_odds'], output: ['probability'] }),
    ],
    initializer: [floatScalar('platt_a', calibration.a), floatScalar('platt_b', calibration.b)],
    input: [floatTensorInfo('features', ['N', featureCount])],
    output: [floatTensorInfo('probability', ['N', 1])],
  });

  const metadata: Array<[string, string]> = [
    ['feature_names', JSON.stringify([...input.featureNames])],
    ...(input.featureSet === undefined ? [] : ([['feature_set', input.featureSet]] as Array<[string, string]>)),
    ['model_name', input.modelName ?? 'risk'],
    ['model_version', input.modelVersion ?? '1.0.0'],
    ['threshold', formatThreshold(input.threshold)],
    ['model_type', 'tree_ensemble'],
    ['calibration', canonicalJson(calibration)],
    ['training_summary', canonicalJson(input.trainingSummary)],
    ['created_by', '@autoheal/trainer'],
  ];
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: 17 }), onnx.OperatorSetIdProto.create({ domain: 'ai.onnx.ml', version: 3 })],
    producerName: '@autoheal/trainer',
    producerVersion: '1.0.0',
    modelVersion: 1,
    graph,
    metadataProps: metadata.map(([key, value]) => onnx.StringStringEntryProto.create({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

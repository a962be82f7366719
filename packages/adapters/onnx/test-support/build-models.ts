/**
 * Builds small ONNX models in memory with onnx-proto, for tests: tree ensembles with known splits
 * (including NaN routing), logistic models in three graph forms, and broken variants.
 */
import { DEFAULT_FEATURE_NAMES, FEATURE_SET_V2_NAMES } from '@autoheal/core';
import { HEALTHY_FEATURES_V2 } from '@autoheal/core/testing';
import onnxProto from 'onnx-proto';
import { onnx, type NodeProto } from '../src/onnx-graph.js';

type IAttributeProto = onnxProto.onnx.IAttributeProto;
type IValueInfoProto = onnxProto.onnx.IValueInfoProto;
type ITensorProto = onnxProto.onnx.ITensorProto;

const A = onnx.AttributeProto.AttributeType;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const DOUBLE = onnx.TensorProto.DataType.DOUBLE;
const encoder = new TextEncoder();

/** A tree written as nested nodes; ids are assigned in pre-order. */
export type TreeSpec =
  | { leaf: number; cover?: number }
  | { feature: number; threshold: number; mode?: string; missingTrue?: boolean; yes: TreeSpec; no: TreeSpec; cover?: number };

type AttributeValue = string | number | string[] | { floats: number[] } | { ints: number[] };

function attribute(name: string, value: AttributeValue): IAttributeProto {
  if (typeof value === 'string') return { name, type: A.STRING, s: encoder.encode(value) };
  if (typeof value === 'number') return { name, type: A.INT, i: value };
  if (Array.isArray(value)) return { name, type: A.STRINGS, strings: value.map((s) => encoder.encode(s)) };
  if ('floats' in value) return { name, type: A.FLOATS, floats: value.floats };
  return { name, type: A.INTS, ints: value.ints };
}

function valueInfo(name: string, elemType: number, dims: Array<number | string>): IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } } };
}

function scalar(name: string, value: number): ITensorProto {
  return { name, dataType: FLOAT, dims: [], floatData: [value] };
}

/** Default metadata of a test model; `overrides` replace or (with `undefined`) remove keys. */
export function testMetadata(featureNames: readonly string[], overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const entries: Record<string, string | undefined> = {
    feature_names: JSON.stringify(featureNames),
    model_name: 'test-risk',
    model_version: '1.2.3',
    threshold: '0.42',
    model_type: 'tree_ensemble',
    training_summary: JSON.stringify({ rows: 1000, prAuc: 0.8 }),
    created_by: 'adapter-onnx tests',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(entries).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Options shared by every builder. */
export interface ModelShape {
  featureNames?: readonly string[];
  metadata?: Record<string, string>;
  inputName?: string;
  inputType?: number;
  /** Declared input width; defaults to the number of feature names. */
  inputWidth?: number;
  outputName?: string;
  /** Appends a Cast of the probability to double. */
  doubleOutput?: boolean;
}

function encodeModel(shape: ModelShape, width: number, core: NodeProto[], initializers: ITensorProto[], scoreTensor: string): Uint8Array {
  const featureNames = shape.featureNames ?? DEFAULT_FEATURE_NAMES;
  const outputName = shape.outputName ?? 'probability';
  const nodes = [...core];
  if (shape.doubleOutput) {
    nodes.push({ opType: 'Cast', input: [scoreTensor], output: [outputName], attribute: [attribute('to', DOUBLE)] });
  } else {
    nodes.push({ opType: 'Identity', input: [scoreTensor], output: [outputName] });
  }
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'adapter-onnx-tests',
    producerVersion: '0',
    opsetImport: [{ domain: '', version: 17 }, { domain: 'ai.onnx.ml', version: 3 }],
    metadataProps: Object.entries(shape.metadata ?? testMetadata(featureNames)).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'risk',
      node: nodes,
      initializer: initializers,
      input: [valueInfo(shape.inputName ?? 'features', shape.inputType ?? FLOAT, ['N', shape.inputWidth ?? width])],
      output: [valueInfo(outputName, shape.doubleOutput ? DOUBLE : FLOAT, ['N', 1])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Options of {@link buildTreeModel}. */
export interface TreeModelSpec extends ModelShape {
  trees: TreeSpec[];
  baseValue: number;
  /** Platt calibration in the graph: `Mul` by a, `Add` b, before the sigmoid. */
  calibration?: { a: number; b: number };
  /** Writes each node's `cover` as `nodes_hitrates`. */
  hitRates?: boolean;
  aggregate?: string;
  /** Appends `Mul` by this after the sigmoid (a graph the explainer must refuse to explain). */
  mulAfterSigmoid?: number;
  /** Leaves the sigmoid out, so the output is the raw log-odds. @default false */
  withoutSigmoid?: boolean;
}

/** A `TreeEnsembleRegressor` → (Platt) → `Sigmoid` model. */
export function buildTreeModel(spec: TreeModelSpec): Uint8Array {
  const width = (spec.featureNames ?? DEFAULT_FEATURE_NAMES).length;
  const n = { treeIds: [] as number[], nodeIds: [] as number[], features: [] as number[], modes: [] as string[], values: [] as number[], yes: [] as number[], no: [] as number[], missing: [] as number[], hitRates: [] as number[] };
  const t = { treeIds: [] as number[], nodeIds: [] as number[], weights: [] as number[] };
  spec.trees.forEach((tree, treeId) => {
    let next = 0;
    const visit = (node: TreeSpec): number => {
      const id = next++;
      const at = n.nodeIds.length;
      n.treeIds.push(treeId);
      n.nodeIds.push(id);
      n.hitRates.push(node.cover ?? 1);
      if ('leaf' in node) {
        n.features.push(0);
        n.modes.push('LEAF');
        n.values.push(0);
        n.yes.push(0);
        n.no.push(0);
        n.missing.push(0);
        t.treeIds.push(treeId);
        t.nodeIds.push(id);
        t.weights.push(node.leaf);
        return id;
      }
      n.features.push(node.feature);
      n.modes.push(node.mode ?? 'BRANCH_LEQ');
      n.values.push(node.threshold);
      n.missing.push(node.missingTrue ? 1 : 0);
      n.yes.push(-1);
      n.no.push(-1);
      n.yes[at] = visit(node.yes);
      n.no[at] = visit(node.no);
      return id;
    };
    visit(tree);
  });
  const attributes = [
    attribute('n_targets', 1),
    attribute('aggregate_function', spec.aggregate ?? 'SUM'),
    attribute('post_transform', 'NONE'),
    attribute('base_values', { floats: [spec.baseValue] }),
    attribute('nodes_treeids', { ints: n.treeIds }),
    attribute('nodes_nodeids', { ints: n.nodeIds }),
    attribute('nodes_featureids', { ints: n.features }),
    attribute('nodes_modes', n.modes),
    attribute('nodes_values', { floats: n.values }),
    attribute('nodes_truenodeids', { ints: n.yes }),
    attribute('nodes_falsenodeids', { ints: n.no }),
    attribute('nodes_missing_value_tracks_true', { ints: n.missing }),
    attribute('target_treeids', { ints: t.treeIds }),
    attribute('target_nodeids', { ints: t.nodeIds }),
    attribute('target_ids', { ints: t.treeIds.map(() => 0) }),
    attribute('target_weights', { floats: t.weights }),
  ];
  if (spec.hitRates) attributes.push(attribute('nodes_hitrates', { floats: n.hitRates }));
  const inputName = spec.inputName ?? 'features';
  const nodes: NodeProto[] = [{ opType: 'TreeEnsembleRegressor', domain: 'ai.onnx.ml', name: 'trees', input: [inputName], output: ['raw'], attribute: attributes }];
  const initializers: ITensorProto[] = [];
  let logit = 'raw';
  if (spec.calibration) {
    initializers.push(scalar('platt_a', spec.calibration.a), scalar('platt_b', spec.calibration.b));
    nodes.push({ opType: 'Mul', input: ['raw', 'platt_a'], output: ['scaled'] }, { opType: 'Add', input: ['scaled', 'platt_b'], output: ['calibrated'] });
    logit = 'calibrated';
  }
  if (!spec.withoutSigmoid) nodes.push({ opType: 'Sigmoid', input: [logit], output: ['sigmoid'] });
  let score = spec.withoutSigmoid ? logit : 'sigmoid';
  if (spec.mulAfterSigmoid !== undefined) {
    initializers.push(scalar('after', spec.mulAfterSigmoid));
    nodes.push({ opType: 'Mul', input: ['sigmoid', 'after'], output: ['shrunk'] });
    score = 'shrunk';
  }
  return encodeModel(spec, width, nodes, initializers, score);
}

/** Options of {@link buildLogisticModel}. */
export interface LogisticModelSpec extends ModelShape {
  weights: number[];
  intercept: number;
  form: 'matmul' | 'gemm' | 'linear-regressor';
}

/** `sigmoid(x · w + b)` as `MatMul`+`Add`, `Gemm`, or `LinearRegressor`. */
export function buildLogisticModel(spec: LogisticModelSpec): Uint8Array {
  const width = spec.weights.length;
  const inputName = spec.inputName ?? 'features';
  const nodes: NodeProto[] = [];
  const initializers: ITensorProto[] = [];
  if (spec.form === 'matmul') {
    initializers.push({ name: 'w', dataType: FLOAT, dims: [width, 1], floatData: spec.weights }, scalar('b', spec.intercept));
    nodes.push({ opType: 'MatMul', input: [inputName, 'w'], output: ['xw'] }, { opType: 'Add', input: ['xw', 'b'], output: ['logit'] });
  } else if (spec.form === 'gemm') {
    initializers.push({ name: 'w', dataType: FLOAT, dims: [1, width], floatData: spec.weights }, { name: 'b', dataType: FLOAT, dims: [1], floatData: [spec.intercept] });
    nodes.push({ opType: 'Gemm', input: [inputName, 'w', 'b'], output: ['logit'], attribute: [attribute('transB', 1)] });
  } else {
    nodes.push({
      opType: 'LinearRegressor',
      domain: 'ai.onnx.ml',
      input: [inputName],
      output: ['logit'],
      attribute: [attribute('coefficients', { floats: spec.weights }), attribute('intercepts', { floats: [spec.intercept] }), attribute('targets', 1)],
    });
  }
  nodes.push({ opType: 'Sigmoid', input: ['logit'], output: ['sigmoid'] });
  const metadata = spec.metadata ?? testMetadata(spec.featureNames ?? DEFAULT_FEATURE_NAMES, { model_type: 'logistic' });
  return encodeModel({ ...spec, metadata }, width, nodes, initializers, 'sigmoid');
}

/**
 * The three-tree ensemble most tests use, over the seven default features (column numbers in the
 * comments). Monotone in the harmful features, so it also passes the conformance suite.
 */
export const RISK_TREES: TreeSpec[] = [
  // Tree 0: restarts (0) <= 0.5, a missing count goes to the risky side (plain NaN comparison);
  // then 5xx (6) <= 1, a missing 5xx rate is routed to the "yes" side explicitly.
  { feature: 0, threshold: 0.5, yes: { feature: 6, threshold: 1, missingTrue: true, yes: { leaf: -1.0 }, no: { leaf: 0.8 } }, no: { leaf: 1.5 } },
  // Tree 1: ready ratio (3) < 0.9 (missing → yes), else unavailable (4) > 0.5.
  { feature: 3, threshold: 0.9, mode: 'BRANCH_LT', missingTrue: true, yes: { leaf: 1.2 }, no: { feature: 4, threshold: 0.5, mode: 'BRANCH_GT', yes: { leaf: 0.6 }, no: { leaf: -0.4 } } },
  // Tree 2: cpu (1) >= 90.
  { feature: 1, threshold: 90, mode: 'BRANCH_GTE', yes: { leaf: 0.3 }, no: { leaf: -0.1 } },
];

/** Base value of {@link RISK_TREES}. */
export const RISK_TREES_BASE = -0.5;

/** Coefficients of the test logistic model, in default-feature order. */
export const LOGISTIC_WEIGHTS = [0.8, 0.01, 0, -3, 0.9, 0, 0.5];
/** Intercept of the test logistic model. */
export const LOGISTIC_INTERCEPT = 1;

/** The original project's example body (seed README). */
export const SEED_EXAMPLE = {
  restart_count_last_5m: 0,
  cpu_usage_pct: 10,
  memory_usage_bytes: 52428800,
  ready_replica_ratio: 1,
  unavailable_replicas: 0,
  network_receive_bytes_per_s: 86,
  http_5xx_error_rate: 0,
};

/** The logistic function. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** A small deterministic generator (mulberry32), so generated models are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MODES = ['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT'];

/** `count` random full trees of `depth` over `width` features in [0, 10), with random modes and NaN routing. */
export function randomTrees(seed: number, count: number, depth: number, width: number): TreeSpec[] {
  const random = seededRandom(seed);
  const grow = (level: number): TreeSpec => {
    const cover = 1 + Math.floor(random() * 100);
    if (level === depth) return { leaf: Math.round((random() - 0.5) * 200) / 100, cover };
    return { feature: Math.floor(random() * width), threshold: Math.round(random() * 1000) / 100, mode: MODES[Math.floor(random() * MODES.length)]!, missingTrue: random() < 0.5, cover, yes: grow(level + 1), no: grow(level + 1) };
  };
  return Array.from({ length: count }, () => grow(0));
}

const v2 = (name: (typeof FEATURE_SET_V2_NAMES)[number]): number => FEATURE_SET_V2_NAMES.indexOf(name);

/**
 * A three-tree ensemble over feature set v2, monotone in its harmful features: the error ratio over
 * 5%, the ready ratio under 0.75 (missing → risky), restarts over half a restart per pod.
 */
export const RISK_TREES_V2: TreeSpec[] = [
  { feature: v2('http_error_ratio'), threshold: 0.05, mode: 'BRANCH_GT', yes: { leaf: 2.5 }, no: { leaf: -1.0 } },
  { feature: v2('ready_replica_ratio'), threshold: 0.75, mode: 'BRANCH_LT', missingTrue: true, yes: { leaf: 2.5 }, no: { leaf: -0.5 } },
  { feature: v2('restarts_per_pod'), threshold: 0.5, mode: 'BRANCH_GT', yes: { leaf: 2.0 }, no: { leaf: -0.3 } },
];

/** Base value of {@link RISK_TREES_V2}. */
export const RISK_TREES_V2_BASE = -0.5;

/** The tuned threshold the v2 test model's metadata recommends. */
export const V2_TEST_THRESHOLD = 0.4;

/**
 * A v2 model as the trainer writes one: `feature_set: v2`, the v2 names in their order, a threshold.
 * `overrides` change or (with `undefined`) remove metadata keys.
 */
export function buildV2TreeModel(overrides: Record<string, string | undefined> = {}): Uint8Array {
  return buildTreeModel({
    trees: RISK_TREES_V2,
    baseValue: RISK_TREES_V2_BASE,
    featureNames: FEATURE_SET_V2_NAMES,
    metadata: testMetadata(FEATURE_SET_V2_NAMES, { model_name: 'test-risk-v2', model_version: '2.0.0', threshold: String(V2_TEST_THRESHOLD), feature_set: 'v2', ...overrides }),
  });
}

/** A healthy v2 vector: core's `HEALTHY_FEATURES_V2` (a big service, no rollout, no earlier release in the window). */
export const HEALTHY_V2 = HEALTHY_FEATURES_V2;

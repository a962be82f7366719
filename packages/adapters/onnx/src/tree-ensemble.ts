/**
 * Reads a `TreeEnsembleRegressor` (ai.onnx.ml) out of an ONNX graph into plain trees, and explains
 * one row with path attribution (Saabas): walk each tree from its root along the path the row takes
 * — the NaN rule included — and credit every split's change in expected node value to the feature
 * split on. The credits plus the base value add up to the ensemble's raw score exactly.
 */
import { modelInvalid } from './errors.js';
import { floatAttribute, intAttribute, intsAttribute, realsAttribute, stringAttribute, stringsAttribute, type ModelProto, type NodeProto } from './onnx-graph.js';

/** How a split compares the feature value `x` with the threshold `t`; the true branch is taken when it holds. */
export type BranchMode = 'BRANCH_LEQ' | 'BRANCH_LT' | 'BRANCH_GTE' | 'BRANCH_GT' | 'BRANCH_EQ' | 'BRANCH_NEQ';

/** One node of a decoded tree. Children are indices into the tree's `nodes` array. */
export interface TreeNode {
  /** The node id in the ONNX attributes. */
  id: number;
  /** `LEAF`, or the comparison of a split. */
  mode: BranchMode | 'LEAF';
  /** Input column compared at a split (`-1` on a leaf). */
  featureIndex: number;
  threshold: number;
  /** Index of the child taken when the comparison holds (`-1` on a leaf). */
  trueChild: number;
  falseChild: number;
  /** Whether a NaN value goes to the true child (`nodes_missing_value_tracks_true`). */
  missingTracksTrue: boolean;
  /** The leaf's output for target 0 (0 at a split). */
  weight: number;
  /** How many training rows reached the node, when the model says (`nodes_hitrates` or `node_cover` metadata). */
  cover: number | undefined;
  /** Expected output of the subtree: the leaf weight, or the children's values averaged (equally, or by cover). */
  value: number;
}

/** One decoded tree; `nodes[root]` is its root. */
export interface DecisionTree {
  treeId: number;
  root: number;
  nodes: TreeNode[];
}

/** A decoded tree ensemble, independent of onnxruntime. */
export interface TreeEnsemble {
  /** Name of the graph tensor the ensemble reads (the model input). */
  inputName: string;
  /** Name of the tensor it writes (the raw score, before any calibration and sigmoid). */
  outputName: string;
  trees: DecisionTree[];
  /** `base_values[0]`, added once to the aggregated tree outputs. */
  baseValue: number;
  aggregateFunction: 'SUM' | 'AVERAGE' | 'MIN' | 'MAX';
  /** `NONE` or `LOGISTIC` (a sigmoid applied by the operator itself). */
  postTransform: string;
  /** How node values were averaged: equally, or by cover when every node has one. */
  nodeWeighting: 'equal' | 'cover';
  /** Highest feature index used by any split, plus one. */
  featureCount: number;
}

/** Options for {@link readTreeEnsemble}. */
export interface ReadTreeEnsembleOptions {
  /**
   * Cover (training rows reaching each node), in the order of the `nodes_*` attributes. Overrides
   * `nodes_hitrates`. The adapter passes the model's `node_cover` metadata here.
   */
  nodeCover?: readonly number[];
}

const BRANCH_MODES = new Set<string>(['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ', 'LEAF']);

/** Finds the graph's `TreeEnsembleRegressor` node; `undefined` when there is none. */
export function findTreeEnsembleNode(model: ModelProto): NodeProto | undefined {
  return model.graph?.node?.find((node) => node.opType === 'TreeEnsembleRegressor' && node.domain === 'ai.onnx.ml') ?? undefined;
}

/**
 * Decodes the `TreeEnsembleRegressor` of an ONNX model into trees with expected node values.
 * Returns `undefined` when the graph has no such node; throws `MODEL_INVALID` when the attributes
 * are inconsistent (lengths differ, a child id does not exist, a tree has a cycle or no root).
 *
 * @example
 * const ensemble = readTreeEnsemble(onnx.ModelProto.decode(bytes));
 * console.log(ensemble?.trees.length, ensemble?.baseValue);
 */
export function readTreeEnsemble(model: ModelProto, options: ReadTreeEnsembleOptions = {}): TreeEnsemble | undefined {
  const node = findTreeEnsembleNode(model);
  if (!node) return undefined;
  const fail = (what: string) => modelInvalid(`the TreeEnsembleRegressor "${node.name ?? ''}" is malformed: ${what}. Export the model again with @autoheal/trainer.`);

  const treeIds = intsAttribute(node, 'nodes_treeids');
  const nodeIds = intsAttribute(node, 'nodes_nodeids');
  const featureIds = intsAttribute(node, 'nodes_featureids');
  const modes = stringsAttribute(node, 'nodes_modes');
  const thresholds = realsAttribute(node, 'nodes_values');
  const trueIds = intsAttribute(node, 'nodes_truenodeids');
  const falseIds = intsAttribute(node, 'nodes_falsenodeids');
  const missingTrue = intsAttribute(node, 'nodes_missing_value_tracks_true');
  const hitRates = realsAttribute(node, 'nodes_hitrates');
  const count = nodeIds.length;
  for (const [name, list] of [['nodes_treeids', treeIds], ['nodes_featureids', featureIds], ['nodes_modes', modes], ['nodes_values', thresholds], ['nodes_truenodeids', trueIds], ['nodes_falsenodeids', falseIds]] as const) {
    if (list.length !== count) throw fail(`${name} has ${list.length} entries but nodes_nodeids has ${count}`);
  }
  if (count === 0) throw fail('it has no nodes');
  const covers = options.nodeCover ?? (hitRates.length === count ? hitRates : undefined);
  if (covers && covers.length !== count) throw fail(`node_cover has ${covers.length} entries for ${count} nodes`);

  // Group node positions by tree, and index them by (tree, node id).
  const trees = new Map<number, DecisionTree>();
  const positionOf = new Map<string, number>();
  for (let k = 0; k < count; k++) {
    const treeId = treeIds[k]!;
    const mode = modes[k]!;
    if (!BRANCH_MODES.has(mode)) throw fail(`node ${treeId}/${nodeIds[k]} has unknown mode ${mode}`);
    let tree = trees.get(treeId);
    if (!tree) {
      tree = { treeId, root: -1, nodes: [] };
      trees.set(treeId, tree);
    }
    positionOf.set(`${treeId}/${nodeIds[k]}`, tree.nodes.length);
    tree.nodes.push({
      id: nodeIds[k]!,
      mode: mode as TreeNode['mode'],
      featureIndex: mode === 'LEAF' ? -1 : featureIds[k]!,
      threshold: thresholds[k]!,
      trueChild: -1,
      falseChild: -1,
      missingTracksTrue: (missingTrue[k] ?? 0) !== 0,
      weight: 0,
      cover: covers?.[k],
      value: 0,
    });
  }
  // Wire children by id, and find each tree's root: the one node nobody points at.
  for (let k = 0; k < count; k++) {
    if (modes[k] === 'LEAF') continue;
    const tree = trees.get(treeIds[k]!)!;
    const self = tree.nodes[positionOf.get(`${treeIds[k]}/${nodeIds[k]}`)!]!;
    const trueIndex = positionOf.get(`${treeIds[k]}/${trueIds[k]}`);
    const falseIndex = positionOf.get(`${treeIds[k]}/${falseIds[k]}`);
    if (trueIndex === undefined || falseIndex === undefined) throw fail(`node ${treeIds[k]}/${nodeIds[k]} points at a child that does not exist`);
    self.trueChild = trueIndex;
    self.falseChild = falseIndex;
  }
  for (const tree of trees.values()) {
    const pointedAt = new Set<number>();
    for (const n of tree.nodes) if (n.mode !== 'LEAF') pointedAt.add(n.trueChild).add(n.falseChild);
    const roots = tree.nodes.map((_, index) => index).filter((index) => !pointedAt.has(index));
    if (roots.length !== 1) throw fail(`tree ${tree.treeId} has ${roots.length} roots`);
    tree.root = roots[0]!;
  }

  // Leaf weights for target 0; several entries for one leaf add up, as in onnxruntime.
  const targetTrees = intsAttribute(node, 'target_treeids');
  const targetNodes = intsAttribute(node, 'target_nodeids');
  const targetIds = intsAttribute(node, 'target_ids');
  const targetWeights = realsAttribute(node, 'target_weights');
  if (targetTrees.length !== targetNodes.length || targetNodes.length !== targetWeights.length) throw fail('the target_* attributes have different lengths');
  for (let k = 0; k < targetNodes.length; k++) {
    if ((targetIds[k] ?? 0) !== 0) continue;
    const tree = trees.get(targetTrees[k]!);
    const index = positionOf.get(`${targetTrees[k]}/${targetNodes[k]}`);
    if (!tree || index === undefined) throw fail(`a target weight points at node ${targetTrees[k]}/${targetNodes[k]}, which does not exist`);
    tree.nodes[index]!.weight += targetWeights[k]!;
  }

  const byCover = covers !== undefined;
  let featureCount = 0;
  for (const tree of trees.values()) {
    computeValues(tree, byCover, fail);
    for (const n of tree.nodes) featureCount = Math.max(featureCount, n.featureIndex + 1);
  }
  const aggregate = stringAttribute(node, 'aggregate_function', 'SUM');
  if (aggregate !== 'SUM' && aggregate !== 'AVERAGE' && aggregate !== 'MIN' && aggregate !== 'MAX') throw fail(`aggregate_function ${aggregate} is unknown`);
  const nTargets = intAttribute(node, 'n_targets', 1);
  if (nTargets !== 1) throw fail(`n_targets is ${nTargets}; a risk model has exactly one output score`);
  const baseValues = realsAttribute(node, 'base_values');

  return {
    inputName: node.input?.[0] ?? '',
    outputName: node.output?.[0] ?? '',
    trees: [...trees.values()],
    baseValue: baseValues[0] ?? floatAttribute(node, 'base_value', 0),
    aggregateFunction: aggregate,
    postTransform: stringAttribute(node, 'post_transform', 'NONE'),
    nodeWeighting: byCover ? 'cover' : 'equal',
    featureCount,
  };
}

/** Fills `value` bottom-up (iteratively, so a deep tree cannot overflow the stack). */
function computeValues(tree: DecisionTree, byCover: boolean, fail: (what: string) => Error): void {
  const state = new Uint8Array(tree.nodes.length); // 0 unseen, 1 children pending, 2 done
  const stack = [tree.root];
  while (stack.length > 0) {
    const index = stack[stack.length - 1]!;
    const n = tree.nodes[index]!;
    if (n.mode === 'LEAF') {
      n.value = n.weight;
      state[index] = 2;
      stack.pop();
      continue;
    }
    if (state[index] === 0) {
      state[index] = 1;
      for (const child of [n.trueChild, n.falseChild]) {
        if (state[child] === 1) throw fail(`tree ${tree.treeId} has a cycle through node ${tree.nodes[child]!.id}`);
        if (state[child] === 0) stack.push(child);
      }
      continue;
    }
    stack.pop();
    const left = tree.nodes[n.trueChild]!;
    const right = tree.nodes[n.falseChild]!;
    const leftCover = left.cover ?? 0;
    const rightCover = right.cover ?? 0;
    n.value = byCover && leftCover + rightCover > 0 ? (left.value * leftCover + right.value * rightCover) / (leftCover + rightCover) : (left.value + right.value) / 2;
    state[index] = 2;
  }
  const unreachable = tree.nodes.filter((_, index) => state[index] !== 2).length;
  if (unreachable > 0) throw fail(`tree ${tree.treeId} has ${unreachable} node(s) unreachable from its root`);
}

const MODE_CODE: Record<TreeNode['mode'], number> = { LEAF: 0, BRANCH_LEQ: 1, BRANCH_LT: 2, BRANCH_GTE: 3, BRANCH_GT: 4, BRANCH_EQ: 5, BRANCH_NEQ: 6 };

/**
 * A tree ensemble flattened into typed arrays, to explain many rows quickly. Only additive
 * ensembles (`SUM`, `AVERAGE`) can be explained; the caller checks that first.
 */
export interface TreeExplainer {
  /**
   * Walks every tree for the row at `row * width` in `values`, adds each feature's credit to
   * `contributions` (length = width, in raw-score units) and returns the raw score.
   */
  explainRow(values: Float32Array, row: number, width: number, contributions: Float64Array): number;
  /** Base value of the attribution: `base_values[0]` plus the (aggregated) root values. */
  baseValue: number;
}

/** Builds a {@link TreeExplainer} for a `SUM` or `AVERAGE` ensemble. */
export function createTreeExplainer(ensemble: TreeEnsemble): TreeExplainer {
  if (ensemble.aggregateFunction !== 'SUM' && ensemble.aggregateFunction !== 'AVERAGE') {
    throw new Error(`aggregate_function ${ensemble.aggregateFunction} is not additive`);
  }
  const total = ensemble.trees.reduce((sum, tree) => sum + tree.nodes.length, 0);
  const mode = new Uint8Array(total);
  const feature = new Int32Array(total);
  const threshold = new Float64Array(total);
  const trueChild = new Int32Array(total);
  const falseChild = new Int32Array(total);
  const missingTrue = new Uint8Array(total);
  const value = new Float64Array(total);
  // Credit of each edge, precomputed: value(child) - value(node), already scaled for AVERAGE.
  const trueCredit = new Float64Array(total);
  const falseCredit = new Float64Array(total);
  const roots = new Int32Array(ensemble.trees.length);
  let offset = 0;
  let rootSum = 0;
  ensemble.trees.forEach((tree, t) => {
    roots[t] = offset + tree.root;
    rootSum += tree.nodes[tree.root]!.value;
    tree.nodes.forEach((n, i) => {
      const k = offset + i;
      mode[k] = MODE_CODE[n.mode];
      feature[k] = n.featureIndex;
      threshold[k] = n.threshold;
      trueChild[k] = offset + n.trueChild;
      falseChild[k] = offset + n.falseChild;
      missingTrue[k] = n.missingTracksTrue ? 1 : 0;
      value[k] = n.value;
    });
    offset += tree.nodes.length;
  });
  const scale = ensemble.aggregateFunction === 'AVERAGE' ? 1 / ensemble.trees.length : 1;
  for (let k = 0; k < total; k++) {
    if (mode[k] === 0) continue;
    trueCredit[k] = (value[trueChild[k]!]! - value[k]!) * scale;
    falseCredit[k] = (value[falseChild[k]!]! - value[k]!) * scale;
  }

  return {
    baseValue: ensemble.baseValue + rootSum * scale,
    explainRow(values, row, width, contributions) {
      const start = row * width;
      let leaves = 0;
      for (let t = 0; t < roots.length; t++) {
        let k = roots[t]!;
        let m = mode[k]!;
        while (m !== 0) {
          const f = feature[k]!;
          const x = values[start + f]!;
          const th = threshold[k]!;
          // Same comparisons as onnxruntime. Every comparison but != is false for NaN, so the
          // explicit missing-value rule only needs checking when the comparison failed.
          let goTrue = m === 1 ? x <= th : m === 2 ? x < th : m === 3 ? x >= th : m === 4 ? x > th : m === 5 ? x === th : x !== th;
          if (!goTrue && missingTrue[k] === 1 && x !== x) goTrue = true;
          if (goTrue) {
            contributions[f] = contributions[f]! + trueCredit[k]!;
            k = trueChild[k]!;
          } else {
            contributions[f] = contributions[f]! + falseCredit[k]!;
            k = falseChild[k]!;
          }
          m = mode[k]!;
        }
        leaves += value[k]!;
      }
      return ensemble.baseValue + leaves * scale;
    },
  };
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildTreeModel, randomTrees, seededRandom, type TreeSpec } from '../test-support/build-models.js';
import { compileTreeExplainer } from './compiled-tree-explainer.js';
import { onnx } from './onnx-graph.js';
import { createTreeExplainer, readTreeEnsemble, type TreeEnsemble } from './tree-ensemble.js';

const ALL_MODES = ['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ'];

/** Random trees using all six comparisons, thresholds on a coarse grid so rows hit them exactly. */
function treesWithEveryMode(seed: number, count: number, depth: number, width: number): TreeSpec[] {
  const random = seededRandom(seed);
  const grow = (level: number): TreeSpec => {
    const cover = 1 + Math.floor(random() * 50);
    if (level === depth) return { leaf: Math.round((random() - 0.5) * 400) / 100, cover };
    const mode = ALL_MODES[Math.floor(random() * ALL_MODES.length)]!;
    return { feature: Math.floor(random() * width), threshold: Math.floor(random() * 8) - 2, mode, missingTrue: random() < 0.5, cover, yes: grow(level + 1), no: grow(level + 1) };
  };
  return Array.from({ length: count }, () => grow(0));
}

function ensembleOf(trees: TreeSpec[], width: number, options: { aggregate?: string; hitRates?: boolean } = {}): TreeEnsemble {
  const featureNames = Array.from({ length: width }, (_, i) => `f${i}`);
  const bytes = buildTreeModel({ trees, baseValue: 0.125, featureNames, ...options });
  return readTreeEnsemble(onnx.ModelProto.decode(bytes))!;
}

/** Rows on the threshold grid (exact hits), off it, negative zero, huge values and NaN. */
function randomRows(seed: number, count: number, width: number): Float32Array {
  const random = seededRandom(seed);
  const values = new Float32Array(count * width);
  for (let k = 0; k < values.length; k++) {
    const pick = random();
    values[k] = pick < 0.15 ? Number.NaN : pick < 0.5 ? Math.floor(random() * 8) - 2 : pick < 0.52 ? -0 : pick < 0.54 ? 3e38 : (random() - 0.3) * 10;
  }
  return values;
}

/** The reference walker, one row at a time, into the same layout as the batch explainer. */
function referenceRows(ensemble: TreeEnsemble, values: Float32Array, count: number, width: number) {
  const reference = createTreeExplainer(ensemble);
  const credits = new Float64Array(count * width);
  const scores = new Float64Array(count);
  const row = new Float64Array(width);
  for (let r = 0; r < count; r++) {
    row.fill(0);
    scores[r] = reference.explainRow(values, r, width, row);
    credits.set(row, r * width);
  }
  return { credits, scores };
}

function compiledRows(ensemble: TreeEnsemble, values: Float32Array, count: number, width: number) {
  const explainer = compileTreeExplainer(ensemble);
  const credits = new Float64Array(count * width);
  const scores = new Float64Array(count);
  explainer.explainRows(values, count, width, credits, scores);
  return { credits, scores, explainer };
}

describe('compileTreeExplainer', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it.each([
    ['SUM, equal weighting', { count: 30, depth: 5, width: 7, options: {} }],
    ['AVERAGE, cover weighting', { count: 12, depth: 4, width: 23, options: { aggregate: 'AVERAGE', hitRates: true } }],
    ['many trees across several generated functions', { count: 120, depth: 5, width: 23, options: {} }],
  ])('gives exactly the reference walker’s credits and scores for every comparison mode and NaN rule (%s)', (_, { count, depth, width, options }) => {
    const ensemble = ensembleOf(treesWithEveryMode(3, count, depth, width), width, options);
    const values = randomRows(5, 500, width);

    const compiled = compiledRows(ensemble, values, 500, width);
    const reference = referenceRows(ensemble, values, 500, width);

    expect(compiled.explainer.compiled).toBe(true);
    expect(compiled.explainer.baseValue).toBe(createTreeExplainer(ensemble).baseValue);
    expect(compiled.credits).toStrictEqual(reference.credits);
    expect(compiled.scores).toStrictEqual(reference.scores);
  });

  it('walks trees too deep to nest in source with the reference walker, with the same results', () => {
    // A 70-level chain: each split's false branch is the next split.
    let chain: TreeSpec = { leaf: 1 };
    for (let level = 0; level < 70; level++) chain = { feature: level % 3, threshold: level % 5, mode: 'BRANCH_LT', yes: { leaf: level / 10 }, no: chain };
    const ensemble = ensembleOf([chain, ...randomTrees(1, 3, 3, 3)], 3);
    const values = randomRows(9, 200, 3);

    const compiled = compiledRows(ensemble, values, 200, 3);

    expect(compiled.explainer.compiled).toBe(false);
    expect(compiled.credits).toStrictEqual(referenceRows(ensemble, values, 200, 3).credits);
  });

  it('falls back to the reference walker when the runtime refuses code generation', () => {
    vi.stubGlobal('Function', function refuse() {
      throw new EvalError('Code generation from strings disallowed for this context');
    });
    const ensemble = ensembleOf(treesWithEveryMode(4, 10, 4, 7), 7);
    const values = randomRows(2, 100, 7);

    const compiled = compiledRows(ensemble, values, 100, 7);
    vi.unstubAllGlobals();

    expect(compiled.explainer.compiled).toBe(false);
    expect(compiled.credits).toStrictEqual(referenceRows(ensemble, values, 100, 7).credits);
    expect(compiled.scores).toStrictEqual(referenceRows(ensemble, values, 100, 7).scores);
  });
});

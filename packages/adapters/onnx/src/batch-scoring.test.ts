/**
 * The batch fast path (compiled row reader, compiled tree walk, typed arrays) against the scoring
 * as it was before it (`test-support/reference-scorer.ts`): same probabilities, contributions,
 * values and errors, to the last bit, on many random rows with missing values.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AutohealError, DEFAULT_FEATURE_NAMES } from '@autoheal/core';
import { describe, expect, it } from 'vitest';
import { createReferenceScorer } from '../test-support/reference-scorer.js';
import { buildLogisticModel, buildTreeModel, LOGISTIC_INTERCEPT, LOGISTIC_WEIGHTS, randomTrees, RISK_TREES, RISK_TREES_BASE, seededRandom, testMetadata } from '../test-support/build-models.js';
import { onnx } from './onnx-graph.js';
import { createOnnxRiskModel, type OnnxFeatureRow } from './onnx-risk-model.js';
import { readTreeEnsemble } from './tree-ensemble.js';

const SHIPPED_MODEL = fileURLToPath(new URL('../../../../models/risk-v1.onnx', import.meta.url));
/** A wider model, as v2 will be: 16 more signals after the seven. */
const WIDE_NAMES = [...DEFAULT_FEATURE_NAMES, ...Array.from({ length: 16 }, (_, i) => `signal_${i}`)];

/**
 * Random rows for `bytes`: a third of the values exactly on one of the model's thresholds (so the
 * comparison modes are exercised at equality), missing values when the model routes NaN, objects
 * with keys in two orders, and arrays.
 */
function rowsFor(bytes: Uint8Array, featureNames: readonly string[], count: number, missing: boolean): OnnxFeatureRow[] {
  const random = seededRandom(count);
  const thresholds: number[][] = featureNames.map(() => []);
  for (const tree of readTreeEnsemble(onnx.ModelProto.decode(bytes))?.trees ?? []) for (const node of tree.nodes) if (node.featureIndex >= 0) thresholds[node.featureIndex]!.push(node.threshold);
  return Array.from({ length: count }, (_, r) => {
    const values = featureNames.map((_, f) => {
      const pick = random();
      if (missing && pick < 0.15) return null;
      const list = thresholds[f]!;
      if (pick < 0.5 && list.length > 0) return list[Math.floor(random() * list.length)]!;
      return pick < 0.55 ? 0 : Math.round(random() * 1e6) / 1e3 * (f % 4 === 2 ? 1e5 : 1);
    });
    if (r % 9 === 4) return values;
    const entries = featureNames.map((name, i) => [name, values[i]!] as const);
    return Object.fromEntries(r % 2 === 0 ? entries : entries.reverse());
  });
}

const models: Array<[string, () => Promise<Uint8Array>, { featureNames: readonly string[]; missing: boolean }]> = [
  ['the hand-made three-tree model', async () => buildTreeModel({ trees: RISK_TREES, baseValue: RISK_TREES_BASE }), { featureNames: DEFAULT_FEATURE_NAMES, missing: true }],
  ['a 40-tree model with cover weighting and Platt calibration', async () => buildTreeModel({ trees: randomTrees(7, 40, 5, 7), baseValue: 0.25, hitRates: true, calibration: { a: 0.7, b: -0.3 } }), { featureNames: DEFAULT_FEATURE_NAMES, missing: true }],
  ['an AVERAGE ensemble', async () => buildTreeModel({ trees: randomTrees(8, 12, 4, 7), baseValue: 0, aggregate: 'AVERAGE' }), { featureNames: DEFAULT_FEATURE_NAMES, missing: true }],
  ['a 23-feature tree model', async () => buildTreeModel({ trees: randomTrees(9, 30, 5, WIDE_NAMES.length), baseValue: -1, featureNames: WIDE_NAMES, metadata: testMetadata(WIDE_NAMES) }), { featureNames: WIDE_NAMES, missing: true }],
  ['a logistic model', async () => buildLogisticModel({ form: 'matmul', weights: LOGISTIC_WEIGHTS, intercept: LOGISTIC_INTERCEPT }), { featureNames: DEFAULT_FEATURE_NAMES, missing: false }],
  ...(existsSync(SHIPPED_MODEL) ? [['the shipped model', () => readFile(SHIPPED_MODEL).then((b) => new Uint8Array(b)), { featureNames: DEFAULT_FEATURE_NAMES, missing: true }] as (typeof models)[number]] : []),
];

describe('batch scoring gives exactly the results of the scoring before the fast path', () => {
  it.each(models)('%s: scoreBatch with and without contributions, and score row by row', async (_, load, { featureNames, missing }) => {
    const bytes = await load();
    const model = await createOnnxRiskModel({ modelBytes: bytes, expectedFeatureNames: featureNames });
    const reference = await createReferenceScorer(bytes);
    const rows = rowsFor(bytes, featureNames, 3000, missing);

    const fast = await model.scoreBatch(rows);
    const expected = await reference.scoreBatch(rows);
    const fastPlain = await model.scoreBatch(rows, { contributions: false });
    const expectedPlain = await reference.scoreBatch(rows, { contributions: false });
    const singles = await Promise.all(rows.slice(0, 200).map((row) => model.score(row)));

    expect(model.metadata.explanation.method).not.toBe('none');
    expect(fast).toStrictEqual(expected);
    // Plain objects in every observable way, as the reference's literals are.
    for (const [score, literal] of [[fast[0]!, expected[0]!], [fast[0]!.contributions![0]!, expected[0]!.contributions![0]!], [fastPlain[1]!, expectedPlain[1]!]] as const) {
      expect(Object.getPrototypeOf(score)).toBe(Object.prototype);
      expect(score.constructor).toBe(Object);
      expect(Object.keys(score)).toEqual(Object.keys(literal));
      expect(JSON.stringify(score)).toBe(JSON.stringify(literal));
    }
    expect(fastPlain).toStrictEqual(expectedPlain);
    expect(singles).toStrictEqual(expected.slice(0, 200));
    await Promise.all([model.close(), reference.close()]);
  });

  it('gives concurrent calls of different sizes their own results (the scratch buffers are not shared across an await)', async () => {
    const bytes = buildTreeModel({ trees: randomTrees(3, 20, 4, 7), baseValue: 0 });
    const model = await createOnnxRiskModel({ modelBytes: bytes });
    const reference = await createReferenceScorer(bytes);
    const batches = [500, 3, 2000, 1, 800, 500, 40, 1200].map((size, i) => rowsFor(bytes, DEFAULT_FEATURE_NAMES, size + i, true));

    const together = await Promise.all(batches.map((rows, i) => model.scoreBatch(rows, { contributions: i % 3 !== 1 })));
    const expected = await Promise.all(batches.map((rows, i) => reference.scoreBatch(rows, { contributions: i % 3 !== 1 })));

    expect(together).toStrictEqual(expected);
    await Promise.all([model.close(), reference.close()]);
  });

  it('fails on the same row with the same INPUT_INVALID error', async () => {
    const bytes = buildTreeModel({ trees: RISK_TREES, baseValue: RISK_TREES_BASE });
    const model = await createOnnxRiskModel({ modelBytes: bytes });
    const reference = await createReferenceScorer(bytes);
    const rows = rowsFor(bytes, DEFAULT_FEATURE_NAMES, 50, true);
    const broken: Array<Record<string, unknown>> = [
      { ...(rows[0] as Record<string, unknown>), cpu_usage_pct: undefined },
      { ...(rows[0] as Record<string, unknown>), extra: 1 },
      { ...(rows[0] as Record<string, unknown>), ready_replica_ratio: Number.NaN },
      { ...(rows[0] as Record<string, unknown>), ready_replica_ratio: '1' },
    ];

    for (const bad of broken) {
      const batch = [...rows.slice(0, 30), bad, ...rows.slice(30)] as OnnxFeatureRow[];
      const [fast, expected] = await Promise.all([model.scoreBatch(batch).catch((e: unknown) => e), reference.scoreBatch(batch).catch((e: unknown) => e)]);
      expect(AutohealError.isInstance(fast)).toBe(true);
      expect((fast as AutohealError).code).toBe('INPUT_INVALID');
      expect((fast as AutohealError).message).toBe((expected as AutohealError).message);
      expect((fast as AutohealError).details).toStrictEqual((expected as AutohealError).details);
    }
    await Promise.all([model.close(), reference.close()]);
  });
});

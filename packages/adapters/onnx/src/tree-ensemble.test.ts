import { DEFAULT_FEATURE_NAMES } from '@autoheal/core';
import { describe, expect, it } from 'vitest';
import { buildTreeModel, randomTrees, RISK_TREES, RISK_TREES_BASE, seededRandom } from '../test-support/build-models.js';
import { onnx, type ModelProto } from './onnx-graph.js';
import { createOnnxRiskModel } from './onnx-risk-model.js';
import { readTreeEnsemble } from './tree-ensemble.js';

const decode = (bytes: Uint8Array): ModelProto => onnx.ModelProto.decode(bytes);

describe('readTreeEnsemble', () => {
  it('decodes trees, splits, NaN routing, leaf weights and node values', () => {
    const ensemble = readTreeEnsemble(decode(buildTreeModel({ trees: RISK_TREES, baseValue: RISK_TREES_BASE })))!;

    expect(ensemble).toMatchObject({ inputName: 'features', outputName: 'raw', baseValue: RISK_TREES_BASE, aggregateFunction: 'SUM', postTransform: 'NONE', nodeWeighting: 'equal', featureCount: 7 });
    expect(ensemble.trees).toHaveLength(3);
    const first = ensemble.trees[0]!;
    const root = first.nodes[first.root]!;
    const left = first.nodes[root.trueChild]!;
    expect(root).toMatchObject({ mode: 'BRANCH_LEQ', featureIndex: 0, threshold: 0.5, missingTracksTrue: false });
    expect(root.value).toBeCloseTo(0.7, 6);
    expect(left).toMatchObject({ mode: 'BRANCH_LEQ', featureIndex: 6, missingTracksTrue: true });
    expect(left.value).toBeCloseTo(-0.1, 6);
    expect(first.nodes[left.falseChild]).toMatchObject({ mode: 'LEAF', featureIndex: -1 });
    expect(first.nodes[left.falseChild]!.weight).toBeCloseTo(0.8, 6);
  });

  it('returns undefined for a graph without a TreeEnsembleRegressor', () => {
    const model = decode(buildTreeModel({ trees: RISK_TREES, baseValue: 0 }));
    model.graph!.node = model.graph!.node!.filter((node) => node.opType !== 'TreeEnsembleRegressor');

    expect(readTreeEnsemble(model)).toBeUndefined();
  });

  it('uses node_cover over nodes_hitrates when given', () => {
    const trees = [{ feature: 0, threshold: 1, yes: { leaf: 1 }, no: { leaf: 3 } }];
    const model = decode(buildTreeModel({ trees, baseValue: 0, hitRates: true }));

    const ensemble = readTreeEnsemble(model, { nodeCover: [4, 3, 1] })!;

    expect(ensemble.nodeWeighting).toBe('cover');
    expect(ensemble.trees[0]!.nodes[0]!.value).toBeCloseTo((3 * 1 + 1 * 3) / 4, 6);
  });

  it.each([
    ['a child id that does not exist', (ints: Record<string, number[]>) => (ints.nodes_truenodeids![0] = 99), /points at a child that does not exist/],
    ['a cycle', (ints: Record<string, number[]>) => (ints.nodes_falsenodeids![1] = 0), /unreachable from its root/],
    ['attribute lists of different lengths', (ints: Record<string, number[]>) => ints.nodes_featureids!.pop(), /nodes_featureids has 4 entries but nodes_nodeids has 5/],
  ])('refuses %s with MODEL_INVALID', (_, mutate, message) => {
    const model = decode(buildTreeModel({ trees: [RISK_TREES[0]!], baseValue: 0 }));
    const node = model.graph!.node!.find((n) => n.opType === 'TreeEnsembleRegressor')!;
    const ints: Record<string, number[]> = {};
    for (const attribute of node.attribute!) if (attribute.ints && attribute.ints.length > 0) ints[attribute.name!] = attribute.ints.map(Number);
    mutate(ints);
    for (const attribute of node.attribute!) if (ints[attribute.name!]) attribute.ints = ints[attribute.name!]!;

    expect(() => readTreeEnsemble(model)).toThrow(message);
  });
});

describe('path attribution against onnxruntime on a generated ensemble', () => {
  it.each([false, true])('agrees with the runtime and adds up on random rows with missing values (cover weighting: %s)', async (hitRates) => {
    const trees = randomTrees(7, 40, 5, 7);
    const model = await createOnnxRiskModel({ modelBytes: buildTreeModel({ trees, baseValue: 0.25, hitRates }) });
    const random = seededRandom(11);
    const rows = Array.from({ length: 300 }, () => Object.fromEntries(DEFAULT_FEATURE_NAMES.map((name) => [name, random() < 0.15 ? null : Math.round(random() * 1000) / 100])));

    const scores = await model.scoreBatch(rows);

    expect(model.metadata.explanation).toMatchObject({ method: 'path-attribution', trees: 40, nodeWeighting: hitRates ? 'cover' : 'equal' });
    for (const score of scores) {
      const total = score.contributions!.reduce((sum, c) => sum + c.contribution, score.baseValue!);
      // Compared as probabilities: the runtime's float32 output cannot resolve log-odds far from 0 to 1e-4.
      expect(1 / (1 + Math.exp(-total))).toBeCloseTo(score.probability, 6);
    }
  });
});

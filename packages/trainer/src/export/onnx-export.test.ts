import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { trainGbdt } from '../train/gbdt.js';
import { createTrainedRiskModel, predictProbability } from '../train/trained-risk-model.js';
import { exportRiskModelToOnnx } from './onnx-export.js';

// onnxruntime-node is CommonJS; load it the way Node resolves it for a test.
const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-node');

function syntheticData(count: number, seed: number) {
  let state = seed;
  const random = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < count; i++) {
    const row = [random() * 10, random(), random() < 0.1 ? Number.NaN : random() * 5];
    x.push(row);
    const risk = 0.4 * (row[0] as number) - 3 * (row[1] as number) + (Number.isNaN(row[2] as number) ? 1 : 0);
    y.push(random() < 1 / (1 + Math.exp(-(risk - 1))) ? 1 : 0);
  }
  return { x, y };
}

describe('exportRiskModelToOnnx', () => {
  const train = syntheticData(2000, 1);
  const { model: gbdt } = trainGbdt(train, undefined, { maxRounds: 30, maxDepth: 3, monotone: [1, -1, 0] });
  const model = createTrainedRiskModel(gbdt, { method: 'platt', a: 0.9, b: -0.2 }, 0.5, ['a', 'b', 'c']);
  const bytes = exportRiskModelToOnnx({ model: gbdt, calibration: model.calibration, featureNames: model.featureNames, threshold: 0.5, trainingSummary: { rows: 2000 } });

  it('gives the same probabilities in onnxruntime as the TypeScript model, NaN inputs included', async () => {
    const rows = syntheticData(300, 7).x;
    rows.push([Number.NaN, Number.NaN, Number.NaN], [5, Number.NaN, 2], [Number.NaN, 0.5, Number.NaN]);
    const session = await ort.InferenceSession.create(bytes);
    const input = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 3]);
    const output = await session.run({ features: input });
    const probabilities = output.probability?.data as Float32Array;
    expect(output.probability?.dims).toEqual([rows.length, 1]);
    rows.forEach((row, i) => {
      expect(Math.abs((probabilities[i] as number) - predictProbability(model, row))).toBeLessThan(1e-5);
    });
  });

  it('writes the agreed metadata', async () => {
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['features']);
    expect(session.outputNames).toEqual(['probability']);
    const decoded = (await import('onnx-proto')).default.onnx.ModelProto.decode(bytes);
    const metadata = Object.fromEntries(decoded.metadataProps.map((p) => [p.key, p.value]));
    expect(metadata).toMatchObject({ feature_names: '["a","b","c"]', model_name: 'risk', model_version: '1.0.0', threshold: '0.5000', model_type: 'tree_ensemble', created_by: '@autoheal/trainer' });
    expect(JSON.parse(metadata.calibration as string)).toEqual({ a: Math.fround(0.9), b: Math.fround(-0.2), method: 'platt' });
    expect(decoded.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17], ['ai.onnx.ml', 3]]);
  });

  it('is byte-for-byte reproducible', () => {
    const again = trainGbdt(train, undefined, { maxRounds: 30, maxDepth: 3, monotone: [1, -1, 0] }).model;
    const second = exportRiskModelToOnnx({ model: again, calibration: model.calibration, featureNames: model.featureNames, threshold: 0.5, trainingSummary: { rows: 2000 } });
    expect(Buffer.from(second).equals(Buffer.from(bytes))).toBe(true);
  });
});

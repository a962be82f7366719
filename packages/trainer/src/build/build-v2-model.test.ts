import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { FEATURE_SET_V2_ID, FEATURE_SET_V2_NAMES } from '@autoheal/core';
import { predictProbability } from '../train/trained-risk-model.js';
import { buildSandboxModel } from './build-sandbox-model.js';

const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-node');
const onnxProto = (await import('onnx-proto')).default.onnx;

// The tiny catalogue (about twenty short scenarios of the real sandbox, in process): the machinery,
// not the model. The shipped model is `npm run build:model:v2` (the full catalogue).
const tiny = { featureSet: 'v2', catalogue: 'tiny', seed: 5, workers: 0, gbdt: { maxRounds: 20 } } as const;

describe('buildSandboxModel with featureSet v2', () => {
  const firstBuild = buildSandboxModel(tiny);

  it('gives identical bytes and card when run twice with the same seed', { timeout: 300_000 }, async () => {
    const first = await firstBuild;
    const second = await buildSandboxModel(tiny);
    expect(second.sha256).toBe(first.sha256);
    expect(Buffer.from(second.onnx).equals(Buffer.from(first.onnx))).toBe(true);
    expect(second.card).toBe(first.card);
  });

  it('names its feature set, features and threshold in the ONNX metadata, and onnxruntime scores like the TypeScript model', { timeout: 300_000 }, async () => {
    const built = await firstBuild;
    const metadata = Object.fromEntries(onnxProto.ModelProto.decode(built.onnx).metadataProps.map((p) => [p.key, p.value]));
    expect(metadata.feature_set).toBe(FEATURE_SET_V2_ID);
    expect(JSON.parse(metadata.feature_names!)).toEqual([...FEATURE_SET_V2_NAMES]);
    expect(metadata.threshold).toBe(built.outcome.model.threshold.toFixed(4));
    expect(metadata.model_version).toBe('2.0.0');
    expect(JSON.parse(metadata.training_summary!)).toMatchObject({ featureSet: FEATURE_SET_V2_ID, size: 'tiny', seed: 5 });

    const rows = built.outcome.folds.test.rows > 0 ? [new Array(FEATURE_SET_V2_NAMES.length).fill(Number.NaN), [0.001, 50, 1, 0, 0, 0, 0, 0.4, 60, 0.2, 0, 0, 0, 300, Number.NaN, Number.NaN, 0, 60], [0.6, 50, 0.2, 0.5, 2, 0, 0.8, 0.1, 60, 0.05, 0, 1, 1, 3, 0.001, 1, 0.5, 2]] : [];
    const session = await ort.InferenceSession.create(built.onnx);
    const output = await session.run({ features: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, FEATURE_SET_V2_NAMES.length]) });
    const probabilities = output.probability!.data as Float32Array;
    rows.forEach((row, i) => expect(Math.abs(probabilities[i]! - predictProbability(built.outcome.model, row))).toBeLessThan(1e-5));
    // The third row's ready ratio (0.2) violates the objective: the detection trees put it at practically 1.
    expect(probabilities[2]).toBeGreaterThan(0.999);
    expect(built.card).toMatch(/^# Model card: risk v2\.0\.0/);
    expect(built.card).toContain('## Targets (issue 14) on the held-out test fold');
  });

  it('rejects an unknown feature set, naming the field', async () => {
    await expect(buildSandboxModel({ featureSet: 'v3' as 'v2' })).rejects.toThrow(/invalid sandbox build options: featureSet: must be "seed" or "v2"/);
  });
});

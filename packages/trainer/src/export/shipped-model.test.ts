import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_NAMES } from '@autoheal/core';

const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-node');
const modelsDirectory = fileURLToPath(new URL('../../../../models/', import.meta.url));

describe('the shipped models/risk-v1.onnx', () => {
  const bytes = readFileSync(`${modelsDirectory}risk-v1.onnx`);

  it('matches the SHA-256 recorded in models/risk-v1.sha256', () => {
    const recorded = readFileSync(`${modelsDirectory}risk-v1.sha256`, 'utf8').trim().split(/\s+/)[0];
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(recorded);
  });

  it('loads in onnxruntime with the agreed input, output and metadata', async () => {
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['features']);
    expect(session.outputNames).toEqual(['probability']);
    const output = await session.run({ features: new ort.Tensor('float32', new Float32Array(14).fill(Number.NaN), [2, 7]) });
    expect(output.probability!.dims).toEqual([2, 1]);
    const onnx = (await import('onnx-proto')).default.onnx;
    const metadata = Object.fromEntries(onnx.ModelProto.decode(bytes).metadataProps.map((p) => [p.key, p.value]));
    expect(JSON.parse(metadata.feature_names!)).toEqual([...DEFAULT_FEATURE_NAMES]);
    expect(metadata).toMatchObject({ model_name: 'risk', model_version: '1.0.0', model_type: 'tree_ensemble', created_by: '@autoheal/trainer' });
    expect(metadata.threshold).toMatch(/^0\.\d{4}$/);
    expect(JSON.parse(metadata.calibration!)).toMatchObject({ method: 'platt' });
    expect(JSON.parse(metadata.training_summary!)).toMatchObject({ source: 'sandbox', seed: 1 });
  });

  it('has its card next to it, naming the same hash', () => {
    const card = readFileSync(`${modelsDirectory}risk-v1.card.md`, 'utf8');
    expect(card).toContain(createHash('sha256').update(bytes).digest('hex'));
  });
});

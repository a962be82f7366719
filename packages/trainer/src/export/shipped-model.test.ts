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

  it('never lowers risk as restarts, unavailable replicas or 5xx rise, nor raises it as the ready ratio rises', async () => {
    const session = await ort.InferenceSession.create(bytes);
    const sweeps: Array<[string, number, number[]]> = [
      ['restart_count_last_5m', 1, [0, 0.5, 1, 2, 3, 4, 6, 10, 20]],
      ['unavailable_replicas', 1, [0, 1, 2, 3, 4, 6, 10]],
      ['http_5xx_error_rate', 1, [0, 0.01, 0.05, 0.1, 0.3, 1, 3, 10, 50]],
      ['ready_replica_ratio', -1, [0, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 1]],
    ];
    const bases = [
      [0, 10, 150e6, 1, 0, 2e4, 0],
      [2, 60, 400e6, 0.6, 1, 2e5, 0.5],
      [0, 90, 500e6, 1, 0, 1e6, 2],
      [Number.NaN, 30, Number.NaN, 0.8, 0, Number.NaN, Number.NaN],
    ];
    for (const [name, direction, values] of sweeps) {
      const f = DEFAULT_FEATURE_NAMES.indexOf(name as (typeof DEFAULT_FEATURE_NAMES)[number]);
      const rows = bases.flatMap((base) => values.map((v) => base.map((x, j) => (j === f ? v : x))));
      const output = await session.run({ features: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 7]) });
      const p = output.probability!.data as Float32Array;
      bases.forEach((_, b) => {
        for (let k = 1; k < values.length; k++) {
          const i = b * values.length + k;
          expect(direction * (p[i]! - p[i - 1]!)).toBeGreaterThanOrEqual(0);
        }
      });
    }
  });

  it('has its card next to it, naming the same hash', () => {
    const card = readFileSync(`${modelsDirectory}risk-v1.card.md`, 'utf8');
    expect(card).toContain(createHash('sha256').update(bytes).digest('hex'));
  });
});

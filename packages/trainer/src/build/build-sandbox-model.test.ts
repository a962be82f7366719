import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_NAMES } from '@autoheal/core';
import { createFakeSimulation } from '../../test-support/fake-simulation.js';
import { predictProbability } from '../train/trained-risk-model.js';
import { buildSandboxModel, type SandboxBuildOptions } from './build-sandbox-model.js';

const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-node');

// Small enough for a unit test; the shipped model uses the defaults (64 runs of 6 workloads, 40 minutes).
const small: SandboxBuildOptions = { seed: 3, runs: 8, workloadsPerRun: 4, durationMinutes: 20, gbdt: { maxRounds: 15 } };

describe('buildSandboxModel', () => {
  const firstBuild = buildSandboxModel(small, { createSimulation: createFakeSimulation });

  it('gives identical bytes and card when run twice with the same seed', async () => {
    const first = await firstBuild;
    const second = await buildSandboxModel(small, { createSimulation: createFakeSimulation });
    expect(Buffer.from(second.onnx).equals(Buffer.from(first.onnx))).toBe(true);
    expect(second.card).toBe(first.card);
    expect(second.sha256).toBe(first.sha256);
    const other = await buildSandboxModel({ ...small, seed: 4 }, { createSimulation: createFakeSimulation });
    expect(other.sha256).not.toBe(first.sha256);
  });

  it('exports a model onnxruntime scores like the TypeScript model, and is monotone where constrained', async () => {
    const built = await firstBuild;
    const model = built.outcome.model;
    const rows = [
      [0, 5, 150e6, 1, 0, 20000, 0.01],
      [3, 40, 500e6, 0.3, 2, 20000, 5],
      [Number.NaN, 5, 150e6, Number.NaN, 0, 20000, Number.NaN],
    ];
    const session = await ort.InferenceSession.create(built.onnx);
    const output = await session.run({ features: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 7]) });
    const probabilities = output.probability!.data as Float32Array;
    rows.forEach((row, i) => expect(Math.abs(probabilities[i]! - predictProbability(model, row))).toBeLessThan(1e-5));

    // Sweep each constrained feature from a few starting points.
    const sweeps: Record<string, number[]> = {
      restart_count_last_5m: [0, 1, 2, 3, 5, 8, 13],
      ready_replica_ratio: [0, 0.2, 0.4, 0.5, 0.6, 0.8, 1],
      unavailable_replicas: [0, 1, 2, 3, 4, 6],
      http_5xx_error_rate: [0, 0.01, 0.1, 0.5, 1, 2, 5, 20],
    };
    const direction: Record<string, number> = { restart_count_last_5m: 1, ready_replica_ratio: -1, unavailable_replicas: 1, http_5xx_error_rate: 1 };
    for (const start of rows.slice(0, 2)) {
      for (const [name, values] of Object.entries(sweeps)) {
        const f = DEFAULT_FEATURE_NAMES.indexOf(name as (typeof DEFAULT_FEATURE_NAMES)[number]);
        const scores = values.map((v) => predictProbability(model, start.map((x, j) => (j === f ? v : x))));
        for (let k = 1; k < scores.length; k++) expect(direction[name]! * (scores[k]! - scores[k - 1]!)).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('rejects bad options, naming the field', async () => {
    await expect(buildSandboxModel({ runs: 3 }, { createSimulation: createFakeSimulation })).rejects.toThrow(/\[autoheal\] \[trainer\] invalid sandbox build options: runs: must be at least 8/);
  });
});

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeRiskModelConformance } from '@autoheal/core/testing';
import { describe, expect, it } from 'vitest';
import { SEED_EXAMPLE, sigmoid } from '../test-support/build-models.js';
import { createOnnxRiskModel, type OnnxRiskScore } from './onnx-risk-model.js';

/** The model @autoheal/trainer ships. */
const SHIPPED_MODEL = fileURLToPath(new URL('../../../../models/risk-v1.onnx', import.meta.url));

/** A crash-looping, half-ready Deployment answering many 5xx. */
const CRASH_LOOPING = { restart_count_last_5m: 6, cpu_usage_pct: 95, memory_usage_bytes: 52428800, ready_replica_ratio: 0.5, unavailable_replicas: 2, network_receive_bytes_per_s: 86, http_5xx_error_rate: 12 };

const explained = (score: OnnxRiskScore) => sigmoid(score.contributions!.reduce((sum, c) => sum + c.contribution, score.baseValue!));

describe('the shipped model (models/risk-v1.onnx)', () => {
  it('is in the repository as a real file', () => {
    expect(existsSync(SHIPPED_MODEL)).toBe(true);
  });

  it('loads against the default feature schema, with its metadata', async () => {
    const model = await createOnnxRiskModel({ modelPath: SHIPPED_MODEL });

    expect(model.version.length).toBeGreaterThan(0);
    expect(model.recommendedThreshold).toBeGreaterThan(0);
    expect(model.recommendedThreshold).toBeLessThan(1);
    expect(model.metadata).toMatchObject({ modelType: 'tree_ensemble', createdBy: '@autoheal/trainer', explanation: { method: 'path-attribution' } });
    await model.close();
  });

  it("scores the original project's example bodies as low risk", async () => {
    const model = await createOnnxRiskModel({ modelPath: SHIPPED_MODEL });

    // The seed README shows the body with cpu 0.65 and with cpu 10.
    const scores = await model.scoreBatch([{ ...SEED_EXAMPLE, cpu_usage_pct: 0.65 }, SEED_EXAMPLE]);

    for (const score of scores) expect(score.probability).toBeLessThan(model.recommendedThreshold!);
  });

  it('scores a crash-looping, half-ready, 5xx-heavy workload as high risk', async () => {
    const model = await createOnnxRiskModel({ modelPath: SHIPPED_MODEL });

    const [healthy, crashing] = await model.scoreBatch([SEED_EXAMPLE, CRASH_LOOPING]);

    expect(crashing!.probability).toBeGreaterThanOrEqual(model.recommendedThreshold!);
    expect(crashing!.probability).toBeGreaterThan(healthy!.probability);
  });

  it('explains its scores: contributions and base value add up to the probability', async () => {
    const model = await createOnnxRiskModel({ modelPath: SHIPPED_MODEL });

    const scores = await model.scoreBatch([SEED_EXAMPLE, CRASH_LOOPING, { ...CRASH_LOOPING, http_5xx_error_rate: null }]);

    for (const score of scores) expect(explained(score)).toBeCloseTo(score.probability, 6);
  });
});

describeRiskModelConformance('onnx shipped model', async () => {
  const model = await createOnnxRiskModel({ modelPath: SHIPPED_MODEL });
  return { model, cleanup: () => model.close() };
});

/**
 * The shipped model v2 (models/risk-v2.onnx, built by @autoheal/trainer), once it is in the
 * repository: it loads with the default options because its metadata names feature set v2, takes the
 * v2 names in order, recommends a threshold, explains its scores, and passes core's conformance suite.
 * Its judgement (targets, monotonicity) is the trainer's and its card's to test.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FEATURE_SET_V2_NAMES } from '@autoheal/core';
import { describeRiskModelConformance } from '@autoheal/core/testing';
import { describe, expect, it } from 'vitest';
import { HEALTHY_V2, sigmoid } from '../test-support/build-models.js';
import { createOnnxRiskModel, type OnnxRiskScore } from './onnx-risk-model.js';

const SHIPPED_V2 = fileURLToPath(new URL('../../../../models/risk-v2.onnx', import.meta.url));
const present = existsSync(SHIPPED_V2);
const explained = (score: OnnxRiskScore) => sigmoid(score.contributions!.reduce((sum, c) => sum + c.contribution, score.baseValue!));

describe.runIf(present)('the shipped model v2 (models/risk-v2.onnx)', () => {
  it('loads with the default options as feature set v2, with a tuned threshold', async () => {
    const model = await createOnnxRiskModel({ modelPath: SHIPPED_V2 });

    expect(model.featureSet).toBe('v2');
    expect(model.featureNames).toEqual(FEATURE_SET_V2_NAMES);
    expect(model.recommendedThreshold).toBeGreaterThan(0);
    expect(model.recommendedThreshold).toBeLessThan(1);
    await model.close();
  });

  it('explains its scores: contributions and base value add up to the probability', async () => {
    const model = await createOnnxRiskModel({ modelPath: SHIPPED_V2 });

    const scores = await model.scoreBatch([HEALTHY_V2, { ...HEALTHY_V2, ready_replica_ratio: 0, restarts_per_pod: 3, error_exit_pod_ratio: 1 }]);

    for (const score of scores) if (score.contributions) expect(explained(score)).toBeCloseTo(score.probability, 5);
    await model.close();
  });
});

if (present) {
  describeRiskModelConformance('onnx shipped model v2', async () => {
    const model = await createOnnxRiskModel({ modelPath: SHIPPED_V2 });
    return { model, cleanup: () => model.close() };
  });
}

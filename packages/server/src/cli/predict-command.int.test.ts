/**
 * `autoheal predict` with a feature-set-v2 model, fed as the Prometheus adapter feeds it: the source
 * collects the seven seed signals beside the model's own (`collectedFeatureNames`). The real ONNX
 * test model, the real Kubernetes healer against a virtual-time sandbox.
 */
import { createOnnxRiskModel } from '@autoheal/adapter-onnx';
import type { RiskModel } from '@autoheal/core';
import { HEALTHY_FEATURES, createInMemoryFeatureSource } from '@autoheal/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { captureIo } from '../../test-support/capture-io.js';
import { startOperatorFixture, type OperatorFixture } from '../../test-support/operator-fixture.js';
import { HEALTHY_V2, V2_TEST_MODEL, V2_TEST_THRESHOLD } from '../../test-support/v2-test-model.js';
import { collectedFeatureNames } from '../compose.js';
import { predictCommand } from './main.js';
import { RUN_EXIT } from './run-exit-codes.js';

let fixture: OperatorFixture | undefined;
let riskModel: RiskModel | undefined;
afterEach(async () => {
  await fixture?.close();
  await riskModel?.close?.();
  fixture = undefined;
  riskModel = undefined;
});

describe('autoheal predict with a v2 model', () => {
  it('scores only the features the model takes: the seed signals beside them, even one missing, neither reach the model nor blind the verdict', async () => {
    riskModel = await createOnnxRiskModel({ modelPath: V2_TEST_MODEL });
    fixture = await startOperatorFixture({}, { riskModel });
    // http_5xx_error_rate is a seed signal model v2 does not take (it reads http_error_ratio).
    const { http_5xx_error_rate: _notCollected, ...seed } = HEALTHY_FEATURES;
    const featureSource = createInMemoryFeatureSource({
      featureNames: collectedFeatureNames(riskModel.featureNames),
      values: { 'prod/backend': { ...seed, ...HEALTHY_V2 } },
    });
    const io = captureIo();

    const code = await predictCommand(['prod/backend', '--json', ...fixture.flags], io, { riskModel, featureSource });

    expect(io.err).toBe('');
    const [row] = JSON.parse(io.out) as Array<{ verdict: string; probability: number; threshold: number; missing: unknown[]; features: Record<string, number | null> }>;
    expect(row).toMatchObject({ verdict: 'healthy', threshold: V2_TEST_THRESHOLD, missing: [] });
    expect(row!.probability).toBeLessThan(V2_TEST_THRESHOLD);
    // The record still shows every collected signal, the seed ones included.
    expect(row!.features.ready_replica_ratio).toBe(HEALTHY_V2.ready_replica_ratio);
    expect(row!.features.http_5xx_error_rate).toBeNull();
    expect(code).toBe(RUN_EXIT.ok);
  });

  it('still calls a missing feature the model takes unknown, and names it', async () => {
    riskModel = await createOnnxRiskModel({ modelPath: V2_TEST_MODEL });
    fixture = await startOperatorFixture({}, { riskModel });
    const { http_error_ratio: _missing, ...v2 } = HEALTHY_V2;
    const featureSource = createInMemoryFeatureSource({
      featureNames: collectedFeatureNames(riskModel.featureNames),
      values: { 'prod/backend': { ...HEALTHY_FEATURES, ...v2 } },
    });
    const io = captureIo();

    const code = await predictCommand(['prod/backend', ...fixture.flags], io, { riskModel, featureSource });

    expect(code).toBe(RUN_EXIT.unknown);
    expect(io.out).toMatch(/prod\/backend .*unknown .*missing: http_error_ratio \(/);
  });
});

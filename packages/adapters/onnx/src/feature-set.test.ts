import { AutohealError, DEFAULT_FEATURE_NAMES, FEATURE_SET_V2_FIRST_LENGTH, FEATURE_SET_V2_NAMES } from '@autoheal/core';
import { describeRiskModelConformance } from '@autoheal/core/testing';
import { describe, expect, it } from 'vitest';
import { buildTreeModel, buildV2TreeModel, HEALTHY_V2, RISK_TREES, RISK_TREES_BASE, RISK_TREES_V2, RISK_TREES_V2_BASE, sigmoid, testMetadata, V2_TEST_THRESHOLD } from '../test-support/build-models.js';
import { createOnnxRiskModel } from './onnx-risk-model.js';

/** Resolves to the error the promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<AutohealError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(AutohealError.isInstance(error), `expected an AutohealError, got ${String(error)}`).toBe(true);
  return error as AutohealError;
}

describe('the feature set a model takes', () => {
  it('reads a model without feature_set metadata as the seed set (model v1)', async () => {
    const model = await createOnnxRiskModel({ modelBytes: buildTreeModel({ trees: RISK_TREES, baseValue: RISK_TREES_BASE }) });

    expect(model.featureSet).toBe('seed');
    expect(model.metadata.featureSet).toBe('seed');
    await model.close();
  });

  it('loads a v2 model with the default options: its feature_set decides the expected names', async () => {
    const model = await createOnnxRiskModel({ modelBytes: buildV2TreeModel() });

    expect(model.featureSet).toBe('v2');
    expect(model.featureNames).toEqual(FEATURE_SET_V2_NAMES);
    expect(model.recommendedThreshold).toBe(V2_TEST_THRESHOLD);
    // Healthy: error ratio ≤ 5% (-1.0), ready 1 (-0.5), no restarts (-0.3).
    expect((await model.score(HEALTHY_V2)).probability).toBeCloseTo(sigmoid(RISK_TREES_V2_BASE - 1.0 - 0.5 - 0.3), 6);
    // All down: ready 0 (+2.5) and restarts (+2.0).
    expect((await model.score({ ...HEALTHY_V2, ready_replica_ratio: 0, restarts_per_pod: 2 })).probability).toBeCloseTo(sigmoid(RISK_TREES_V2_BASE - 1.0 + 2.5 + 2.0), 6);
    await model.close();
  });

  it('loads a v2 model trained before the trend features were appended (the first 16 names), and refuses those names reordered', async () => {
    const first = FEATURE_SET_V2_NAMES.slice(0, FEATURE_SET_V2_FIRST_LENGTH);
    const older = (names: readonly string[]) =>
      buildTreeModel({ trees: RISK_TREES_V2, baseValue: RISK_TREES_V2_BASE, featureNames: names, metadata: testMetadata(names, { model_name: 'test-risk-v2', model_version: '2.0.0', threshold: String(V2_TEST_THRESHOLD), feature_set: 'v2' }) });
    const model = await createOnnxRiskModel({ modelBytes: older(first) });
    expect(model.featureNames).toEqual(first);
    const { http_error_ratio_rise: _a, cpu_minutes_to_limit: _b, ...sixteen } = HEALTHY_V2;
    expect((await model.score(sixteen)).probability).toBeCloseTo(sigmoid(RISK_TREES_V2_BASE - 1.0 - 0.5 - 0.3), 6);
    await model.close();
    const swapped = [first[1], first[0], ...first.slice(2)] as string[];
    const error = await rejection(createOnnxRiskModel({ modelBytes: older(swapped) }));
    expect(error.message).toContain('missing feature(s) http_error_ratio_rise, cpu_minutes_to_limit');
  });

  it('accepts the trainer-side name of the set (autoheal/v2) too', async () => {
    const model = await createOnnxRiskModel({ modelBytes: buildV2TreeModel({ feature_set: 'autoheal/v2' }) });

    expect(model.featureSet).toBe('v2');
    await model.close();
  });

  it('refuses an unknown feature_set, naming the key and the values it takes', async () => {
    const error = await rejection(createOnnxRiskModel({ modelBytes: buildV2TreeModel({ feature_set: 'v3' }) }));

    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toMatch(/feature_set metadata "v3"; expected "v2" .* or "seed"/);
  });

  it('refuses a v2 model whose names are not the v2 set, saying it read the set from feature_set', async () => {
    const names = [...FEATURE_SET_V2_NAMES].reverse();
    const bytes = buildTreeModel({ trees: [{ leaf: 0 }], baseValue: 0, featureNames: names, metadata: testMetadata(names, { feature_set: 'v2' }) });

    const error = await rejection(createOnnxRiskModel({ modelBytes: bytes }));

    expect(error.message).toMatch(/does not take the expected features \(feature set v2, as its feature_set metadata says\): wrong order/);
  });

  it('refuses a seed-named model declared v2 only when the names disagree, and honours expectedFeatureNames: null', async () => {
    const bytes = buildTreeModel({ trees: RISK_TREES, baseValue: RISK_TREES_BASE, metadata: testMetadata(DEFAULT_FEATURE_NAMES, { feature_set: 'v2' }) });

    expect((await rejection(createOnnxRiskModel({ modelBytes: bytes }))).details).toMatchObject({ kind: 'feature-mismatch' });
    const model = await createOnnxRiskModel({ modelBytes: bytes, expectedFeatureNames: null });
    expect(model.featureSet).toBe('v2');
    await model.close();
  });
});

describe('a model whose features the source does not provide', () => {
  it('is refused at load, naming the missing features and what provides them', async () => {
    const error = await rejection(createOnnxRiskModel({ modelBytes: buildV2TreeModel(), availableFeatures: DEFAULT_FEATURE_NAMES }));

    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toMatch(/\(feature set v2\) needs features the feature source does not provide: feature set v2: http_error_ratio, http_requests_per_second, unavailable_excess_ratio/);
    expect(error.message).toMatch(/the Prometheus adapter computes them when its featureNames option lists them/);
    expect(error.details).toMatchObject({ kind: 'features-not-provided', featureSet: 'v2' });
    expect((error.details as { missing: string[] }).missing).not.toContain('ready_replica_ratio'); // the seed source has it
  });

  it('loads when the source provides both sets', async () => {
    const model = await createOnnxRiskModel({ modelBytes: buildV2TreeModel(), availableFeatures: [...DEFAULT_FEATURE_NAMES, ...FEATURE_SET_V2_NAMES] });

    expect(model.featureSet).toBe('v2');
    await model.close();
  });
});

describe("the server's v2 test model fixture", () => {
  it('is exactly what buildV2TreeModel writes (regenerate it from there when the builder changes)', async () => {
    const { readFile } = await import('node:fs/promises');
    const fixture = await readFile(new URL('../../../server/test-support/fixtures/risk-v2-test.onnx', import.meta.url));
    expect(Buffer.from(buildV2TreeModel()).equals(fixture)).toBe(true);
  });
});

describeRiskModelConformance('onnx v2 test model', async () => {
  const model = await createOnnxRiskModel({ modelBytes: buildV2TreeModel() });
  return { model, cleanup: () => model.close() };
});

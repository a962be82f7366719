import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutohealError, DEFAULT_FEATURE_NAMES } from '@autoheal/core';
import { describe, expect, it } from 'vitest';
import {
  buildLogisticModel,
  buildTreeModel,
  LOGISTIC_INTERCEPT,
  LOGISTIC_WEIGHTS,
  RISK_TREES,
  RISK_TREES_BASE,
  SEED_EXAMPLE,
  sigmoid,
  testMetadata,
} from '../test-support/build-models.js';
import { createOnnxRiskModel, type OnnxRiskScore } from './onnx-risk-model.js';

const treeBytes = () => buildTreeModel({ trees: RISK_TREES, baseValue: RISK_TREES_BASE });
const sum = (score: OnnxRiskScore) => (score.contributions ?? []).reduce((total, c) => total + c.contribution, 0);
const logit = (p: number) => Math.log(p / (1 - p));

/** Resolves to the error the promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<AutohealError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(AutohealError.isInstance(error), `expected an AutohealError, got ${String(error)}`).toBe(true);
  return error as AutohealError;
}

describe('tree ensemble scoring', () => {
  it('returns the hand-computed probability for the seed example', async () => {
    const model = await createOnnxRiskModel({ modelBytes: treeBytes() });

    const { probability } = await model.score(SEED_EXAMPLE);

    // restarts 0 <= 0.5 and 5xx 0 <= 1 → -1.0; ready 1 is not < 0.9, unavailable 0 is not > 0.5 → -0.4; cpu 10 < 90 → -0.1.
    expect(probability).toBeCloseTo(sigmoid(RISK_TREES_BASE - 1.0 - 0.4 - 0.1), 6);
    await model.close();
  });

  it('returns the hand-computed probability for a crash-looping vector', async () => {
    const model = await createOnnxRiskModel({ modelBytes: treeBytes() });

    const { probability } = await model.score({ ...SEED_EXAMPLE, restart_count_last_5m: 6, cpu_usage_pct: 95, ready_replica_ratio: 0.5, unavailable_replicas: 2, http_5xx_error_rate: 12 });

    // restarts 6 > 0.5 → 1.5; ready 0.5 < 0.9 → 1.2; cpu 95 >= 90 → 0.3.
    expect(probability).toBeCloseTo(sigmoid(RISK_TREES_BASE + 1.5 + 1.2 + 0.3), 6);
  });

  it('routes missing values (null → NaN) by the nodes_missing_value_tracks_true rule', async () => {
    const model = await createOnnxRiskModel({ modelBytes: treeBytes() });

    const [routed, plain] = await model.scoreBatch([
      // 5xx missing → the explicit "yes" branch (-1.0), not the "no" branch a NaN comparison would take (0.8);
      // ready missing → "yes" of ready < 0.9 (1.2).
      { ...SEED_EXAMPLE, http_5xx_error_rate: null, ready_replica_ratio: null },
      // restarts missing, no explicit routing: NaN <= 0.5 is false → 1.5.
      { ...SEED_EXAMPLE, restart_count_last_5m: null },
    ]);

    expect(routed!.probability).toBeCloseTo(sigmoid(RISK_TREES_BASE - 1.0 + 1.2 - 0.1), 6);
    expect(plain!.probability).toBeCloseTo(sigmoid(RISK_TREES_BASE + 1.5 - 0.4 - 0.1), 6);
  });

  it('scores a batch exactly as it scores each row alone', async () => {
    const model = await createOnnxRiskModel({ modelBytes: treeBytes() });
    const rows = Array.from({ length: 25 }, (_, i) => ({ ...SEED_EXAMPLE, restart_count_last_5m: i % 3, cpu_usage_pct: i * 5, ready_replica_ratio: (i % 5) / 4, unavailable_replicas: i % 2, http_5xx_error_rate: i % 4 === 0 ? null : i / 10 }));

    const batch = await model.scoreBatch(rows);
    const singles = await Promise.all(rows.map((row) => model.score(row)));

    expect(batch.map((s) => s.probability)).toEqual(singles.map((s) => s.probability));
    expect(batch.map((s) => s.contributions)).toEqual(singles.map((s) => s.contributions));
  });

  it('accepts a row as an array in feature order', async () => {
    const model = await createOnnxRiskModel({ modelBytes: treeBytes() });

    const byName = await model.score(SEED_EXAMPLE);
    const byPosition = await model.score(DEFAULT_FEATURE_NAMES.map((name) => SEED_EXAMPLE[name]));

    expect(byPosition.probability).toBe(byName.probability);
  });
});

describe('tree ensemble contributions', () => {
  it('credits each split on the path with the change in expected node value', async () => {
    const model = await createOnnxRiskModel({ modelBytes: treeBytes() });

    const score = await model.score(SEED_EXAMPLE);
    const byFeature = Object.fromEntries(score.contributions!.map((c) => [c.feature, c.contribution]));

    // Node values (children weighted equally): tree 0 root (((-1 + 0.8) / 2) + 1.5) / 2 = 0.7, its left child -0.1;
    // tree 1 root (1.2 + 0.1) / 2 = 0.65, right child (0.6 - 0.4) / 2 = 0.1; tree 2 root 0.1.
    expect(byFeature.restart_count_last_5m).toBeCloseTo(-0.1 - 0.7, 6);
    expect(byFeature.http_5xx_error_rate).toBeCloseTo(-1.0 - -0.1, 6);
    expect(byFeature.ready_replica_ratio).toBeCloseTo(0.1 - 0.65, 6);
    expect(byFeature.unavailable_replicas).toBeCloseTo(-0.4 - 0.1, 6);
    expect(byFeature.cpu_usage_pct).toBeCloseTo(-0.1 - 0.1, 6);
    expect(byFeature.memory_usage_bytes).toBe(0);
    expect(score.baseValue).toBeCloseTo(RISK_TREES_BASE + 0.7 + 0.65 + 0.1, 6);
  });

  it('adds up with the base value to the log-odds of the probability', async () => {
    const model = await createOnnxRiskModel({ modelBytes: treeBytes() });
    const rows = [SEED_EXAMPLE, { ...SEED_EXAMPLE, restart_count_last_5m: 4, http_5xx_error_rate: null }, { ...SEED_EXAMPLE, ready_replica_ratio: null, cpu_usage_pct: 99 }];

    const scores = await model.scoreBatch(rows);

    for (const score of scores) expect(score.baseValue! + sum(score)).toBeCloseTo(logit(score.probability), 5);
  });

  it('lists contributions largest magnitude first, with the values that were scored', async () => {
    const model = await createOnnxRiskModel({ modelBytes: treeBytes() });

    const { contributions } = await model.score({ ...SEED_EXAMPLE, ready_replica_ratio: null });
    const magnitudes = contributions!.map((c) => Math.abs(c.contribution));

    expect(magnitudes).toEqual([...magnitudes].sort((a, b) => b - a));
    expect(contributions!.find((c) => c.feature === 'ready_replica_ratio')!.value).toBeNull();
    expect(contributions!.find((c) => c.feature === 'memory_usage_bytes')!.value).toBe(52428800);
  });

  it('weights node values by cover when the model carries nodes_hitrates', async () => {
    const trees = [{ feature: 0, threshold: 0.5, cover: 10, yes: { leaf: -1, cover: 9 }, no: { leaf: 2, cover: 1 } }];
    const model = await createOnnxRiskModel({ modelBytes: buildTreeModel({ trees, baseValue: 0, hitRates: true }) });

    const score = await model.score(SEED_EXAMPLE);

    // Root value (9 · -1 + 1 · 2) / 10 = -0.7, so taking the left branch is worth -1 - (-0.7).
    expect(score.baseValue).toBeCloseTo(-0.7, 6);
    expect(score.contributions!.find((c) => c.feature === 'restart_count_last_5m')!.contribution).toBeCloseTo(-0.3, 6);
    expect(model.metadata.explanation.nodeWeighting).toBe('cover');
  });

  it('scales contributions by a Platt calibration so they explain the calibrated probability', async () => {
    const calibration = { a: 0.5, b: -0.25 };
    const model = await createOnnxRiskModel({ modelBytes: buildTreeModel({ trees: RISK_TREES, baseValue: RISK_TREES_BASE, calibration }) });

    const score = await model.score(SEED_EXAMPLE);

    const raw = RISK_TREES_BASE - 1.0 - 0.4 - 0.1;
    expect(score.probability).toBeCloseTo(sigmoid(calibration.a * raw + calibration.b), 6);
    expect(score.baseValue! + sum(score)).toBeCloseTo(calibration.a * raw + calibration.b, 5);
  });

  it('averages trees for aggregate_function AVERAGE', async () => {
    const model = await createOnnxRiskModel({ modelBytes: buildTreeModel({ trees: RISK_TREES, baseValue: RISK_TREES_BASE, aggregate: 'AVERAGE' }) });

    const score = await model.score(SEED_EXAMPLE);

    expect(score.probability).toBeCloseTo(sigmoid(RISK_TREES_BASE + (-1.0 - 0.4 - 0.1) / 3), 6);
    expect(score.baseValue! + sum(score)).toBeCloseTo(logit(score.probability), 5);
  });

  it('offers no contributions, and says why, when the graph is not a sigmoid of the trees', async () => {
    const model = await createOnnxRiskModel({ modelBytes: buildTreeModel({ trees: RISK_TREES, baseValue: RISK_TREES_BASE, mulAfterSigmoid: 0.5 }) });

    const score = await model.score(SEED_EXAMPLE);

    expect(score.probability).toBeCloseTo(0.5 * sigmoid(RISK_TREES_BASE - 1.5), 6);
    expect(score.contributions).toBeUndefined();
    expect(model.metadata.explanation).toMatchObject({ method: 'none', reason: expect.stringContaining('follows the sigmoid') });
  });

  it('leaves contributions out when asked, per model or per call', async () => {
    const quiet = await createOnnxRiskModel({ modelBytes: treeBytes(), contributions: false });
    const model = await createOnnxRiskModel({ modelBytes: treeBytes() });

    expect((await quiet.score(SEED_EXAMPLE)).contributions).toBeUndefined();
    expect((await model.score(SEED_EXAMPLE, { contributions: false })).contributions).toBeUndefined();
    expect((await quiet.score(SEED_EXAMPLE, { contributions: true })).contributions).toHaveLength(7);
  });
});

describe('logistic models', () => {
  const seedLogit = LOGISTIC_INTERCEPT + LOGISTIC_WEIGHTS.reduce((total, w, i) => total + w * SEED_EXAMPLE[DEFAULT_FEATURE_NAMES[i]!], 0);

  for (const form of ['matmul', 'gemm', 'linear-regressor'] as const) {
    it(`scores and explains a ${form} logistic model as coefficient × value`, async () => {
      const model = await createOnnxRiskModel({ modelBytes: buildLogisticModel({ weights: LOGISTIC_WEIGHTS, intercept: LOGISTIC_INTERCEPT, form }) });

      const score = await model.score(SEED_EXAMPLE);

      expect(score.probability).toBeCloseTo(sigmoid(seedLogit), 6);
      expect(model.metadata.modelType).toBe('logistic');
      expect(score.baseValue).toBeCloseTo(LOGISTIC_INTERCEPT, 6);
      for (const [i, name] of DEFAULT_FEATURE_NAMES.entries()) {
        expect(score.contributions!.find((c) => c.feature === name)!.contribution).toBeCloseTo(LOGISTIC_WEIGHTS[i]! * SEED_EXAMPLE[name], 5);
      }
      expect(score.baseValue! + sum(score)).toBeCloseTo(logit(score.probability), 5);
    });
  }

  it('fails with MODEL_FAILED, naming the missing feature, when a logistic model gets a null', async () => {
    const model = await createOnnxRiskModel({ modelBytes: buildLogisticModel({ weights: LOGISTIC_WEIGHTS, intercept: LOGISTIC_INTERCEPT, form: 'matmul' }) });

    const error = await rejection(model.score({ ...SEED_EXAMPLE, cpu_usage_pct: null }));

    expect(error.code).toBe('MODEL_FAILED');
    expect(error.message).toMatch(/^\[autoheal\] \[onnx\] .*missing cpu_usage_pct/);
  });
});

describe('metadata', () => {
  it('exposes name, version, features, threshold and the rest of metadata_props', async () => {
    const calibration = { method: 'platt', a: 0.5, b: -0.25 };
    const metadata = testMetadata(DEFAULT_FEATURE_NAMES, { calibration: JSON.stringify(calibration), extra_key: 'kept' });
    const bytes = buildTreeModel({ trees: RISK_TREES, baseValue: RISK_TREES_BASE, calibration, metadata });

    const model = await createOnnxRiskModel({ modelBytes: bytes });

    expect(model.name).toBe('test-risk');
    expect(model.version).toBe('1.2.3');
    expect(model.featureNames).toEqual(DEFAULT_FEATURE_NAMES);
    expect(model.recommendedThreshold).toBe(0.42);
    expect(model.metadata).toMatchObject({
      modelType: 'tree_ensemble',
      calibration,
      trainingSummary: { rows: 1000, prAuc: 0.8 },
      createdBy: 'adapter-onnx tests',
      properties: { extra_key: 'kept' },
      opsets: { '': 17, 'ai.onnx.ml': 3 },
      source: { sizeBytes: bytes.length },
      explanation: { method: 'path-attribution', trees: 3, nodeWeighting: 'equal' },
    });
    expect(model.metadata.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts a readonly list such as DEFAULT_FEATURE_NAMES as expectedFeatureNames', async () => {
    const model = await createOnnxRiskModel({ modelBytes: treeBytes(), expectedFeatureNames: DEFAULT_FEATURE_NAMES });

    expect(model.featureNames).toEqual(DEFAULT_FEATURE_NAMES);
  });

  it("accepts the model's own feature names when expectedFeatureNames is null", async () => {
    const featureNames = ['queue_depth', 'error_ratio'];
    const bytes = buildLogisticModel({ featureNames, weights: [0.1, 2], intercept: -1, form: 'matmul' });

    const model = await createOnnxRiskModel({ modelBytes: bytes, expectedFeatureNames: null });

    expect(model.featureNames).toEqual(featureNames);
    expect((await model.score({ queue_depth: 10, error_ratio: 0.5 })).probability).toBeCloseTo(sigmoid(-1 + 1 + 1), 6);
  });

  it('names a model without model_name after its file and marks it unversioned', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'onnx-test-'));
    const path = join(dir, 'my-model.onnx');
    await writeFile(path, buildTreeModel({ trees: RISK_TREES, baseValue: 0, metadata: testMetadata(DEFAULT_FEATURE_NAMES, { model_name: undefined, model_version: undefined, threshold: undefined }) }));

    const model = await createOnnxRiskModel({ modelPath: path });

    expect(model.name).toBe('my-model');
    expect(model.version).toBe('unversioned');
    expect(model.recommendedThreshold).toBeUndefined();
    expect(model.metadata.source.path).toBe(path);
  });

  it.each([
    ['feature_names', undefined, /no feature_names metadata/],
    ['feature_names', 'restarts,cpu', /feature_names that is not valid JSON/],
    ['feature_names', '["a","a","b","c","d","e","f"]', /lists feature name\(s\) a more than once/],
    ['threshold', 'high', /threshold metadata "high"; it must be a decimal in \[0, 1\]/],
    ['threshold', '1.5', /threshold metadata "1.5"/],
    ['model_type', 'neural', /model_type "neural"/],
    ['calibration', '{"method":"isotonic"}', /expected \{"method":"platt"/],
  ])('refuses metadata %s = %s', async (key, value, message) => {
    const bytes = buildTreeModel({ trees: RISK_TREES, baseValue: 0, metadata: testMetadata(DEFAULT_FEATURE_NAMES, { [key]: value }) });

    const error = await rejection(createOnnxRiskModel({ modelBytes: bytes, expectedFeatureNames: null }));

    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toMatch(message);
  });
});

describe('schema mismatches are refused at load', () => {
  const names = [...DEFAULT_FEATURE_NAMES];
  const load = (bytes: Uint8Array) => rejection(createOnnxRiskModel({ modelBytes: bytes }));

  it('names missing features', async () => {
    const featureNames = names.filter((n) => n !== 'http_5xx_error_rate');
    const error = await load(buildTreeModel({ featureNames, trees: RISK_TREES.slice(1), baseValue: 0 }));

    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toContain('missing feature(s) http_5xx_error_rate');
    expect(error.details).toMatchObject({ missing: ['http_5xx_error_rate'], extra: [] });
  });

  it('names extra features', async () => {
    const error = await load(buildTreeModel({ featureNames: [...names, 'disk_usage_bytes'], trees: RISK_TREES, baseValue: 0 }));

    expect(error.message).toContain('extra feature(s) disk_usage_bytes');
  });

  it('names features in the wrong order', async () => {
    const featureNames = [names[0]!, names[2]!, names[1]!, ...names.slice(3)];
    const error = await load(buildTreeModel({ featureNames, trees: RISK_TREES, baseValue: 0 }));

    expect(error.message).toContain('wrong order: column 1 is memory_usage_bytes but should be cpu_usage_pct; column 2 is cpu_usage_pct but should be memory_usage_bytes');
  });

  it('refuses a wrong input name', async () => {
    const error = await load(buildTreeModel({ trees: RISK_TREES, baseValue: 0, inputName: 'input' }));

    expect(error.message).toContain('has input(s) "input"; expected exactly one input named "features"');
  });

  it('refuses a wrong input type', async () => {
    const error = await load(buildTreeModel({ trees: RISK_TREES, baseValue: 0, inputType: 11 }));

    expect(error.message).toContain('input "features" is float64; expected float32');
  });

  it('refuses an input width that does not match feature_names', async () => {
    const error = await load(buildTreeModel({ trees: RISK_TREES, baseValue: 0, inputWidth: 5 }));

    expect(error.message).toContain('input "features" has shape [N, 5]; expected [N, 7]');
  });

  it('refuses a wrong output name', async () => {
    const error = await load(buildTreeModel({ trees: RISK_TREES, baseValue: 0, outputName: 'score' }));

    expect(error.message).toContain('has output(s) "score"; expected one named "probability"');
  });

  it('refuses an output that is not a probability (no sigmoid)', async () => {
    const error = await load(buildTreeModel({ trees: RISK_TREES, baseValue: RISK_TREES_BASE, withoutSigmoid: true }));

    // All-zero row: restarts 0 → 5xx 0 → -1.0; ready 0 < 0.9 → 1.2; cpu 0 → -0.1; so the raw score is -0.4.
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toMatch(/does not output a probability: for an all-zero row "probability" is -0\.(39999|4)\d*, expected one number in \[0, 1\]/);
  });

  it('refuses a wrong output type', async () => {
    const error = await load(buildTreeModel({ trees: RISK_TREES, baseValue: 0, doubleOutput: true }));

    expect(error.message).toContain('output "probability" is float64; expected float32');
  });
});

describe('files that are not a model fail at load', () => {
  const load = (options: Parameters<typeof createOnnxRiskModel>[0]) => rejection(createOnnxRiskModel(options));
  const tempFile = async (name: string, content: Uint8Array | string) => {
    const path = join(await mkdtemp(join(tmpdir(), 'onnx-test-')), name);
    await writeFile(path, content);
    return path;
  };

  it('a missing file', async () => {
    const error = await load({ modelPath: '/nonexistent/models/risk-v1.onnx' });

    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toMatch(/^\[autoheal\] \[onnx\] model file not found: \/nonexistent\/models\/risk-v1.onnx .*Set modelPath/);
  });

  it('a directory', async () => {
    const error = await load({ modelPath: tmpdir() });

    expect(error.message).toContain('is a directory');
  });

  it('an empty file', async () => {
    const error = await load({ modelPath: await tempFile('empty.onnx', '') });

    expect(error.message).toMatch(/is empty \(0 bytes\)/);
  });

  it('a Git LFS pointer', async () => {
    const pointer = 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n';
    const error = await load({ modelPath: await tempFile('risk-v1.onnx', pointer) });

    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toContain('is a Git LFS pointer');
    expect(error.message).toContain('real size 12345 bytes');
    expect(error.message).toContain('git lfs pull');
  });

  it('a truncated model', async () => {
    const bytes = treeBytes();

    const error = await load({ modelBytes: bytes.subarray(0, Math.floor(bytes.length / 2)) });

    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toContain('truncated');
  });

  it('a model cut anywhere fails at load, never at the first prediction', async () => {
    const bytes = buildTreeModel({ trees: RISK_TREES, baseValue: RISK_TREES_BASE, calibration: { a: 1, b: 0 } });
    const cuts = [1, 2, 16, ...[0.1, 0.25, 0.5, 0.75, 0.9, 0.99].map((f) => Math.floor(bytes.length * f)), bytes.length - 1];

    for (const cut of cuts) {
      const error = await load({ modelBytes: bytes.subarray(0, cut) });

      expect(error.code, `cut at ${cut} of ${bytes.length} bytes`).toBe('MODEL_INVALID');
      expect(error.message, `cut at ${cut} of ${bytes.length} bytes`).toContain('truncated');
    }
  });

  it.each([
    ['a Python pickle', Uint8Array.from([0x80, 0x04, 0x95, 0x10, 0, 0]), /Python pickle/],
    ['an HTML page', new TextEncoder().encode('<!DOCTYPE html><html><body>Sign in</body></html>'), /HTML\/XML page/],
    ['JSON', new TextEncoder().encode('{"weights": [1, 2]}'), /JSON text/],
    ['a zip archive', Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0, 0]), /zip archive/],
    ['plain text', new TextEncoder().encode('this is not a model, just some notes\n'), /not (a readable ONNX|an ONNX) model/],
  ])('%s', async (_, bytes, message) => {
    const error = await load({ modelBytes: bytes });

    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toMatch(message);
  });
});

describe('options and vectors', () => {
  it('requires exactly one of modelPath and modelBytes', async () => {
    const error = await rejection(createOnnxRiskModel({}));

    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('give exactly one of modelPath (a .onnx file) or modelBytes');
  });

  it('rejects unknown options', async () => {
    const error = await rejection(createOnnxRiskModel({ modelBytes: treeBytes(), threads: 2 } as never));

    expect(error.message).toMatch(/invalid ONNX model options/);
  });

  it.each([
    ['an absent feature', { ...SEED_EXAMPLE, cpu_usage_pct: undefined }, /absent feature\(s\) cpu_usage_pct \(use null/],
    ['an unknown feature', { ...SEED_EXAMPLE, disk_bytes: 1 }, /unknown feature\(s\) disk_bytes/],
    ['a NaN value', { ...SEED_EXAMPLE, cpu_usage_pct: Number.NaN }, /cpu_usage_pct is NaN; pass a finite number, or null/],
    ['a string value', { ...SEED_EXAMPLE, cpu_usage_pct: '10' }, /cpu_usage_pct is "10"/],
    ['an array of the wrong length', [0, 1, 2], /row 0 has 3 values; the model takes 7/],
  ])('refuses %s with INPUT_INVALID', async (_, vector, message) => {
    const model = await createOnnxRiskModel({ modelBytes: treeBytes() });
    const row = Array.isArray(vector) ? vector : Object.fromEntries(Object.entries(vector).filter(([, v]) => v !== undefined));

    const error = await rejection(model.score(row as never));

    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message).toMatch(message);
  });

  it('fails with MODEL_FAILED after close', async () => {
    const model = await createOnnxRiskModel({ modelBytes: treeBytes() });
    await model.close();

    const error = await rejection(model.score(SEED_EXAMPLE));

    expect(error.code).toBe('MODEL_FAILED');
    expect(error.message).toContain('is closed');
  });

  it('stops before scoring when the signal is already aborted', async () => {
    const model = await createOnnxRiskModel({ modelBytes: treeBytes() });

    const error = await rejection(model.scoreBatch([SEED_EXAMPLE], { signal: AbortSignal.abort(new Error('shutdown')) }));

    expect(error.code).toBe('ABORTED');
    expect(error.message).toContain('shutdown');
  });
});

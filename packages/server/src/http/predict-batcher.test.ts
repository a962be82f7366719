import type { FeatureVector, RiskModel } from '@autoheal/core';
import { createInMemoryRiskModel, HEALTHY_FEATURES, AT_RISK_FEATURES } from '@autoheal/core/testing';
import { describe, expect, it } from 'vitest';
import { createPredictBatcher } from './predict-batcher.js';

function countingModel() {
  const inner = createInMemoryRiskModel();
  const batches: number[] = [];
  const model: RiskModel = {
    name: inner.name,
    version: inner.version,
    featureNames: inner.featureNames,
    score: (vector) => inner.score(vector),
    scoreBatch: (vectors) => (batches.push(vectors.length), inner.scoreBatch(vectors)),
  };
  return { inner, model, batches };
}

describe('createPredictBatcher', () => {
  it('scores requests made in the same turn with one model call, in order', async () => {
    const { inner, model, batches } = countingModel();
    const batcher = createPredictBatcher(model);
    const vectors: FeatureVector[] = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? HEALTHY_FEATURES : AT_RISK_FEATURES));
    const scores = await Promise.all(vectors.map((v) => batcher.score(v)));
    expect(batches).toEqual([10]);
    expect(scores.map((s) => s.probability)).toEqual((await inner.scoreBatch(vectors)).map((s) => s.probability));
  });

  it('splits a large burst into batches of at most maxBatch', async () => {
    const { model, batches } = countingModel();
    const batcher = createPredictBatcher(model, 4);
    await Promise.all(Array.from({ length: 10 }, () => batcher.score(HEALTHY_FEATURES)));
    expect(batches).toEqual([4, 4, 2]);
  });

  it('rejects every request of a failed batch, and recovers for the next one', async () => {
    const { inner, model } = countingModel();
    const batcher = createPredictBatcher(model);
    inner.failWith(new Error('model exploded'));
    const results = await Promise.allSettled([batcher.score(HEALTHY_FEATURES), batcher.score(HEALTHY_FEATURES)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    inner.failWith(null);
    await expect(batcher.score(HEALTHY_FEATURES)).resolves.toHaveProperty('probability');
  });
});

import { describe, expect, it } from 'vitest';
import { backend, frontend, setup } from './pipeline.test-setup.js';
import { FALLBACK_THRESHOLD, resolveThreshold, thresholdForTarget } from './threshold.js';

describe('threshold resolution', () => {
  it('prefers the configured threshold, then the model\'s recommended one, then 0.50', () => {
    expect(resolveThreshold(0.7, { recommendedThreshold: 0.22 })).toBe(0.7);
    expect(resolveThreshold(undefined, { recommendedThreshold: 0.22 })).toBe(0.22);
    expect(resolveThreshold(undefined, {})).toBe(FALLBACK_THRESHOLD);
    expect(resolveThreshold(undefined)).toBe(0.5);
  });

  it('gives a target its own threshold when the policy names one', () => {
    const policy = { threshold: 0.3, targetThresholds: { 'prod/frontend': 0.8 } };
    expect(thresholdForTarget(policy, frontend)).toBe(0.8);
    expect(thresholdForTarget(policy, backend)).toBe(0.3);
  });

  it('makes the pipeline judge at the model\'s recommended threshold when none is configured', async () => {
    const { pipeline, makeAtRisk } = setup({ model: { recommendedThreshold: 0.22 } });
    makeAtRisk();
    expect(pipeline.policy.threshold).toBe(0.22);
    expect(pipeline.thresholdFor(backend)).toBe(0.22);
    const inspection = await pipeline.inspect(backend);
    expect(inspection.assessment.threshold).toBe(0.22);
  });

  it('lets the configured and per-target thresholds win over the model\'s', () => {
    const { pipeline } = setup({ model: { recommendedThreshold: 0.22 }, policy: { threshold: 0.6, targetThresholds: { 'prod/frontend': 0.9 } } });
    expect(pipeline.policy.threshold).toBe(0.6);
    expect(pipeline.thresholdFor(frontend)).toBe(0.9);
    expect(pipeline.thresholdFor({ namespace: 'prod', name: 'backend' })).toBe(0.6);
  });
});

import { describe, expect, it } from 'vitest';
import { validateConfig } from './config/load-config.js';
import { policyFromConfig } from './compose.js';

describe('policyFromConfig', () => {
  it('maps the config durations onto the core policy', () => {
    const policy = policyFromConfig(validateConfig({ policy: { threshold: 0.6, recheckDelay: '90s', cooldown: '5m', healthyReset: '20m', circuitBreaker: { maxActions: 3, window: '2h' }, dryRun: true } }));
    expect(policy).toMatchObject({ threshold: 0.6, recheckDelayMs: 90_000, cooldownMs: 300_000, healthyResetMs: 1_200_000, circuitBreaker: { maxActions: 3, windowMs: 7_200_000 }, dryRun: true });
  });

  it('uses the re-check delay as the cooldown when none is set, so escalation is never held back by it', () => {
    expect(policyFromConfig(validateConfig({ policy: { recheckDelay: '45s' } })).cooldownMs).toBe(45_000);
  });
});

describe('the default threshold', () => {
  it("is the config's when set, else the model's tuned one, else 0.50", async () => {
    const { effectiveThreshold } = await import('./compose.js');
    expect(effectiveThreshold(validateConfig({ policy: { threshold: 0.7 } }), { recommendedThreshold: 0.18 })).toBe(0.7);
    expect(effectiveThreshold(validateConfig({}), { recommendedThreshold: 0.18 })).toBe(0.18);
    expect(effectiveThreshold(validateConfig({}), {})).toBe(0.5);
    expect(policyFromConfig(validateConfig({}), { recommendedThreshold: 0.18 }).threshold).toBe(0.18);
  });
});

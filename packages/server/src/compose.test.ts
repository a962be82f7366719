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

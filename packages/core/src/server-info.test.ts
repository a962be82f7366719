import { describe, expect, it } from 'vitest';
import { serverInfoSchema, type ServerInfo } from './server-info.js';

const info: ServerInfo = {
  name: 'autoheal',
  version: '0.1.0',
  readOnly: false,
  dryRun: false,
  mode: 'full',
  leaderElection: false,
  model: { name: 'risk', version: '1.0.0', threshold: 0.22 },
  featureNames: ['cpu_usage_pct'],
  features: { cpu_usage_pct: { unit: 'percent of one core', description: 'CPU used' } },
  policy: { threshold: 0.22, ladder: [{ kind: 'restart' }], recheckDelayMs: 120_000, cooldownMs: 120_000, healthyResetMs: 600_000, circuitBreaker: { maxActions: 5, windowMs: 3_600_000 } },
};

describe('serverInfoSchema', () => {
  it('accepts an answer that follows the contract', () => {
    expect(serverInfoSchema.parse(info)).toEqual(info);
  });

  it('rejects a field the contract does not declare, naming it', () => {
    const result = serverInfoSchema.safeParse({ ...info, policy: { ...info.policy, paused: true } });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error!.issues)).toContain('paused');
  });

  it('rejects an unknown ladder step kind', () => {
    expect(serverInfoSchema.safeParse({ ...info, policy: { ...info.policy, ladder: [{ kind: 'reboot' }] } }).success).toBe(false);
  });
});

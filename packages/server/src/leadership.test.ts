import { describe, expect, it } from 'vitest';
import type { AutohealConfig } from './config/config-schema.js';
import { ALWAYS_LEADING, leadershipFence, type Leadership } from './leadership.js';

const withElection = { leaderElection: { enabled: true } } as AutohealConfig;

describe('leadershipFence', () => {
  it('is absent without leader election: nothing to fence', () => {
    expect(leadershipFence({ leaderElection: { enabled: false } } as AutohealConfig, () => ALWAYS_LEADING)).toBeUndefined();
  });

  it('refuses until the leadership exists, then answers as the leadership does', () => {
    let current: Leadership | undefined;
    const fence = leadershipFence(withElection, () => current)!;
    expect(fence.check()).toBe('leader election has not started yet');

    current = ALWAYS_LEADING;
    expect(fence.check()).toBeUndefined();

    current = { ...ALWAYS_LEADING, check: () => 'not the leader: the Lease autoheal/autoheal is not ours' };
    expect(fence.check()).toBe('not the leader: the Lease autoheal/autoheal is not ours');
  });
});

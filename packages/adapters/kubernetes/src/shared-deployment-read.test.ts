import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createSharedDeploymentRead } from './shared-deployment-read.js';

const web = { namespace: 'prod', kind: 'Deployment' as const, name: 'web' };

function counting() {
  let gets = 0;
  let clock = 0;
  const shared = createSharedDeploymentRead({ deployment: async () => ({ metadata: { resourceVersion: String(++gets) } }) as V1Deployment }, { maxAgeMs: 1_000, now: () => clock });
  return { shared, gets: () => gets, advance: (ms: number) => (clock += ms) };
}

describe('the shared Deployment read', () => {
  it('the read after readAndKeep takes the kept Deployment: one GET for both', async () => {
    const { shared, gets } = counting();

    const first = await shared.readAndKeep(web);
    const second = await shared.take(web);

    expect(second).toBe(first);
    expect(gets()).toBe(1);
  });

  it('is taken once: the next read GETs again', async () => {
    const { shared, gets } = counting();
    await shared.readAndKeep(web);
    await shared.take(web);

    await shared.take(web);

    expect(gets()).toBe(2);
  });

  it('a copy older than maxAgeMs is never used', async () => {
    const { shared, gets, advance } = counting();
    await shared.readAndKeep(web);
    advance(1_001);

    const read = await shared.take(web);

    expect(read.metadata?.resourceVersion).toBe('2');
    expect(gets()).toBe(2);
  });
});

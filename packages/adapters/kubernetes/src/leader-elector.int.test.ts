/** Two electors competing for one Lease on the sandbox API server, in real time with short timings. */
import { systemClock, type Clock } from '@autoheal/core';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeaderElector, type LeaderElector } from './leader-elector.js';
import { startTestCluster, type TestCluster } from '../test-support/test-cluster.js';

let cluster: TestCluster;
let kubeConfig: KubeConfig;
let leases: CoordinationV1Api;
let counter = 0;

const timings = { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 200 };

beforeAll(async () => {
  cluster = await startTestCluster([{ namespace: 'prod', name: 'web', replicas: 1 }]);
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(cluster.kubeconfigPath);
  leases = kubeConfig.makeApiClient(CoordinationV1Api);
});

afterAll(async () => {
  await cluster?.close();
});

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return Date.now() - started;
}

function elector(name: string, identity: string, clock: Clock = systemClock): LeaderElector {
  return createLeaderElector({ kubeConfig, namespace: 'prod', name, identity, clock, ...timings });
}

/** A clock whose sleeps can be frozen: a process that hangs and stops renewing without releasing. */
function freezableClock(): Clock & { freeze(): void } {
  let frozen = false;
  return {
    now: () => Date.now(),
    sleep: (ms, signal) => (frozen ? new Promise<void>(() => undefined) : systemClock.sleep(ms, signal)),
    freeze: () => {
      frozen = true;
    },
  };
}

describe('leader election on a Lease', () => {
  it('one of two electors leads; the other takes over as soon as the leader releases', async () => {
    counter += 1;
    const name = `autoheal-leader-${counter}`;
    const a = elector(name, 'replica-a');
    const b = elector(name, 'replica-b');
    const changes: string[] = [];
    a.onChange((leading) => changes.push(`a:${leading}`));
    b.onChange((leading) => changes.push(`b:${leading}`));
    const stopA = new AbortController();
    const stopB = new AbortController();

    const runA = a.start(stopA.signal);
    await waitUntil(() => a.isLeader(), 2_000);
    const runB = b.start(stopB.signal);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    const lease = await leases.readNamespacedLease({ name, namespace: 'prod' });
    expect(lease.spec?.holderIdentity).toBe('replica-a');
    expect(lease.spec?.leaseDurationSeconds).toBe(2);
    expect(String(lease.spec?.renewTime)).toMatch(/\.\d{6}Z$/);

    await a.release();
    await runA;
    // Released with an empty holder: no need to wait for the 2 s lease to expire.
    const tookOver = await waitUntil(() => b.isLeader(), 1_900);

    expect(tookOver).toBeLessThan(timings.leaseDurationMs);
    expect(a.isLeader()).toBe(false);
    const after = await leases.readNamespacedLease({ name, namespace: 'prod' });
    expect(after.spec?.holderIdentity).toBe('replica-b');
    expect(after.spec?.leaseTransitions).toBe(1);
    expect(changes).toEqual(['a:true', 'a:false', 'b:true']);
    stopB.abort();
    await runB;
    expect((await leases.readNamespacedLease({ name, namespace: 'prod' })).spec?.holderIdentity).toBe('');
  });

  it('when the leader stops renewing, the other takes over only after the lease duration', async () => {
    counter += 1;
    const name = `autoheal-leader-${counter}`;
    const hangingClock = freezableClock();
    const a = elector(name, 'replica-a', hangingClock);
    const b = elector(name, 'replica-b');
    const stopA = new AbortController();
    const stopB = new AbortController();
    void a.start(stopA.signal);
    await waitUntil(() => a.isLeader(), 2_000);
    const runB = b.start(stopB.signal);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(b.isLeader()).toBe(false);

    hangingClock.freeze();
    const frozenAt = Date.now();
    await waitUntil(() => b.isLeader(), 5_000);

    // b judged expiry on its own clock from the last change it saw, so it waited for most of the lease
    // duration (a's last renewal may predate the freeze by a retry period or a slow request), not one retry period.
    expect(Date.now() - frozenAt).toBeGreaterThanOrEqual(timings.leaseDurationMs / 2);
    const lease = await leases.readNamespacedLease({ name, namespace: 'prod' });
    expect(lease.spec?.holderIdentity).toBe('replica-b');
    // The stalled replica no longer claims leadership either: it has not renewed within the renew deadline.
    expect(a.isLeader()).toBe(false);
    // …and its fence refuses every write, before the other replica could take over.
    expect(a.fence().check()).toMatch(/^not the leader with time to spare: the Lease prod\/autoheal-leader-\d+ was last renewed \d+ ms ago/);
    expect(b.fence().check()).toBeUndefined();
    stopB.abort();
    stopA.abort();
    await runB;
  });

  it("the fence lets writes through only while this replica leads, naming the holder otherwise", async () => {
    counter += 1;
    const name = `autoheal-leader-${counter}`;
    const a = elector(name, 'replica-a');
    const b = elector(name, 'replica-b');
    const stop = new AbortController();
    const runA = a.start(stop.signal);
    await waitUntil(() => a.isLeader(), 2_000);
    const runB = b.start(stop.signal);
    await new Promise((resolve) => setTimeout(resolve, 400));

    expect(a.fence().check()).toBeUndefined();
    expect(b.fence().check()).toBe(`not the leader: the Lease prod/${name} is not ours (it is held by replica-a)`);
    stop.abort();
    await Promise.all([runA, runB]);
    expect(a.fence().check()).toMatch(/^not the leader/);
  });

  it('never has two leaders at once while both run', async () => {
    counter += 1;
    const name = `autoheal-leader-${counter}`;
    const a = elector(name, 'replica-a');
    const b = elector(name, 'replica-b');
    const stop = new AbortController();
    const runs = [a.start(stop.signal), b.start(stop.signal)];
    let both = 0;
    let anyLeader = false;

    for (let i = 0; i < 60; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      if (a.isLeader() && b.isLeader()) both += 1;
      anyLeader ||= a.isLeader() || b.isLeader();
    }
    stop.abort();
    await Promise.all(runs);

    expect(anyLeader).toBe(true);
    expect(both).toBe(0);
  });
});

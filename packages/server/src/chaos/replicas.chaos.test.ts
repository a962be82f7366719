/**
 * Chaos: replicas. Two `autoheal watch` processes with leader election watch the same targets; the
 * leader is killed in the middle of the ladder and the other carries the episode on from the state
 * in the cluster, never repeating a step the dead leader took. A third process in dry-run watches
 * the same targets without leader election and must change nothing. Judged from the sandbox's
 * request log (Lease writes, claims, step writes) and the Events. See docs/reliability.md.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAutoheal, type AutohealProcess } from '../../test-support/chaos/autoheal-process.js';
import { startChaosCluster, type ChaosCluster } from '../../test-support/chaos/chaos-cluster.js';
import { claims, dryRunWritesNothing, neverPastCeiling, oneClaimPerAttempt, oneStepEventPerAttempt, onlyTheLeaderActs, writesUnderOwnClaim } from '../../test-support/chaos/invariants.js';
import { waitUntil } from '../../test-support/chaos/wait.js';

const hasPrometheus = spawnSync('sh', ['-c', 'command -v prometheus'], { stdio: 'ignore' }).status === 0;
if (!hasPrometheus) console.warn('[chaos] SKIPPED: the "prometheus" binary is not installed (apt-get install prometheus)');

let cluster: ChaosCluster;
const processes: AutohealProcess[] = [];

beforeAll(async () => {
  cluster = await startChaosCluster({ deployments: 2, prefix: 'lead' });
  await cluster.waitForData();
}, 300_000);

afterAll(async () => {
  await Promise.all(processes.map((child) => child.kill()));
  await cluster?.close();
});

async function start(name: string, settings: Parameters<ChaosCluster['configFor']>[1]): Promise<AutohealProcess> {
  const child = await startAutoheal(name, ['watch', '--config', await cluster.configFor(name, settings)]);
  processes.push(child);
  return child;
}

describe.skipIf(!hasPrometheus)('chaos: replicas', { timeout: 400_000 }, () => {
  it('only the Lease holder claims and writes; after the leader dies the other replica goes on without repeating its steps; a dry-run process changes nothing', async () => {
    const targets = cluster.names.map((name) => `prod/${name}`);
    const replicas = new Map<string, AutohealProcess>();
    for (const name of ['replica-a', 'replica-b']) replicas.set(name, await start(name, { targets, leaderElection: true }));
    const dry = await start('dry', { targets, policy: { dryRun: true } });
    const log = () => cluster.sandbox.requestLog.entries();

    await waitUntil(() => claims(log()).length >= 1, 'the first claim of the leader').catch((error: Error) => {
      throw new Error(`${error.message}\n${processes.map((child) => `--- ${child.name}:\n${child.output().slice(-3000)}`).join('\n')}`);
    });
    const leader = claims(log())[0]!.user;
    const follower = [...replicas.keys()].find((name) => name !== leader)!;
    // A crash: no release of the Lease, so the follower must wait for it to expire.
    await replicas.get(leader)!.kill();
    const claimsOfLeader = claims(log()).filter((claim) => claim.user === leader);

    await waitUntil(() => claims(log()).some((claim) => claim.user === follower), `the first claim of ${follower}`, 180_000);
    await replicas.get(follower)!.stop();
    await dry.stop();

    const entries = log();
    const byFollower = claims(entries).filter((claim) => claim.user === follower);
    // The follower starts from the cluster's state: every attempt it claims comes after the leader's.
    for (const claim of byFollower) {
      const earlier = claimsOfLeader.filter((own) => own.target === claim.target);
      for (const own of earlier) expect(claim.attempt, `${follower} claimed attempt ${claim.attempt} of ${claim.target} after ${leader} claimed ${own.attempt}`).toBeGreaterThan(own.attempt);
    }
    expect(onlyTheLeaderActs(entries, 'autoheal-chaos')).toEqual([]);
    expect(oneClaimPerAttempt(entries)).toEqual([]);
    expect(writesUnderOwnClaim(entries)).toEqual([]);
    expect(neverPastCeiling(entries)).toEqual([]);
    expect(claims(entries).filter((claim) => claim.user === 'dry')).toEqual([]);
    expect(dryRunWritesNothing(entries, 'dry')).toEqual([]);
    for (const name of cluster.names) expect(oneStepEventPerAttempt(await cluster.events(name))).toEqual([]);
  });
});

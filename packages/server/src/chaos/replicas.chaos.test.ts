/**
 * Chaos: replicas. Two `autoheal watch` processes with leader election watch the same targets; the
 * leader is killed in the middle of the ladder and the other carries the episode on from the state
 * in the cluster, never repeating a step the dead leader took. A third process in dry-run watches
 * the same targets without leader election and must change nothing. Then three replicas, where the
 * leader loses its Lease while one of its step writes is held in the network. Judged from the
 * sandbox's request log (Lease writes, claims, step writes) and the Events. See docs/reliability.md.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAutoheal, type AutohealProcess } from '../../test-support/chaos/autoheal-process.js';
import { startChaosCluster, type ChaosCluster } from '../../test-support/chaos/chaos-cluster.js';
import { claims, dryRunWritesNothing, neverPastCeiling, oneClaimPerAttempt, oneStepEventPerAttempt, onlyTheLeaderActs, stepWrites, writesUnderOwnClaim } from '../../test-support/chaos/invariants.js';
import { waitUntil } from '../../test-support/chaos/wait.js';

const hasPrometheus = spawnSync('sh', ['-c', 'command -v prometheus'], { stdio: 'ignore' }).status === 0;
if (!hasPrometheus) console.warn('[chaos] SKIPPED: the "prometheus" binary is not installed (apt-get install prometheus)');

let cluster: ChaosCluster;
const processes: AutohealProcess[] = [];

beforeAll(async () => {
  cluster = await startChaosCluster({ deployments: 3, prefix: 'lead' });
  await cluster.waitForData();
}, 300_000);

afterAll(async () => {
  await Promise.all(processes.map((child) => child.kill()));
  await cluster?.close();
});

/** Whether a write's body is a restart (a new pod template annotation). */
const isRestart = (body: unknown) => Boolean((body as { spec?: { template?: unknown } } | undefined)?.spec?.template);

async function start(name: string, settings: Parameters<ChaosCluster['configFor']>[1]): Promise<AutohealProcess> {
  const child = await startAutoheal(name, ['watch', '--config', await cluster.configFor(name, settings)]);
  processes.push(child);
  return child;
}

describe.skipIf(!hasPrometheus)('chaos: replicas', { timeout: 400_000 }, () => {
  it('only the Lease holder claims and writes; after the leader dies the other replica goes on without repeating its steps; a dry-run process changes nothing', async () => {
    const targets = ['prod/lead-0', 'prod/lead-1'];
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
    for (const name of ['lead-0', 'lead-1']) expect(oneStepEventPerAttempt(await cluster.events(name))).toEqual([]);
  });

  it('three replicas; the leader loses its Lease while its restart is held in the network: the next leader waits out the claim and goes on, the late write is refused (its claim\'s resourceVersion), the old leader sends nothing new', async () => {
    const lease = 'autoheal-chaos-three';
    const names = ['trio-a', 'trio-b', 'trio-c'];
    let slowWriter = '';
    // The first restart of lead-2 is held 90 s before it reaches the API server (a write in flight on
    // a slow network), and from that moment every Lease request of its sender fails: it loses the
    // Lease (15 s) long before its write lands, and the next leader, once the claim's deadline (20 s
    // step time limit + 30 s grace) has passed, claims the next attempt before the write arrives.
    const held = cluster.api.inject({
      name: 'restart held in the network',
      match: (request) => request.method === 'PATCH' && request.path.endsWith('/deployments/lead-2') && isRestart(request.body),
      action: {
        kind: 'hook',
        when: 'before',
        run: async (request) => {
          slowWriter = request.user;
          await new Promise((resolve) => setTimeout(resolve, 90_000));
        },
      },
    });
    cluster.api.inject({ name: 'the slow writer cannot reach its Lease', match: (request) => slowWriter !== '' && request.user === slowWriter && request.path.includes('/leases/'), action: { kind: 'fail' }, times: 100_000 });
    for (const name of names) await start(name, { targets: ['prod/lead-2'], leaderElection: true, leaseName: lease });
    const log = () => cluster.sandbox.requestLog.entries();
    const onTarget = () => claims(log()).filter((claim) => claim.target === 'prod/lead-2');

    await waitUntil(() => held.fired === 1, 'the leader\'s restart of lead-2', 180_000);
    const successorClaim = () => onTarget().find((claim) => claim.user !== slowWriter);
    await waitUntil(() => successorClaim() !== undefined, 'a claim on lead-2 by the next leader', 240_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${processes.filter((child) => names.includes(child.name)).map((child) => `--- ${child.name}:\n${child.output().slice(-3000)}`).join('\n')}`);
    });
    // Until the held restart has reached the API server, so its fate is in the log.
    const lateRestart = () => log().find((entry) => entry.user === slowWriter && entry.resource === 'deployments' && entry.name === 'lead-2' && isRestart(entry.body));
    await waitUntil(() => lateRestart() !== undefined, 'the held restart reaching the API server', 120_000);
    await Promise.all(processes.filter((child) => names.includes(child.name)).map((child) => child.stop()));

    const entries = log();
    const next = successorClaim()!;
    const slowClaims = onTarget().filter((claim) => claim.user === slowWriter);
    // The slow writer claimed attempt 1 only; the next leader went on from there, never re-claiming it.
    expect(slowClaims.map((claim) => claim.attempt)).toEqual([1]);
    expect(next.attempt).toBeGreaterThan(1);
    // The late restart arrived after the next leader's claim and was refused: it carries the
    // resourceVersion of its own claim, which the next claim changed. Nothing restarted attempt 1.
    const late = lateRestart()!;
    expect(late.seq).toBeGreaterThan(next.seq);
    expect(late.status).toBe(409);
    expect(stepWrites(entries).filter((write) => write.target === 'prod/lead-2' && write.kind === 'restart' && write.seq < next.seq)).toEqual([]);
    // Once its Lease was gone, the slow writer sent no claim, state write or step write of its own
    // (the held restart was sent before; it is judged above).
    const lastRenewal = entries.filter((entry) => entry.user === slowWriter && entry.resource === 'leases' && entry.verb !== 'get' && entry.status < 300).at(-1)!;
    const lateWrites = entries.filter(
      (entry) => entry.user === slowWriter && entry.resource === 'deployments' && entry.method !== 'GET' && entry.at > lastRenewal.at + 15_000 && !isRestart(entry.body),
    );
    expect(lateWrites.map((entry) => `${entry.method} ${entry.path} (request ${entry.seq})`)).toEqual([]);
    const others = entries.filter((entry) => !(entry.user === slowWriter && isRestart(entry.body)));
    expect(onlyTheLeaderActs(others, lease).filter((violation) => violation.includes('lead-2'))).toEqual([]);
    expect(oneClaimPerAttempt(entries.filter((entry) => entry.name === 'lead-2' || entry.resource !== 'deployments'))).toEqual([]);
    expect(writesUnderOwnClaim(entries).filter((violation) => violation.includes('lead-2'))).toEqual([]);
    expect(neverPastCeiling(entries)).toEqual([]);
    expect(oneStepEventPerAttempt(await cluster.events('lead-2'))).toEqual([]);
  });
});

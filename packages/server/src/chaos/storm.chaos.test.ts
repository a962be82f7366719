/**
 * Chaos: a storm — twenty targets at risk at once — against the circuit breaker, with the watching
 * process crashed and started again mid-storm and a CI `autoheal run` next to it. The breaker's
 * window lives in a ConfigMap, so the cap holds across the restart and binds both modes. Judged from
 * the sandbox's request log and the Events. See docs/reliability.md.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAutoheal, type AutohealProcess } from '../../test-support/chaos/autoheal-process.js';
import { startChaosCluster, type ChaosCluster } from '../../test-support/chaos/chaos-cluster.js';
import { claims, neverPastCeiling, oneClaimPerAttempt, oneStepEventPerAttempt, stepWrites, writesUnderOwnClaim } from '../../test-support/chaos/invariants.js';
import { waitUntil } from '../../test-support/chaos/wait.js';

const hasPrometheus = spawnSync('sh', ['-c', 'command -v prometheus'], { stdio: 'ignore' }).status === 0;
if (!hasPrometheus) console.warn('[chaos] SKIPPED: the "prometheus" binary is not installed (apt-get install prometheus)');

const MAX_ACTIONS = 5;
let cluster: ChaosCluster;
const processes: AutohealProcess[] = [];

beforeAll(async () => {
  cluster = await startChaosCluster({ deployments: 20, prefix: 'storm', replicas: 1 });
  await cluster.waitForData();
}, 300_000);

afterAll(async () => {
  await Promise.all(processes.map((child) => child.kill()));
  await cluster?.close();
});

describe.skipIf(!hasPrometheus)('chaos: a storm of twenty targets', { timeout: 400_000 }, () => {
  it('takes at most maxActions steps across a crash and restart of the watcher and a CI run next to it', async () => {
    const policy = { circuitBreaker: { maxActions: MAX_ACTIONS, window: '1h' } };
    const targets = cluster.names.map((name) => `prod/${name}`);
    const first = await startAutoheal('storm-a', ['watch', '--config', await cluster.configFor('storm-a', { targets, policy })]);
    processes.push(first);
    await waitUntil(() => claims(cluster.sandbox.requestLog.entries()).length >= 3, 'the first steps of the storm');

    // A crash mid-storm: no shutdown, no hand-over; the new process starts from nothing in memory.
    await first.kill();
    const second = await startAutoheal('storm-b', ['watch', '--config', await cluster.configFor('storm-b', { targets, policy })]);
    processes.push(second);
    const ci = await startAutoheal('storm-ci', ['run', '--config', await cluster.configFor('storm-ci', { targets: targets.slice(15), policy })]);
    processes.push(ci);
    await second.waitFor(/circuit breaker open \(5\/5 steps/);
    const ciExit = await ci.exited;
    // Two more rounds of the restarted watcher against the full breaker.
    const seen = cluster.sandbox.requestLog.entries().length;
    await waitUntil(() => cluster.sandbox.requestLog.entries().filter((entry) => entry.seq > seen && entry.user === 'storm-b' && entry.resource === 'configmaps').length >= 2, 'the restarted watcher to read the breaker again');
    await second.stop();

    const log = cluster.sandbox.requestLog.entries();
    const steps = claims(log);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.length, `claims: ${steps.map((c) => `${c.user} ${c.target}#${c.attempt}`).join(', ')}`).toBeLessThanOrEqual(MAX_ACTIONS);
    expect(new Set(stepWrites(log).filter((write) => write.kind === 'restart').map((write) => write.target)).size).toBeLessThanOrEqual(MAX_ACTIONS);
    // The CI run was held back by the same breaker: exit 40 (a safety rule held a due step back) or 0/20 if it got one of the slots.
    expect([0, 20, 40]).toContain(ciExit);
    expect(oneClaimPerAttempt(log)).toEqual([]);
    expect(writesUnderOwnClaim(log)).toEqual([]);
    expect(neverPastCeiling(log)).toEqual([]);

    const events = (await Promise.all(cluster.names.map((name) => cluster.events(name)))).flat();
    const stepEvents = events.filter((event) => ['AutohealRestart', 'AutohealCacheClear', 'AutohealRollback', 'AutohealScale'].includes(event.reason ?? ''));
    expect(stepEvents.length).toBeLessThanOrEqual(MAX_ACTIONS);
    expect(oneStepEventPerAttempt(events)).toEqual([]);
    // One AutohealCircuitOpen per target per process at most (rate-limited), not one per round.
    const circuitEvents = events.filter((event) => event.reason === 'AutohealCircuitOpen');
    expect(circuitEvents.length).toBeGreaterThan(0);
    for (const name of cluster.names) {
      expect(circuitEvents.filter((event) => event.involvedObject?.name === name).reduce((sum, event) => sum + (event.count ?? 1), 0)).toBeLessThanOrEqual(3);
    }
  });
});

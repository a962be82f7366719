/**
 * Chaos: a step is applied at most once per attempt, whatever fails around it. One `autoheal watch`
 * process (the real CLI, a child process) per target, talking to the sandbox through a fault proxy
 * that fails, loses or kills at a chosen request. Judged from the sandbox's request log and the
 * Events, never from autoheal's own view. See docs/reliability.md.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAutoheal, type AutohealProcess } from '../../test-support/chaos/autoheal-process.js';
import { startChaosCluster, type ChaosCluster } from '../../test-support/chaos/chaos-cluster.js';
import type { ProxiedRequest } from '../../test-support/chaos/fault-proxy.js';
import { claims, neverPastCeiling, oneClaimPerAttempt, oneStepEventPerAttempt, stepWrites, writesUnderOwnClaim } from '../../test-support/chaos/invariants.js';
import { waitUntil } from '../../test-support/chaos/wait.js';

const hasPrometheus = spawnSync('sh', ['-c', 'command -v prometheus'], { stdio: 'ignore' }).status === 0;
if (!hasPrometheus) console.warn('[chaos] SKIPPED: the "prometheus" binary is not installed (apt-get install prometheus)');

let cluster: ChaosCluster;
const processes: AutohealProcess[] = [];

beforeAll(async () => {
  cluster = await startChaosCluster({ deployments: 4, prefix: 'once' });
  await cluster.waitForData();
}, 300_000);

afterAll(async () => {
  await Promise.all(processes.map((child) => child.kill()));
  await cluster?.close();
});

/** The state patch of `deployment` that claims attempt `attempt` (a body whose state carries an intent). */
const claimOf = (deployment: string, attempt: number) => (request: ProxiedRequest) => {
  const state = (request.body as { metadata?: { annotations?: Record<string, string> } } | undefined)?.metadata?.annotations?.['autoheal.dev/healing-state'];
  return request.method === 'PATCH' && request.path.endsWith(`/deployments/${deployment}`) && typeof state === 'string' && JSON.parse(state).intent?.attempt === attempt;
};

/** The state patch of `deployment` that clears a claim (a state without an intent). */
const clearOf = (deployment: string) => (request: ProxiedRequest) => {
  const state = (request.body as { metadata?: { annotations?: Record<string, string> } } | undefined)?.metadata?.annotations?.['autoheal.dev/healing-state'];
  return request.method === 'PATCH' && request.path.endsWith(`/deployments/${deployment}`) && typeof state === 'string' && JSON.parse(state).intent === undefined && JSON.parse(state).steps !== undefined;
};

/** The restart patch of `deployment`. */
const restartOf = (deployment: string) => (request: ProxiedRequest) =>
  request.method === 'PATCH' && request.path.endsWith(`/deployments/${deployment}`) && Boolean((request.body as { spec?: { template?: unknown } } | undefined)?.spec?.template);

async function watch(name: string, deployment: string, policy: Record<string, unknown> = {}): Promise<AutohealProcess> {
  const config = await cluster.configFor(name, { targets: [`prod/${deployment}`], policy });
  // --json: every decision record on stdout, notes included, as well as the log.
  const child = await startAutoheal(name, ['watch', '--config', config, '--json']);
  processes.push(child);
  return child;
}

const log = () => cluster.sandbox.requestLog.entries();
const claimsOn = (deployment: string) => claims(log()).filter((claim) => claim.target === `prod/${deployment}`);
const writesOn = (deployment: string) => stepWrites(log()).filter((write) => write.target === `prod/${deployment}`);

/** The invariants every test checks, on one Deployment. */
async function expectInvariants(deployment: string): Promise<void> {
  const entries = log().filter((entry) => entry.name === deployment || entry.resource !== 'deployments');
  expect(oneClaimPerAttempt(entries)).toEqual([]);
  expect(writesUnderOwnClaim(log()).filter((violation) => violation.includes(`prod/${deployment}`))).toEqual([]);
  expect(neverPastCeiling(entries)).toEqual([]);
  expect(oneStepEventPerAttempt(await cluster.events(deployment))).toEqual([]);
}

describe.skipIf(!hasPrometheus)('chaos: exactly once per attempt', { timeout: 400_000 }, () => {
  it('a claim that never reached the API server (503 before it) applies nothing; the next evaluation claims and applies once', async () => {
    const fault = cluster.api.inject({ name: 'claim fails', match: claimOf('once-0', 1), action: { kind: 'fail' } });
    const child = await watch('solo-0', 'once-0');

    await waitUntil(() => writesOn('once-0').some((write) => write.kind === 'restart'), 'the restart of once-0');
    await child.stop();

    expect(fault.fired).toBe(1);
    expect(claimsOn('once-0').filter((claim) => claim.attempt === 1)).toHaveLength(1);
    expect(writesOn('once-0').filter((write) => write.kind === 'restart')).toHaveLength(1);
    await expectInvariants('once-0');
  });

  it('a claim written whose answer was lost (503 after it) counts its attempt and is never applied', async () => {
    const fault = cluster.api.inject({ name: 'claim answer lost', match: claimOf('once-1', 1), action: { kind: 'fail-after' } });
    const child = await watch('solo-1', 'once-1');

    await waitUntil(() => claimsOn('once-1').some((claim) => claim.attempt === 2), 'the claim of attempt 2 on once-1');
    await child.stop();

    const second = claimsOn('once-1').find((claim) => claim.attempt === 2)!;
    expect(fault.fired).toBe(1);
    // Attempt 1 was claimed, never applied, and not claimed again: the ladder went on to attempt 2.
    expect(writesOn('once-1').filter((write) => write.seq < second.seq)).toEqual([]);
    expect(child.output()).toMatch(/step 1\/3 \(restart\) claimed by solo-1 at \S+ never reported back; nothing shows it finished/);
    await expectInvariants('once-1');
  });

  it('a step whose clearing write fails (503 on the state write) is not applied again', async () => {
    const fault = cluster.api.inject({ name: 'clear fails', match: clearOf('once-2'), action: { kind: 'fail' } });
    const child = await watch('solo-2', 'once-2');

    await waitUntil(() => claimsOn('once-2').some((claim) => claim.attempt === 2), 'the claim of attempt 2 on once-2');
    await child.stop();

    const second = claimsOn('once-2').find((claim) => claim.attempt === 2)!;
    expect(fault.fired).toBe(1);
    expect(writesOn('once-2').filter((write) => write.kind === 'restart' && write.seq < second.seq)).toHaveLength(1);
    // The step's own Event is how the claim was settled.
    expect(child.output()).toMatch(/never reported back; its record shows it finished: Event AutohealRestart/);
    await expectInvariants('once-2');
  });

  it('a process killed between the step and its clearing write: the next one never repeats the step', async () => {
    // A short step time limit, so the dead process's claim stops counting as in flight sooner.
    const policy = { actionTimeout: '5s' };
    let crashing: AutohealProcess | undefined;
    const fault = cluster.api.inject({ name: 'kill after the restart', match: restartOf('once-3'), action: { kind: 'hook', when: 'after', run: () => crashing?.kill() } });
    crashing = await watch('crashing', 'once-3', policy);
    await crashing.exited;
    const successor = await watch('successor', 'once-3', policy);

    await waitUntil(() => claimsOn('once-3').some((claim) => claim.attempt === 2), 'the successor\'s claim of attempt 2 on once-3', 240_000);
    await successor.stop();

    expect(fault.fired).toBe(1);
    const restarts = writesOn('once-3').filter((write) => write.kind === 'restart');
    const second = claimsOn('once-3').find((claim) => claim.attempt === 2)!;
    expect(restarts.filter((write) => write.seq < second.seq).map((write) => write.user)).toEqual(['crashing']);
    expect(second.user).toBe('successor');
    expect(successor.output()).toMatch(/step 1\/3 \(restart\) claimed by crashing at \S+ never reported back/);
    await expectInvariants('once-3');
  });
});

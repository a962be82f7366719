/**
 * `autoheal watch` and `autoheal run` with leader election, against the sandbox's Kubernetes API
 * (real Leases, the real Kubernetes healer, annotations and Events). Each command runs in-process as
 * the CLI runs it, with its own config file, elector, healer and pipeline; the signals come from an
 * in-process source so that the test decides when a target is at risk. What happened is read from
 * the cluster (the Lease, the Events, the Deployment), not from autoheal's own view.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DecisionRecord } from '@autoheal/core';
import { AT_RISK_FEATURES, HEALTHY_FEATURES, createInMemoryFeatureSource, createInMemoryRiskModel, type InMemoryFeatureSource } from '@autoheal/core/testing';
import { startSandbox, type Sandbox } from '@autoheal/sandbox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureIo } from '../../test-support/capture-io.js';
import { runCommand } from './run-command.js';
import { RUN_EXIT } from './run-exit-codes.js';
import { watchCommand } from './watch-command.js';

const STEP_REASONS = ['AutohealRestart', 'AutohealCacheClear', 'AutohealRollback'];

let sandbox: Sandbox;
let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'autoheal-leader-'));
  sandbox = await startSandbox({
    time: 'virtual',
    seed: 5,
    kubeconfigPath: join(directory, 'kubeconfig'),
    deployments: [
      { namespace: 'prod', name: 'backend', replicas: 2 },
      { namespace: 'prod', name: 'frontend', replicas: 2 },
    ],
  });
  sandbox.advance(60_000); // the first pods start and become ready
});

afterEach(async () => {
  await sandbox?.close();
  await rm(directory, { recursive: true, force: true });
});

/** A config file for one process: its Lease identity, plus `extra` sections. */
async function configFor(identity: string, extra: Record<string, unknown> = {}): Promise<string[]> {
  const path = join(directory, `${identity}.json`);
  await writeFile(path, JSON.stringify({ targets: ['prod/backend'], leaderElection: { enabled: true, identity }, watch: { interval: '1s' }, ...extra }));
  return ['--config', path, '--kubeconfig', sandbox.kubeconfigPath, '--log-level', 'silent'];
}

const leaseHolder = () => (sandbox.store.get('coordination.k8s.io/leases', 'autoheal', 'autoheal-leader') as { spec?: { holderIdentity?: string } } | undefined)?.spec?.holderIdentity;
const stepEvents = (name: string) =>
  (sandbox.store.list('/events', 'prod').items as unknown as Array<{ reason: string; involvedObject: { name: string } }>).filter((e) => e.involvedObject.name === name && STEP_REASONS.includes(e.reason));
const resourceVersion = (name: string) => (sandbox.store.get('apps/deployments', 'prod', name) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;

async function until(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One `autoheal watch` process: its own elector, healer and pipeline; `records` are the ones its pipeline made. */
function startWatch(identity: string, flags: string[], source: InMemoryFeatureSource) {
  const stop = new AbortController();
  const records: DecisionRecord[] = [];
  const io = captureIo();
  // --json prints every record this process's pipeline made, one per line.
  io.stdout = (text: string) => {
    for (const line of text.split('\n').filter(Boolean)) records.push(JSON.parse(line) as DecisionRecord);
  };
  const done = watchCommand([...flags, '--json'], io, { featureSource: source, riskModel: createInMemoryRiskModel(), notifiers: [], signal: stop.signal });
  return { identity, records, io, done, stop: async () => (stop.abort(), done) };
}

describe('autoheal watch with leader election', () => {
  it('two watch processes on one Lease: only the holder evaluates and acts; the other takes over when it stops, without repeating the step', async () => {
    const source = () => createInMemoryFeatureSource({ values: { 'prod/backend': { ...AT_RISK_FEATURES } } });
    const a = startWatch('replica-a', await configFor('replica-a'), source());
    const b = startWatch('replica-b', await configFor('replica-b'), source());

    // Several rounds of the leader (one record per round), during which the other process waits.
    await until(() => a.records.length + b.records.length >= 4, 'four rounds of the leader');
    const [leader, follower] = a.records.length > 0 ? [a, b] : [b, a];

    expect(follower.records).toEqual([]);
    expect(leaseHolder()).toBe(leader.identity);
    expect(stepEvents('backend').map((e) => e.reason)).toEqual(['AutohealRestart']);

    // The leader stops (SIGTERM): it releases the Lease, and the other one leads from its next attempt.
    expect(await leader.stop()).toBe(0);
    await until(() => follower.records.length > 0, 'the other process to lead and evaluate');

    expect(leaseHolder()).toBe(follower.identity);
    // The new leader continues the episode from the state on the Deployment: the step is in its
    // cooldown (the re-check delay), so it is not taken a second time.
    expect(stepEvents('backend').map((e) => e.reason)).toEqual(['AutohealRestart']);
    expect(follower.records.map((r) => r.decision)).not.toContain('heal');
    expect(await follower.stop()).toBe(0);
    expect(a.io.err + b.io.err).toBe('');
  }, 120_000);
});

describe('autoheal run with leader election', () => {
  it('waits for the Lease another process holds, then reports without acting (exit 40 for a target at risk)', async () => {
    // The in-cluster server's stand-in: a watch that leads and sees the target healthy.
    const server = startWatch('server', await configFor('server'), createInMemoryFeatureSource({ values: { 'prod/backend': { ...HEALTHY_FEATURES } } }));
    await until(() => server.records.length > 0, 'the watch to lead');
    const before = resourceVersion('backend');

    const io = captureIo();
    const code = await runCommand([...(await configFor('ci-run')), '--wait-for-lease', '2s'], io, {
      featureSource: createInMemoryFeatureSource({ values: { 'prod/backend': { ...AT_RISK_FEATURES } } }),
      riskModel: createInMemoryRiskModel(),
      notifiers: [],
    });

    expect(code, io.err).toBe(RUN_EXIT.suppressed);
    expect(io.err).toContain('waiting up to 2 s to hold the Lease autoheal/autoheal-leader (as ci-run)');
    expect(io.out).toMatch(/prod\/backend\s+0\.98\s+0\.50\s+at-risk\s+0\/3\s+restart\s+held back: not the leader/);
    expect(io.err).toContain('nothing was changed: not the leader: the Lease autoheal/autoheal-leader is not ours (it is held by server)');
    expect(resourceVersion('backend')).toBe(before);
    expect(stepEvents('backend')).toEqual([]);
    expect(leaseHolder()).toBe('server');
    await server.stop();
  }, 120_000);

  it('acts once it holds the Lease, and gives the Lease up when the pass ends', async () => {
    const source = createInMemoryFeatureSource({ values: { 'prod/backend': { ...AT_RISK_FEATURES } } });
    // Healthy again once the step is taken, so the pass ends with "kept" after one re-check.
    const healthyAfterStep = setInterval(() => {
      if (stepEvents('backend').length > 0) source.setValues({ namespace: 'prod', name: 'backend' }, { ...HEALTHY_FEATURES });
    }, 50);
    const io = captureIo();
    const code = await runCommand(
      await configFor('ci-run', { policy: { recheckDelay: '1s', keep: { healthyEvaluations: 1, minHealthy: 0 } } }),
      io,
      { featureSource: source, riskModel: createInMemoryRiskModel(), notifiers: [] },
    ).finally(() => clearInterval(healthyAfterStep));

    expect(code, io.err).toBe(RUN_EXIT.ok);
    expect(io.out).toMatch(/prod\/backend .* kept/);
    expect(stepEvents('backend').map((e) => e.reason)).toEqual(['AutohealRestart']);
    expect(leaseHolder()).toBe('');
  }, 120_000);
  it('stops when it loses the Lease in the middle of the pass (exit 40), and takes no further step', async () => {
    const source = createInMemoryFeatureSource({ values: { 'prod/backend': { ...AT_RISK_FEATURES } } });
    const io = captureIo();
    const run = runCommand(await configFor('ci-run', { policy: { recheckDelay: '10m' } }), io, { featureSource: source, riskModel: createInMemoryRiskModel(), notifiers: [] });
    await until(() => stepEvents('backend').length === 1, 'the first step');

    // Another process takes the Lease over (as after a partition): the run's next renewal finds it held by someone else.
    const lease = sandbox.store.get('coordination.k8s.io/leases', 'autoheal', 'autoheal-leader') as unknown as { spec: Record<string, unknown> };
    sandbox.store.update('coordination.k8s.io/leases', { ...lease, spec: { ...lease.spec, holderIdentity: 'server', renewTime: new Date().toISOString(), leaseDurationSeconds: 15 } } as never);
    const code = await run;

    expect(code, io.err).toBe(RUN_EXIT.suppressed);
    expect(io.err).toContain('stopped: this process lost the Lease (not the leader: the Lease autoheal/autoheal-leader is not ours (it is held by server)');
    expect(stepEvents('backend').map((e) => e.reason)).toEqual(['AutohealRestart']);
    expect(leaseHolder()).toBe('server');
  }, 120_000);
});

describe('autoheal run and the circuit breaker', () => {
  it('shares the breaker window stored in the cluster: a step another process took keeps the breaker open', async () => {
    const flags = ['--kubeconfig', sandbox.kubeconfigPath, '--log-level', 'silent'];
    const config = join(directory, 'breaker.json');
    await writeFile(config, JSON.stringify({ targets: ['prod/backend', 'prod/frontend'], policy: { circuitBreaker: { maxActions: 1, window: '1h' }, recheckDelay: '1s' } }));
    const source = createInMemoryFeatureSource({ values: { 'prod/backend': { ...AT_RISK_FEATURES }, 'prod/frontend': { ...HEALTHY_FEATURES } } });
    const parts = { featureSource: source, riskModel: createInMemoryRiskModel(), notifiers: [] };
    // A first run takes one step on prod/backend (then the episode is left running: interrupted at its re-check).
    const first = new AbortController();
    const firstRun = runCommand(['prod/backend', '--config', config, ...flags], captureIo(), { ...parts, signal: first.signal });
    await until(() => stepEvents('backend').length === 1, 'the first run to take its step');
    first.abort();
    await firstRun.catch(() => undefined); // interrupted, as by Ctrl-C
    source.setValues({ namespace: 'prod', name: 'frontend' }, { ...AT_RISK_FEATURES });
    const before = resourceVersion('frontend');

    const io = captureIo();
    const code = await runCommand(['prod/frontend', '--config', config, ...flags, '--json'], io, parts);

    expect(code, io.err).toBe(RUN_EXIT.suppressed);
    expect((JSON.parse(io.out) as DecisionRecord[])[0]).toMatchObject({ decision: 'suppressed', suppressedReason: 'circuit-open' });
    expect(stepEvents('frontend').map((e) => JSON.stringify(e))).toEqual([]);
    expect(resourceVersion('frontend')).toBe(before);
  }, 120_000);
});

/**
 * `autoheal pause|resume` in-process through runCli against the sandbox: the real Kubernetes healer
 * writes the marks, and `watch` and `heal` (each with its own healer and pipeline, as separate
 * processes would) read them. What happened is read from the cluster (annotations, Events).
 */
import type { DecisionRecord } from '@autoheal/core';
import { createInMemoryRiskModel } from '@autoheal/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { registerCommand, runCli } from '../main.js';
import { RUN_EXIT } from '../run-exit-codes.js';
import { runCommand } from '../run-command.js';
import { watchCommand } from '../watch-command.js';
import { healCommand } from './heal-command.js';
import { pauseCommand, resumeCommand } from './pause-command.js';
import { captureIo } from '../../../test-support/capture-io.js';
import { startOperatorFixture, type OperatorFixture } from '../../../test-support/operator-fixture.js';

let fixture: OperatorFixture;
let stopWatch: (() => Promise<unknown>) | undefined;

afterEach(async () => {
  await stopWatch?.();
  stopWatch = undefined;
  await fixture?.close();
});

/** The sandbox's virtual time as the commands' clock; a sleep (the step's time limit) is real and ends when aborted. */
const virtualClock = () => ({
  now: () => fixture.sandbox.clock.now(),
  sleep: (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
    }),
});

async function run(command: string, args: string[], options: { virtualTime?: boolean } = {}) {
  const clock = options.virtualTime ? { clock: virtualClock() } : {};
  registerCommand('pause', (argv, io) => pauseCommand(argv, io, clock));
  registerCommand('resume', (argv, io) => resumeCommand(argv, io, clock));
  registerCommand('heal', (argv, io) => healCommand(argv, io, { ...fixture.deps, ...clock }));
  const io = captureIo();
  const code = await runCli([command, ...args, ...fixture.flags], io);
  return { code, out: io.out, err: io.err };
}

/** `autoheal watch --json` in-process; `records` are its pipeline's, in order. */
function startWatch() {
  const stop = new AbortController();
  const records: DecisionRecord[] = [];
  const io = captureIo();
  io.stdout = (text: string) => {
    for (const line of text.split('\n').filter(Boolean)) records.push(JSON.parse(line) as DecisionRecord);
  };
  const done = watchCommand([...fixture.flags, '--json'], io, { featureSource: fixture.source, riskModel: createInMemoryRiskModel(), notifiers: [], signal: stop.signal });
  stopWatch = async () => (stop.abort(), done);
  return records;
}

async function until(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const steps = (name: string) => fixture.events(name).filter((e) => e.reason === 'AutohealRestart');
const pauseOf = (name: string) => fixture.deployment(name).metadata.annotations?.['autoheal.dev/paused'];

describe('autoheal pause and resume', () => {
  it('a paused target is watched and recorded suppressed/paused with no step; once resumed the loop acts on it', async () => {
    fixture = await startOperatorFixture({}, { config: { watch: { interval: '1s' } } });
    fixture.atRisk('backend');
    const paused = await run('pause', ['prod/backend', '--reason', 'db migration', '--by', 'alice']);
    // An annotation change bumps a Deployment's generation (as kube-apiserver does); the rollout
    // guard sees it as updating until the controller observes it, which happens when time moves.
    fixture.sandbox.advance(1_000);
    expect(paused.code, paused.err).toBe(RUN_EXIT.ok);
    expect(paused.out).toMatch(/^prod\/backend: paused \(annotation autoheal.dev\/paused on deployment prod\/backend\) by alice, since .*, until resumed, reason: db migration\./);

    const records = startWatch();
    const backend = () => records.filter((r) => r.target.name === 'backend');
    await until(() => backend().filter((r) => r.suppressedReason === 'paused').length >= 2, 'two paused records of prod/backend');

    expect(backend().every((r) => r.decision === 'suppressed' && r.suppressedReason === 'paused')).toBe(true);
    expect(backend()[0]!.holds).toEqual([expect.objectContaining({ kind: 'paused', scope: 'target', by: 'alice', reason: 'db migration' })]);
    expect(backend()[0]!.summary).toContain('; would have taken step 1/3 (restart)');
    expect(steps('backend')).toEqual([]);
    expect(fixture.deployment('backend').metadata.annotations?.['healing.attempt']).toBeUndefined();

    const resumed = await run('resume', ['prod/backend']);
    fixture.sandbox.advance(1_000);
    expect(resumed.code, resumed.err).toBe(RUN_EXIT.ok);
    expect(resumed.out).toContain('prod/backend: resumed (annotation autoheal.dev/paused on deployment prod/backend removed; it was by alice');
    // The step's Event is written while it is applied, its record published after: wait for both.
    const healed = () => backend().some((r) => r.decision === 'heal' && r.action?.step === 'restart');
    await until(() => steps('backend').length === 1 && healed(), 'the restart step and its record after resume');

    expect(pauseOf('backend')).toBeUndefined();
    expect(fixture.deployment('backend').metadata.annotations?.['healing.attempt']).toBe('1');
    expect(steps('backend')).toHaveLength(1);
  }, 120_000);

  it('pause --all holds every target of the loop; resume --all frees them (a target paused on its own stays paused)', async () => {
    fixture = await startOperatorFixture({}, { config: { watch: { interval: '1s' } } });
    fixture.atRisk('backend');
    fixture.atRisk('frontend');
    expect((await run('pause', ['--all', '--reason', 'freeze'])).code).toBe(RUN_EXIT.ok);
    expect((await run('pause', ['prod/frontend'])).code).toBe(RUN_EXIT.ok);

    const records = startWatch();
    await until(() => ['backend', 'frontend'].every((name) => records.some((r) => r.target.name === name && r.suppressedReason === 'paused')), 'both targets held');
    const backendHold = records.find((r) => r.target.name === 'backend')!.holds?.[0];
    const resumed = await run('resume', ['--all']);
    await until(() => steps('backend').length === 1, 'the restart step of prod/backend after resume --all');

    expect(backendHold).toMatchObject({ kind: 'paused', scope: 'global', source: 'annotation autoheal.dev/paused on configmap autoheal/autoheal-pause', reason: 'freeze' });
    expect(resumed.code, resumed.err).toBe(RUN_EXIT.ok);
    expect(resumed.out).toContain('Targets paused on their own stay paused');
    expect(steps('frontend')).toEqual([]);
    expect(records.filter((r) => r.target.name === 'frontend').at(-1)).toMatchObject({ suppressedReason: 'paused', holds: [{ scope: 'target' }] });
  }, 120_000);

  it('heal refuses a paused target (exit 40, --force passes it); a pause --until ends by itself', async () => {
    fixture = await startOperatorFixture();
    fixture.atRisk('backend');
    const paused = await run('pause', ['prod/backend', '--until', '10m', '--reason', 'INC-7'], { virtualTime: true });
    expect(paused.code, paused.err).toBe(RUN_EXIT.ok);
    expect(paused.out).toMatch(/until 2025-01-01T00:11:00Z \(in 10m 0s\)/);
    expect(JSON.parse(pauseOf('backend')!)).toMatchObject({ until: '2025-01-01T00:11:00Z', reason: 'INC-7' });

    const refused = await run('heal', ['prod/backend'], { virtualTime: true });
    expect(refused.code).toBe(RUN_EXIT.suppressed);
    expect(refused.out).toMatch(/Refused: {2}paused: /);
    expect(refused.out).toContain('--force overrides this rule');
    expect(steps('backend')).toEqual([]);

    fixture.sandbox.advance(10 * 60_000 + 1_000);
    const afterExpiry = await run('heal', ['prod/backend'], { virtualTime: true });

    expect(afterExpiry.code, afterExpiry.out).toBe(RUN_EXIT.ok);
    expect(afterExpiry.out).toMatch(/Plan: {5}step 1\/3 \(restart\)/);
    expect(steps('backend')).toHaveLength(1);
  }, 60_000);

  it('run (the CI step) ends with the held record and exit 40 under pause --all, and takes no step', async () => {
    fixture = await startOperatorFixture();
    fixture.atRisk('backend');
    expect((await run('pause', ['--all', '--reason', 'release freeze'])).code).toBe(RUN_EXIT.ok);
    const io = captureIo();

    const code = await runCommand([...fixture.flags, '--json'], io, { featureSource: fixture.source, riskModel: createInMemoryRiskModel(), notifiers: [] });

    expect(code, io.err).toBe(RUN_EXIT.suppressed);
    expect(io.out).toContain('"suppressedReason": "paused"');
    expect(io.out).toContain('release freeze');
    expect(steps('backend')).toEqual([]);
  }, 60_000);

  it('heal --force acts on a paused target and says it forced past the pause', async () => {
    fixture = await startOperatorFixture();
    fixture.atRisk('backend');
    await run('pause', ['prod/backend']);

    const forced = await run('heal', ['prod/backend', '--force']);

    expect(forced.code, forced.out).toBe(RUN_EXIT.ok);
    expect(forced.out).toContain('forced past: paused');
    expect(steps('backend')).toHaveLength(1);
  }, 60_000);

  it('bad input names the flag or the target and the fix, and writes nothing', async () => {
    fixture = await startOperatorFixture();

    const unknown = await run('pause', ['prod/nope']);
    const badUntil = await run('pause', ['prod/backend', '--until', 'tomorrow']);
    const pastUntil = await run('pause', ['prod/backend', '--until', '2020-01-01T00:00:00Z']);
    const both = await run('pause', ['prod/backend', '--all']);
    const neither = await run('resume', []);
    const notATarget = await run('pause', ['backend']);

    expect(unknown.code).toBe(RUN_EXIT.usage);
    expect(unknown.err).toContain('TARGET "prod/nope": no Deployment nope in namespace prod');
    expect(unknown.err).toContain('kubectl get deployments -n prod');
    expect(badUntil.code).toBe(RUN_EXIT.usage);
    expect(badUntil.err).toContain('--until: "tomorrow" is not a duration or a time: give a duration (30m, 2h) or an ISO-8601 time');
    expect(pastUntil.code).toBe(RUN_EXIT.usage);
    expect(pastUntil.err).toContain('--until: "2020-01-01T00:00:00Z" is in the past');
    expect(both.code).toBe(RUN_EXIT.usage);
    expect(both.err).toContain('--all pauses or resumes every target: name no TARGET with it');
    expect(neither.code).toBe(RUN_EXIT.usage);
    expect(neither.err).toContain('name the target or pass --all');
    expect(notATarget.code).toBe(RUN_EXIT.usage);
    expect(notATarget.err).toContain('write namespace/name');
    expect(pauseOf('backend')).toBeUndefined();
  }, 60_000);

  it('--dry-run validates on the API server and writes nothing (exit 10); resuming what is not paused changes nothing', async () => {
    fixture = await startOperatorFixture();

    const dryRun = await run('pause', ['prod/backend', '--dry-run', '--json']);
    const resume = await run('resume', ['prod/backend']);

    expect(dryRun.code, dryRun.err).toBe(RUN_EXIT.dryRun);
    expect(JSON.parse(dryRun.out)).toMatchObject({ action: 'pause', target: { namespace: 'prod', name: 'backend' }, all: false, changed: true, dryRun: true });
    expect(pauseOf('backend')).toBeUndefined();
    expect(resume.code).toBe(RUN_EXIT.ok);
    expect(resume.out).toContain('prod/backend: was not paused');
  }, 60_000);
});

/**
 * `autoheal heal` in-process through runCli against the sandbox (virtual time): the real Kubernetes
 * healer, annotations and Events; the signals come from an in-process source the test sets.
 */
import { HEALTHY_FEATURES } from '@autoheal/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { registerCommand, runCli } from '../main.js';
import { RUN_EXIT } from '../run-exit-codes.js';
import { healCommand } from './heal-command.js';
import { captureIo } from '../../../test-support/capture-io.js';
import { startOperatorFixture, type OperatorFixture } from '../../../test-support/operator-fixture.js';

let fixture: OperatorFixture;

afterEach(async () => {
  await fixture?.close();
});

async function heal(args: string[]) {
  registerCommand('heal', (argv, io) => healCommand(argv, io, fixture.deps));
  const io = captureIo();
  const code = await runCli(['heal', ...args, ...fixture.flags], io);
  return { code, out: io.out, err: io.err };
}

describe('autoheal heal', () => {
  it('refuses a healthy target, saying what --force overrides; with --force applies step 1 with the annotation, an Event and a notification', async () => {
    fixture = await startOperatorFixture();

    const refused = await heal(['prod/backend']);
    const versionAfterRefusal = fixture.deployment('backend').metadata.resourceVersion;
    const eventsAfterRefusal = fixture.events('backend').map((e) => e.reason);
    const forced = await heal(['prod/backend', '--force', '--reason', 'INC-7']);

    expect(refused.code, refused.err).toBe(RUN_EXIT.suppressed);
    expect(refused.out).toContain('Refused:  recovered: the target is not at risk now');
    expect(refused.out).toContain('--force overrides this rule');
    expect(eventsAfterRefusal).not.toContain('AutohealRestart');
    expect(forced.code, forced.err).toBe(RUN_EXIT.ok);
    expect(forced.out).toMatch(/Plan: {5}step 1\/3 \(restart\)/);
    expect(forced.out).toContain('Outcome:  applied');
    expect(forced.out).toContain('forced past: recovered');
    const after = fixture.deployment('backend');
    expect(after.metadata.resourceVersion).not.toBe(versionAfterRefusal);
    expect(after.metadata.annotations?.['healing.attempt']).toBe('1');
    expect(fixture.events('backend').map((e) => e.reason)).toContain('AutohealRestart');
    expect(fixture.notifier.records.at(-1)).toMatchObject({ decision: 'heal', action: { step: 'restart' } });
  }, 60_000);

  it('refuses during the cooldown after a step, then --force takes the next step (cache)', async () => {
    fixture = await startOperatorFixture({ cooldown: '10m' });
    fixture.atRisk('backend');
    expect((await heal(['prod/backend'])).code).toBe(RUN_EXIT.ok);

    const refused = await heal(['prod/backend']);
    const forced = await heal(['prod/backend', '--force', '--json']);

    expect(refused.code).toBe(RUN_EXIT.suppressed);
    expect(refused.out).toMatch(/Refused: {2}cooldown/);
    expect(refused.out).toMatch(/cooldown until \d{4}-/);
    expect(forced.code, forced.err).toBe(RUN_EXIT.ok);
    const record = JSON.parse(forced.out) as { decision: string; action: { step: string }; ladder: { attempt: number }; summary: string };
    expect(record).toMatchObject({ decision: 'heal', action: { step: 'cache' }, ladder: { attempt: 2 } });
    expect(record.summary).toContain('forced past: cooldown');
    expect(fixture.deployment('backend').metadata.annotations?.['healing.attempt']).toBe('2');
  }, 60_000);

  it('refuses when the circuit breaker is open, counted from the Events of the configured targets', async () => {
    fixture = await startOperatorFixture({ circuitBreaker: { maxActions: 1, window: '1h' } });
    fixture.atRisk('frontend');
    fixture.atRisk('backend');
    expect((await heal(['prod/frontend'])).code).toBe(RUN_EXIT.ok);
    const backendVersion = fixture.deployment('backend').metadata.resourceVersion;

    const refused = await heal(['prod/backend']);

    expect(refused.code).toBe(RUN_EXIT.suppressed);
    expect(refused.out).toMatch(/Refused: {2}circuit-open/);
    expect(refused.out).toContain('1/1 steps');
    expect(fixture.deployment('backend').metadata.resourceVersion).toBe(backendVersion);
  }, 60_000);

  it('--dry-run prints the plan and writes nothing (resourceVersion unchanged), even with --force', async () => {
    fixture = await startOperatorFixture();
    fixture.atRisk('backend');
    const before = fixture.deployment('backend').metadata.resourceVersion;

    const planned = await heal(['prod/backend', '--dry-run', '--force']);

    expect(planned.code, planned.err).toBe(RUN_EXIT.dryRun);
    expect(planned.out).toMatch(/Plan: {5}step 1\/3 \(restart\)/);
    expect(planned.out).toContain('Refused:  dry-run');
    expect(fixture.deployment('backend').metadata.resourceVersion).toBe(before);
    expect(fixture.deployment('backend').metadata.annotations?.['healing.attempt']).toBeUndefined();
    expect(fixture.events('backend')).toEqual([]);
  }, 60_000);

  it('refuses a target it cannot judge (unknown, a signal missing); --force overrides it', async () => {
    fixture = await startOperatorFixture();
    fixture.source.setValues({ namespace: 'prod', name: 'backend' }, { ...HEALTHY_FEATURES, ready_replica_ratio: null });

    const refused = await heal(['prod/backend']);
    const forced = await heal(['prod/backend', '--force']);

    expect(refused.code).toBe(RUN_EXIT.suppressed);
    expect(refused.out).toMatch(/Risk now: unknown \(missing features: ready_replica_ratio/);
    expect(refused.out).toMatch(/Refused: {2}unknown/);
    expect(forced.code, forced.err).toBe(RUN_EXIT.ok);
    expect(forced.out).toContain('forced past: unknown');
  }, 60_000);

  it('at the ceiling refuses without --step, and runs a named step', async () => {
    fixture = await startOperatorFixture({ cooldown: '0s' });
    fixture.atRisk('backend');
    const deployment = fixture.deployment('backend');
    fixture.sandbox.store.update('apps/deployments', { ...deployment, metadata: { ...deployment.metadata, annotations: { ...deployment.metadata.annotations, 'healing.attempt': '3' } } } as never);

    const refused = await heal(['prod/backend']);
    const named = await heal(['prod/backend', '--step', 'restart']);

    expect(refused.code).toBe(RUN_EXIT.suppressed);
    expect(refused.out).toMatch(/Refused: {2}ceiling-reached: every step of the ladder was tried; name a step with --step or reset the target/);
    expect(named.code, named.err).toBe(RUN_EXIT.ok);
    // Past the ceiling the named step runs as the last attempt: healing.attempt never says 4 of 3.
    expect(named.out).toMatch(/Plan: {5}step 3\/3 \(restart\)/);
    expect(fixture.deployment('backend').metadata.annotations?.['healing.attempt']).toBe('3');
  }, 60_000);

  it('never lets --force past the healer refusal (a paused Deployment)', async () => {
    fixture = await startOperatorFixture();
    fixture.atRisk('backend');
    const deployment = fixture.deployment('backend');
    fixture.sandbox.store.update('apps/deployments', { ...deployment, spec: { ...deployment.spec, paused: true } } as never);

    const refused = await heal(['prod/backend', '--force']);

    expect(refused.code).toBe(RUN_EXIT.suppressed);
    expect(refused.out).toMatch(/Refused: {2}refused/);
    expect(refused.out).toContain('paused');
    expect(refused.out).toContain('--force does not override this');
    expect(fixture.events('backend').map((e) => e.reason)).toContain('AutohealRefused');
  }, 60_000);

  it('rejects a wrong --step with exit code 1 and the accepted values', async () => {
    fixture = await startOperatorFixture();

    const wrong = await heal(['prod/backend', '--step', 'reboot']);

    expect(wrong.code).toBe(RUN_EXIT.usage);
    expect(wrong.err).toContain('use restart, cache, rollback, scale');
  }, 60_000);
});

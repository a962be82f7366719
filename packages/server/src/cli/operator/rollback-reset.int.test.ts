/** `autoheal rollback` and `autoheal reset` in-process through runCli against the sandbox (virtual time). */
import { afterEach, describe, expect, it } from 'vitest';
import { registerCommand, runCli } from '../main.js';
import { RUN_EXIT } from '../run-exit-codes.js';
import { healCommand } from './heal-command.js';
import { resetCommand } from './reset-command.js';
import { rollbackCommand } from './rollback-command.js';
import { captureIo } from '../../../test-support/capture-io.js';
import { startOperatorFixture, type OperatorFixture } from '../../../test-support/operator-fixture.js';

let fixture: OperatorFixture;

afterEach(async () => {
  await fixture?.close();
});

async function run(command: string, args: string[]) {
  registerCommand('heal', (argv, io) => healCommand(argv, io, fixture.deps));
  registerCommand('reset', (argv, io) => resetCommand(argv, io, fixture.deps));
  registerCommand('rollback', (argv, io) => rollbackCommand(argv, io));
  const io = captureIo();
  const code = await runCli([command, ...args, ...fixture.flags], io);
  return { code, out: io.out, err: io.err };
}

/** Rolls out a second revision (a bad release) so there is something to roll back to. */
function releaseRevision2(): void {
  fixture.sandbox.injectFault({ namespace: 'prod', deployment: 'backend', type: 'bad-release', strength: 1 });
  fixture.sandbox.advance(30_000);
}

describe('autoheal rollback', () => {
  it('for a revision that does not exist, prints the revision table, names the available ones and exits 1', async () => {
    fixture = await startOperatorFixture();
    releaseRevision2();
    const before = fixture.deployment('backend').metadata.resourceVersion;

    const result = await run('rollback', ['prod/backend', '--to-revision', '9']);

    expect(result.code).toBe(RUN_EXIT.usage);
    expect(result.out).toMatch(/^REVISION\s+REPLICASET\s+IMAGES\s+CHANGE-CAUSE\s+CREATED\s+CURRENT/);
    expect(result.out).toMatch(/\n1\s+backend-\w+/);
    expect(result.out).toMatch(/\n2\s+backend-\w+.*\*\n/);
    expect(result.err).toContain('revision 9 of prod/backend does not exist; available revisions: 1, 2');
    expect(fixture.deployment('backend').metadata.resourceVersion).toBe(before);
  }, 60_000);

  it('--dry-run changes nothing; a real rollback restores revision 1 and records an AutohealRollback Event', async () => {
    fixture = await startOperatorFixture();
    const originalTemplate = (fixture.deployment('backend').spec as { template: { spec: unknown } }).template.spec;
    releaseRevision2();
    const before = fixture.deployment('backend').metadata.resourceVersion;

    const planned = await run('rollback', ['prod/backend', '--to-revision', '1', '--dry-run']);
    const versionAfterDryRun = fixture.deployment('backend').metadata.resourceVersion;
    const applied = await run('rollback', ['prod/backend', '--to-revision', '1']);

    expect(planned.code, planned.err).toBe(RUN_EXIT.dryRun);
    expect(versionAfterDryRun).toBe(before);
    expect(applied.code, applied.err).toBe(RUN_EXIT.ok);
    expect(applied.out).toContain('rolled back');
    expect((fixture.deployment('backend').spec as { template: { spec: unknown } }).template.spec).toEqual(originalTemplate);
    expect(fixture.events('backend').map((e) => e.reason)).toEqual(['AutohealRollback']);
  }, 60_000);

  it('with nothing to roll back to, says so with the table and exits 40', async () => {
    fixture = await startOperatorFixture();

    const result = await run('rollback', ['prod/backend']);

    expect(result.code).toBe(RUN_EXIT.suppressed);
    expect(result.out).toMatch(/^REVISION/);
    expect(result.err).toMatch(/revision/i);
  }, 60_000);
});

describe('autoheal reset', () => {
  it('clears the healing.attempt annotation and records an AutohealReset Event', async () => {
    fixture = await startOperatorFixture();
    fixture.atRisk('backend');
    expect((await run('heal', ['prod/backend'])).code).toBe(RUN_EXIT.ok);
    expect(fixture.deployment('backend').metadata.annotations?.['healing.attempt']).toBe('1');

    const result = await run('reset', ['prod/backend', '--reason', 'fixed by hand']);

    expect(result.code, result.err).toBe(RUN_EXIT.ok);
    expect(result.out).toContain('attempt 1/3 (last step restart) → 0');
    const annotations = fixture.deployment('backend').metadata.annotations ?? {};
    expect(annotations['healing.attempt']).toBeUndefined();
    expect(annotations['autoheal.dev/healing-state']).toBeUndefined();
    const reset = fixture.events('backend').find((e) => e.reason === 'AutohealReset');
    expect(reset?.message).toContain('reason: fixed by hand');
  }, 60_000);
});

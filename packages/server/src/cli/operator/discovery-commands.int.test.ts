/**
 * `autoheal status` and doctor's discovery check with `discovery:` against the sandbox (virtual
 * time) over HTTP: the discovered targets, and why the others are skipped. And the commands that
 * take targets by name (`heal`, `run`, `predict`, `status TARGET`) judge a discovered workload by its
 * annotations, as the loop does, and refuse one the loop skips.
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAdapterSchemas } from '../../config/adapter-schemas.js';
import { validateConfig } from '../../config/load-config.js';
import { predictCommand, registerCommand, runCli } from '../main.js';
import type { CliIo } from '../io.js';
import { RUN_EXIT } from '../run-exit-codes.js';
import { captureIo } from '../../../test-support/capture-io.js';
import { startOperatorFixture, type OperatorFixture } from '../../../test-support/operator-fixture.js';
import { checkDiscovery } from './doctor-discovery.js';
import type { DoctorCheck } from './doctor-command.js';
import { statusCommand, type TargetStatus } from './status-command.js';
import { healCommand } from './heal-command.js';
import { runCommand } from '../run-command.js';

let fixture: OperatorFixture;

beforeAll(async () => {
  fixture = await startOperatorFixture();
  // Discovery instead of the static list: prod labelled in, backend opted in, frontend with a typo.
  await writeFile(fixture.configPath, JSON.stringify({ discovery: { namespaceSelector: 'team=payments' } }));
  const namespace = fixture.sandbox.store.get('/namespaces', undefined, 'prod')!;
  fixture.sandbox.store.update('/namespaces', { ...namespace, metadata: { ...namespace.metadata, labels: { team: 'payments' } } });
  for (const [name, annotations] of [
    ['backend', { 'autoheal.dev/enabled': 'true' }],
    ['frontend', { 'autoheal.dev/enabled': 'true', 'autoheal.dev/strategy': 'random' }],
  ] as const) {
    const deployment = fixture.sandbox.store.get('apps/deployments', 'prod', name)!;
    fixture.sandbox.store.update('apps/deployments', { ...deployment, metadata: { ...deployment.metadata, annotations: { ...deployment.metadata.annotations, ...annotations } } });
  }
}, 60_000);

afterAll(async () => {
  await fixture?.close();
});

async function status(args: string[]) {
  registerCommand('status', (argv, io) => statusCommand(argv, io, fixture.deps));
  const io = captureIo();
  const code = await runCli(['status', ...args, ...fixture.flags], io);
  return { code, out: io.out, err: io.err };
}

describe('status and doctor with discovery', () => {
  it('status without targets shows the discovered target and, under "Not evaluated", the skipped one with why', async () => {
    const result = await status([]);

    expect(result.code, result.err).toBe(RUN_EXIT.ok);
    expect(result.out).toMatch(/^prod\/backend\s+\S+\s+healthy/m);
    expect(result.out).not.toMatch(/^prod\/frontend\s+\d/m);
    expect(result.out).toMatch(/Not evaluated \(discovery\):\nTARGET\s+WHY\s+DETAIL\nprod\/frontend\s+invalid-overrides\s+annotation autoheal\.dev\/strategy is "random"/);
    // status changes nothing: the Event about the bad annotation is the running loop's to write.
    expect(fixture.events('frontend')).toEqual([]);
  }, 60_000);

  it('status --json lists the skipped with their reason', async () => {
    const result = await status(['--json']);

    const parsed = JSON.parse(result.out) as { targets: TargetStatus[]; skipped: Array<{ target: { name: string }; reason: string }> };
    expect(parsed.targets.map((entry) => entry.target.name)).toEqual(['backend']);
    expect(parsed.skipped).toEqual([expect.objectContaining({ target: expect.objectContaining({ name: 'frontend' }), reason: 'invalid-overrides' })]);
  }, 60_000);

  it("doctor's discovery check reports what it finds and fails on the bad annotation with the fix", async () => {
    await loadAdapterSchemas();
    const config = validateConfig({ kubernetes: { kubeconfig: fixture.sandbox.kubeconfigPath }, discovery: { namespaceSelector: 'team=payments' } });
    const checks: DoctorCheck[] = [];

    const found = await checkDiscovery(config, (check) => checks.push(check));

    expect(found.map((target) => target.name)).toEqual(['backend']);
    expect(checks).toEqual([
      { area: 'discovery', ok: true, message: '1 namespace(s) with team=payments, 2 Deployment(s) watched: 1 opted in (prod/backend); 0 not opted in' },
      {
        area: 'discovery',
        ok: false,
        message: expect.stringMatching(/^prod\/frontend is skipped \(not evaluated\): annotation autoheal\.dev\/strategy is "random"/),
        fix: expect.stringContaining('kubectl -n prod annotate deployment frontend --overwrite'),
      },
    ]);
  }, 60_000);
});

describe('commands that name a discovered target', () => {
  function annotateBackend(annotations: Record<string, string | undefined>): void {
    const deployment = fixture.sandbox.store.get('apps/deployments', 'prod', 'backend')!;
    const merged: Record<string, string> = { ...deployment.metadata.annotations };
    for (const [key, value] of Object.entries(annotations)) {
      if (value === undefined) delete merged[key];
      else merged[key] = value;
    }
    fixture.sandbox.store.update('apps/deployments', { ...deployment, metadata: { ...deployment.metadata, annotations: merged } });
  }
  /** Runs `handler` as runCli runs a command (its CliExit printed); registered under its own name, since runCli's built-in run and predict take no test doubles. */
  async function command(name: string, handler: (argv: string[], io: CliIo) => Promise<number>, args: string[]) {
    registerCommand(`${name}-with-doubles`, handler);
    const io = captureIo();
    const code = await runCli([`${name}-with-doubles`, ...args, ...fixture.flags], io);
    return { code, out: io.out, err: io.err };
  }

  it("heal plans the workload's own allowed steps (autoheal.dev/steps), not the default ladder", async () => {
    annotateBackend({ 'autoheal.dev/steps': 'cache' });
    fixture.atRisk('backend');
    try {
      const planned = await command('heal', (argv, io) => healCommand(argv, io, fixture.deps), ['prod/backend', '--dry-run', '--force']);
      expect(planned.code, planned.err).toBe(RUN_EXIT.dryRun);
      expect(planned.out).toMatch(/Plan: {5}step 1\/1 \(cache\)/);
    } finally {
      fixture.healthy('backend');
      annotateBackend({ 'autoheal.dev/steps': undefined });
    }
  }, 60_000);

  it("status and predict judge a named discovered target at its annotation's threshold", async () => {
    annotateBackend({ 'autoheal.dev/threshold': '0.9' });
    try {
      const status = await command('status', (argv, io) => statusCommand(argv, io, fixture.deps), ['prod/backend', '--json']);
      expect(status.code, status.err).toBe(RUN_EXIT.ok);
      expect((JSON.parse(status.out) as { targets: TargetStatus[] }).targets[0]!.assessment.threshold).toBe(0.9);
      const predicted = await command('predict', (argv, io) => predictCommand(argv, io, fixture.deps), ['prod/backend', '--json']);
      expect(predicted.code, predicted.err).toBe(RUN_EXIT.ok);
      expect((JSON.parse(predicted.out) as Array<{ threshold: number }>)[0]!.threshold).toBe(0.9);
    } finally {
      annotateBackend({ 'autoheal.dev/threshold': undefined });
    }
  }, 60_000);

  it('heal refuses, even with --force, and run will not start, on a workload discovery skips for a bad annotation; predict says so', async () => {
    fixture.atRisk('frontend');
    try {
      const healed = await command('heal', (argv, io) => healCommand(argv, io, fixture.deps), ['prod/frontend', '--force']);
      expect(healed.code).toBe(RUN_EXIT.suppressed);
      expect(healed.err).toMatch(/refused: prod\/frontend is not evaluated by discovery: annotation autoheal\.dev\/strategy is "random".*Fix the annotation first/);
      const ran = await command('run', (argv, io) => runCommand(argv, io, fixture.deps), ['prod/frontend']);
      expect(ran.code).toBe(RUN_EXIT.usage);
      expect(ran.err).toMatch(/not evaluated: prod\/frontend is skipped by discovery: annotation autoheal\.dev\/strategy is "random"/);
      const predicted = await command('predict', (argv, io) => predictCommand(argv, io, fixture.deps), ['prod/frontend']);
      expect(predicted.err).toMatch(/note: prod\/frontend is skipped by discovery/);
      // Nothing was written: no step, no Event (the loop's process records the bad annotation).
      expect(fixture.deployment('frontend').metadata.annotations?.['healing.attempt']).toBeUndefined();
      expect(fixture.events('frontend')).toEqual([]);
    } finally {
      fixture.healthy('frontend');
    }
  }, 60_000);
});

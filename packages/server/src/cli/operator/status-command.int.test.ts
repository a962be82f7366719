/** `autoheal status` in-process through runCli against the sandbox (virtual time). */
import { HEALTHY_FEATURES } from '@autoheal/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { registerCommand, runCli } from '../main.js';
import { RUN_EXIT } from '../run-exit-codes.js';
import { healCommand } from './heal-command.js';
import { pauseCommand } from './pause-command.js';
import { captureIo } from '../../../test-support/capture-io.js';
import { startOperatorFixture, type OperatorFixture } from '../../../test-support/operator-fixture.js';
import { statusCommand, type TargetStatus } from './status-command.js';

let fixture: OperatorFixture;

afterEach(async () => {
  await fixture?.close();
});

async function run(command: string, args: string[]) {
  registerCommand('heal', (argv, io) => healCommand(argv, io, fixture.deps));
  registerCommand('status', (argv, io) => statusCommand(argv, io, fixture.deps));
  registerCommand('pause', (argv, io) => pauseCommand(argv, io));
  const io = captureIo();
  const code = await runCli([command, ...args, ...fixture.flags], io);
  return { code, out: io.out, err: io.err };
}

describe('autoheal status', () => {
  it('shows risk, diagnosis, attempt, next step, cooldown, circuit and the last actions with their record ids of the configured targets', async () => {
    fixture = await startOperatorFixture({ cooldown: '10m' });
    fixture.atRisk('backend');
    const heal = await run('heal', ['prod/backend']);
    expect(heal.code).toBe(RUN_EXIT.ok);
    const recordId = /^Record:\s+(\S+) /m.exec(heal.out)?.[1];
    expect(recordId, heal.out).toBeDefined();

    const result = await run('status', []);

    expect(result.code, result.err).toBe(RUN_EXIT.ok);
    const [header, ...rows] = result.out.split('\n');
    expect(header).toMatch(/^TARGET\s+RISK\s+VERDICT\s+HOLD\s+ATTEMPT\s+NEXT STEP\s+COOLDOWN UNTIL\s+CIRCUIT\s+LAST STEP$/);
    const backendRow = rows.find((row) => row.startsWith('prod/backend'))!;
    // The restart just started a rollout (the sandbox's time has not moved since): HOLD says so.
    expect(backendRow).toMatch(/at-risk\s+rolling-out\s+1\/3\s+cache\s+\d{4}-\d\d-\d\dT[\d:]+Z \(in (9m 5\d|10m 0)s?.*closed 1\/5\s+restart at /);
    expect(rows.find((row) => row.startsWith('prod/frontend'))).toMatch(/healthy\s+—\s+0\/3\s+restart\s+—\s+closed 1\/5\s+—$/);
    expect(result.out).toMatch(/TIME\s+TYPE\s+REASON\s+RECORD\s+MESSAGE/);
    expect(result.out).toMatch(new RegExp(`Normal\\s+AutohealRestart\\s+${recordId}\\s+restart step \\(attempt 1\\) on prod/backend succeeded`));
    expect(result.out).toMatch(/^prod\/backend:\n(.*\n)*?  diagnosis \S+: /m);
    expect(result.out).toContain('Circuit breaker: closed, 1/5 steps in the last 60 min');
    expect(result.out).toContain('the running server keeps its own count in memory');
  }, 60_000);

  it('--json: one object per named target, unknown with the missing signals when there is no data', async () => {
    fixture = await startOperatorFixture();
    fixture.source.setValues({ namespace: 'prod', name: 'frontend' }, { ...HEALTHY_FEATURES, cpu_usage_pct: null });

    const result = await run('status', ['prod/frontend', '--json']);

    expect(result.code, result.err).toBe(RUN_EXIT.ok);
    const parsed = JSON.parse(result.out) as { circuitWindowMs: number; targets: TargetStatus[] };
    expect(parsed.targets).toHaveLength(1);
    expect(parsed.targets[0]).toMatchObject({
      target: { namespace: 'prod', name: 'frontend' },
      assessment: { verdict: 'unknown' },
      missing: [{ feature: 'cpu_usage_pct' }],
      ladder: { attempt: 0, maxAttempts: 3, nextStep: 'restart' },
      circuit: { open: false, actionsInWindow: 0, maxActions: 5 },
      lastActions: [],
    });
    expect(parsed.circuitWindowMs).toBe(3_600_000);
  }, 60_000);

  it('HOLD says who paused and until when (one target, and every target), with the whole hold in the details and as hold in --json', async () => {
    fixture = await startOperatorFixture();
    expect((await run('pause', ['prod/backend', '--by', 'alice', '--until', '2h', '--reason', 'db migration'])).code).toBe(RUN_EXIT.ok);
    expect((await run('pause', ['--all', '--by', 'bob'])).code).toBe(RUN_EXIT.ok);

    const table = await run('status', []);
    const json = await run('status', ['prod/frontend', '--json']);

    expect(table.code, table.err).toBe(RUN_EXIT.ok);
    const rows = table.out.split('\n');
    expect(rows.find((row) => row.startsWith('prod/backend'))).toMatch(/healthy\s+paused by alice until \d{4}-\d\d-\d\dT[\d:]+Z \(in (1h|119m|120m)/);
    expect(rows.find((row) => row.startsWith('prod/frontend'))).toMatch(/healthy\s+paused \(all\) by bob\s+0\/3/);
    expect(table.out).toMatch(/^prod\/backend:\n {2}held: paused \(annotation autoheal.dev\/paused on deployment prod\/backend; by alice, since \S+, until \S+, reason: db migration\)\n {2}held: every target is paused \(annotation autoheal.dev\/paused on configmap autoheal\/autoheal-pause; by bob/m);
    const parsed = JSON.parse(json.out) as { targets: TargetStatus[] };
    expect(parsed.targets[0]!.hold).toMatchObject({ kind: 'paused', scope: 'global', by: 'bob', source: 'annotation autoheal.dev/paused on configmap autoheal/autoheal-pause' });
  }, 60_000);
});

/** `autoheal status` in-process through runCli against the sandbox (virtual time). */
import { HEALTHY_FEATURES } from '@autoheal/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { registerCommand, runCli } from '../main.js';
import { RUN_EXIT } from '../run-exit-codes.js';
import { healCommand } from './heal-command.js';
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
    expect(header).toMatch(/^TARGET\s+RISK\s+VERDICT\s+ATTEMPT\s+NEXT STEP\s+COOLDOWN UNTIL\s+CIRCUIT\s+LAST STEP$/);
    const backendRow = rows.find((row) => row.startsWith('prod/backend'))!;
    expect(backendRow).toMatch(/at-risk\s+1\/3\s+cache\s+\d{4}-\d\d-\d\dT[\d:]+Z \(in (9m 5\d|10m 0)s?.*closed 1\/5\s+restart at /);
    expect(rows.find((row) => row.startsWith('prod/frontend'))).toMatch(/healthy\s+0\/3\s+restart\s+—\s+closed 1\/5\s+—$/);
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
});

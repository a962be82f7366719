/**
 * `autoheal predict`, `status`, `heal` and the server's watch loop judge one target at the same
 * threshold: the one core resolves from the model when the config names none. With a model tuned
 * for 0.22 and a risk of 0.35, all four must call the target at risk (0.50 would call it healthy,
 * and `heal` would refuse it as "recovered").
 */
import { createInMemoryRiskModel } from '@autoheal/core/testing';
import type { DecisionRecord } from '@autoheal/core';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { captureIo } from '../../../test-support/capture-io.js';
import { startOperatorFixture, type OperatorFixture } from '../../../test-support/operator-fixture.js';
import { startServer, type RunningServer } from '../../serve.js';
import { configFromFlags, flagOverride } from '../common-flags.js';
import { predictCommand } from '../main.js';
import { RUN_EXIT } from '../run-exit-codes.js';
import { healCommand } from './heal-command.js';
import { statusCommand } from './status-command.js';

const TUNED = 0.22;
const RISK = 0.35;

let fixture: OperatorFixture;
let server: RunningServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
  await fixture?.close();
});

describe('one threshold for every entry point', () => {
  it("predict, status, heal and the loop judge prod/backend at the model's tuned threshold", async () => {
    // Dry-run: heal and the loop show the step they would take without changing the sandbox.
    fixture = await startOperatorFixture({ dryRun: true }, { riskModel: createInMemoryRiskModel({ recommendedThreshold: TUNED, score: () => RISK }) });
    const args = ['prod/backend', '--json', ...fixture.flags];

    const predictIo = captureIo();
    const predictCode = await predictCommand(args, predictIo, fixture.deps);
    const predicted = (JSON.parse(predictIo.out) as Array<{ threshold: number; verdict: string }>)[0]!;

    const statusIo = captureIo();
    await statusCommand(args, statusIo, fixture.deps);
    const status = (JSON.parse(statusIo.out) as { targets: Array<{ assessment: { threshold: number; verdict: string } }> }).targets[0]!;

    const healIo = captureIo();
    const healCode = await healCommand(args, healIo, fixture.deps);
    const healed = JSON.parse(healIo.out) as DecisionRecord;

    const config = await configFromFlags({ config: fixture.configPath, kubeconfig: fixture.sandbox.kubeconfigPath }, ['prod/backend'], captureIo(), [
      flagOverride('--port', ['server', 'port'], 0),
      { path: ['server', 'dashboard'], value: false, source: 'test' },
      { path: ['log', 'level'], value: 'silent', source: 'test' },
    ]);
    server = await startServer(config, pino({ level: 'silent' }), { ...fixture.deps, watch: false });
    const firstRound = new Promise<DecisionRecord>((resolve) => server!.autoheal.pipeline!.subscribe(resolve));
    const stopLoop = new AbortController();
    const loop = server.autoheal.pipeline!.watch(config.targets, { intervalMs: 3_600_000, signal: stopLoop.signal });
    const looked = await firstRound;
    stopLoop.abort();
    await loop;

    expect(predictCode, predictIo.err).toBe(RUN_EXIT.atRisk);
    expect(predicted).toMatchObject({ threshold: TUNED, verdict: 'at-risk' });
    expect(status.assessment).toMatchObject({ threshold: TUNED, verdict: 'at-risk' });
    expect(healCode, healIo.err).toBe(RUN_EXIT.dryRun);
    expect(healed.assessment).toMatchObject({ threshold: TUNED, verdict: 'at-risk' });
    expect(healed.suppressedReason).toBe('dry-run');
    expect(looked.assessment).toMatchObject({ threshold: TUNED, verdict: 'at-risk' });
    expect(looked.suppressedReason).toBe('dry-run');
    expect(server.autoheal.thresholdFor(looked.target)).toBe(TUNED);
  }, 60_000);
});

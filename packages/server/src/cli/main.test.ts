import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeDecisionRecord } from '@autoheal/core/testing';
import { describe, expect, it } from 'vitest';
import { captureIo } from '../../test-support/capture-io.js';
import { runCli } from './main.js';
import { registerCommands } from './register-commands.js';
import { RUN_EXIT, exitCodeFor } from './run-exit-codes.js';

registerCommands();


describe('autoheal CLI', () => {
  it('prints the usage with every command', async () => {
    const io = captureIo();
    expect(await runCli(['--help'], io)).toBe(0);
    for (const command of ['serve', 'predict', 'run', 'watch', 'config validate', 'sandbox', 'train', 'demo']) expect(io.out).toContain(command);
  });

  it('answers --help on the delegated commands and their sub-commands with their usage', async () => {
    for (const argv of [['train', '--help'], ['train', '--from', 'sandbox', '-h'], ['sandbox', 'start', '--help'], ['sandbox', 'fault', 'inject', '--help'], ['sandbox', '--help']]) {
      const io = captureIo();
      expect(await runCli(argv, io), argv.join(' ')).toBe(0);
      expect(io.err, argv.join(' ')).toBe('');
      expect(io.out, argv.join(' ')).toContain(argv[0] === 'train' ? 'autoheal train --from sandbox' : 'start [--deployments N]');
    }
  });

  it('rejects an unknown command and an unknown flag with a usage error', async () => {
    const unknown = captureIo();
    expect(await runCli(['heel'], unknown)).toBe(RUN_EXIT.usage);
    expect(unknown.err).toContain('unknown command "heel"');
    const flag = captureIo();
    expect(await runCli(['predict', '--bogus'], flag)).toBe(RUN_EXIT.usage);
    expect(flag.err).toMatch(/--bogus/);
    expect(flag.err).toContain('--help');
  });

  it('validates a config file and names every wrong field', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'autoheal-cli-'));
    const good = path.join(dir, 'good.yaml');
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(good, 'targets: [prod/backend]\npolicy: { threshold: 0.7 }\n');
    await writeFile(bad, 'policy: { threshold: 7, cooldown: later }\n');
    const ok = captureIo();
    expect(await runCli(['config', 'validate', good], ok)).toBe(0);
    expect(ok.out).toContain('valid (1 target(s), threshold 0.7');
    const wrong = captureIo();
    expect(await runCli(['config', 'validate', bad], wrong)).toBe(RUN_EXIT.usage);
    expect(wrong.err).toContain('policy.threshold');
    expect(wrong.err).toContain('policy.cooldown');
  });

  it('config validate names misspelled keys at every level with the closest valid key, and blames a wrong environment variable', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'autoheal-cli-'));
    const file = path.join(dir, 'typos.yaml');
    await writeFile(file, 'policy:\n  dryrun: true\n  circuitBreaker: { maxActions: 3, windw: 1h }\nleaderElection:\n  enable: true\n');
    const io = captureIo({ RISK_THRESHOLD: '1.5' });
    expect(await runCli(['config', 'validate', file], io)).toBe(RUN_EXIT.usage);
    expect(io.err).toContain(`config file ${file}: policy.dryrun: unknown key; did you mean "dryRun"?`);
    expect(io.err).toContain('policy.circuitBreaker.windw: unknown key; did you mean "window"?');
    expect(io.err).toContain('leaderElection.enable: unknown key; did you mean "enabled"?');
    expect(io.err).toContain('environment variable RISK_THRESHOLD="1.5": policy.threshold: must be between 0 and 1');
  });

  it('blames a wrong flag value on the flag', async () => {
    const threshold = captureIo();
    expect(await runCli(['predict', 'prod/backend', '--prometheus-url', 'http://127.0.0.1:9', '--threshold', '7'], threshold)).toBe(RUN_EXIT.usage);
    expect(threshold.err).toContain('flag --threshold 7 is invalid: policy.threshold: must be between 0 and 1');
    const service = captureIo();
    expect(await runCli(['run', 'prod/backend', '--prometheus-service', 'prometheus:9090'], service)).toBe(RUN_EXIT.usage);
    expect(service.err).toContain('flag --prometheus-service prometheus:9090 is invalid: prometheus.service: "prometheus:9090" is not a service reference');
    const target = captureIo();
    expect(await runCli(['predict', 'Prod/Backend!', '--prometheus-url', 'http://127.0.0.1:9'], target)).toBe(RUN_EXIT.usage);
    expect(target.err).toContain('TARGET argument(s) Prod/Backend! is invalid: targets.0');
  });

  it('asks for targets instead of doing nothing', async () => {
    const io = captureIo();
    expect(await runCli(['run', '--prometheus-url', 'http://127.0.0.1:9'], io)).toBe(RUN_EXIT.usage);
    expect(io.err).toContain('no targets');
  });

  it('fails at start with the fix when the model file is missing', async () => {
    const io = captureIo();
    const code = await runCli(['predict', 'prod/backend', '--prometheus-url', 'http://127.0.0.1:9', '--model', '/nonexistent/model.onnx'], io);
    expect(code).toBe(RUN_EXIT.usage);
    expect(io.err).toContain('/nonexistent/model.onnx');
  });

  it('delegates sandbox and train to their packages', async () => {
    const sandbox = captureIo();
    expect(await runCli(['sandbox', '--help'], sandbox)).toBe(0);
    expect(sandbox.out).toMatch(/start/);
    const train = captureIo();
    expect(await runCli(['train', '--from', 'nowhere', '--out', 'x.onnx'], train)).not.toBe(0);
    expect(train.err).toMatch(/--from|from/);
  });
});

describe('autoheal run exit codes', () => {
  it('maps each final decision to its documented code', () => {
    expect(exitCodeFor(makeDecisionRecord({ decision: 'none' }))).toBe(RUN_EXIT.ok);
    expect(exitCodeFor(makeDecisionRecord({ decision: 'kept' }))).toBe(RUN_EXIT.ok);
    expect(exitCodeFor(makeDecisionRecord({ decision: 'handoff' }))).toBe(RUN_EXIT.atRisk);
    expect(exitCodeFor(makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'unknown' }))).toBe(RUN_EXIT.unknown);
    expect(exitCodeFor(makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'dry-run' }))).toBe(RUN_EXIT.dryRun);
    expect(exitCodeFor(makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'cooldown' }))).toBe(RUN_EXIT.suppressed);
    expect(exitCodeFor(makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'circuit-open' }))).toBe(RUN_EXIT.suppressed);
    expect(exitCodeFor(makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'recovered' }))).toBe(RUN_EXIT.ok);
  });
});

describe('a busy port', () => {
  it('says which port and how to pick another', async () => {
    const { createServer } = await import('node:http');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = String((blocker.address() as { port: number }).port);
    const io = captureIo();
    const model = path.resolve(import.meta.dirname, '../../../../models/risk-v1.onnx');
    try {
      expect(await runCli(['serve', '--port', port, '--host', '127.0.0.1', '--model', model, '--log-level', 'silent'], io)).toBe(RUN_EXIT.usage);
    } finally {
      blocker.close();
    }
    expect(io.err).toContain('EADDRINUSE');
    expect(io.err).toContain('--port');
  });
});

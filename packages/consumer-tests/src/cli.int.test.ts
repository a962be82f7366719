/**
 * The packed server's `autoheal` binary in a fresh project, on every supported Node.js version, run
 * the way a user runs it (`node_modules/.bin/autoheal`, found through PATH like `npx autoheal`):
 * `--help`, `predict` against the sandbox and a real Prometheus, and `serve` answering `/healthz`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { cleanEnv, runCommand } from '../test-support/run-command.js';

const { runtimes, sdkProject, prometheusUrl, sandbox } = inject('consumer');
const AUTOHEAL = path.join(sdkProject, 'node_modules', '.bin', 'autoheal');
/** The model the README tells server users to pass (shipped inside @autoheal/adapter-onnx). */
const MODEL = 'node_modules/@autoheal/adapter-onnx/models/risk-v1.onnx';

describe.concurrent.each(runtimes.map((runtime) => [runtime.version, runtime] as const))('on Node %s', (_version, runtime) => {
  // The bin's `#!/usr/bin/env node` picks the first `node` on PATH: put this runtime's first.
  const env = { PATH: `${path.dirname(runtime.bin)}${path.delimiter}${process.env.PATH ?? ''}` };

  it('`autoheal --help` lists the commands', async () => {
    const result = await runCommand(AUTOHEAL, ['--help'], { cwd: sdkProject, env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const command of ['serve', 'predict', 'run', 'watch', 'doctor']) expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('`autoheal predict` scores prod/backend from Prometheus with the shipped model', async () => {
    const result = await runCommand(
      AUTOHEAL,
      ['predict', 'prod/backend', '--json', '--prometheus-url', prometheusUrl, '--kubeconfig', sandbox.kubeconfigPath, '--model', MODEL, '--log-level', 'warn'],
      { cwd: sdkProject, env, timeoutMs: 90_000 },
    );
    // 0: healthy, 20: at risk; either way a complete prediction (30 would be "unknown").
    expect([0, 20], `${result.stdout}\n${result.stderr}`).toContain(result.code);
    const rows = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).toContain('prod');
    expect(JSON.stringify(rows[0])).toMatch(/"probability":0\.\d+/);
  });

  it('`autoheal serve` answers /healthz and stops cleanly on SIGTERM', async () => {
    const child = spawn(AUTOHEAL, ['serve', '--port', '0', '--host', '127.0.0.1', '--model', MODEL], { cwd: sdkProject, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`autoheal serve did not start within 60 s:\n${stderr}`)), 60_000);
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString('utf8');
          // Logs are JSON lines (pino); the listening one carries the URL.
          const found = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(stderr);
          if (found) {
            clearTimeout(timer);
            resolve(found[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`autoheal serve exited ${code}:\n${stderr}`)));
      });
      const response = await fetch(`${url}/healthz`);
      expect(response.status).toBe(200);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});

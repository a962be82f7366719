/**
 * The `autoheal` binary as a shell runs it (the built dist/cli.js; `npm test` builds it first): what
 * happens around the commands rather than inside them, such as a reader that closes the pipe early.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '@autoheal/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = path.resolve(import.meta.dirname, '../../dist/cli.js');
const MODEL = path.resolve(import.meta.dirname, '../../../../models/risk-v1.onnx');
const built = existsSync(CLI);
if (!built) console.warn('[autoheal] [server] SKIPPED binary tests: dist/cli.js is missing (npm run build -w @autoheal/server)');

/** Runs the binary with its stdout pipe closed by the reader before anything is written (`… | head` that has quit). */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe.skipIf(!built)('the autoheal binary with a closed stdout (autoheal … | head)', () => {
  let sandbox: Sandbox;
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'autoheal-binary-'));
    sandbox = await startSandbox({ time: 'virtual', seed: 3, kubeconfigPath: path.join(directory, 'kubeconfig'), deployments: [{ namespace: 'prod', name: 'backend', replicas: 2 }] });
  });
  afterAll(async () => {
    await sandbox?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('ends --help quietly with exit 0 instead of an EPIPE stack trace', async () => {
    const { code, stderr } = await runWithClosedStdout(['--help']);
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });

  it('ends status with its own exit code', async () => {
    // An unreachable Prometheus: the target is unknown, which status reports (exit 0) without acting.
    const { code, stderr } = await runWithClosedStdout(['status', 'prod/backend', '--prometheus-url', 'http://127.0.0.1:9', '--model', MODEL, '--kubeconfig', sandbox.kubeconfigPath, '--log-level', 'silent']);
    expect(stderr).not.toContain('EPIPE');
    expect(stderr).not.toContain('Unhandled');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  }, 60_000);
});

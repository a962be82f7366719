import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from './sandbox.js';
import { runCli } from './sandbox-cli.js';

describe('autoheal-sandbox start + fault', () => {
  it('starts a sandbox, injects and clears a fault through the control API, and stops', async () => {
    const kubeconfigPath = join(await mkdtemp(join(tmpdir(), 'autoheal-cli-')), 'kubeconfig');
    const stop = new AbortController();
    const output: string[] = [];
    let sandbox: Sandbox | undefined;
    const started = new Promise<void>((resolve) => {
      void runCli(['start', '--deployments', '4', '--time', 'virtual', '--kubeconfig', kubeconfigPath], {
        stdout: (line) => output.push(line),
        stderr: (line) => output.push(line),
        signal: stop.signal,
        onStarted: (running) => {
          sandbox = running;
          resolve();
        },
      });
    });
    await started;
    try {
      expect(output[0]).toBe(`kubeconfig: ${kubeconfigPath}`);
      expect(output[1]).toBe(`url: ${sandbox?.url}`);
      expect(existsSync(kubeconfigPath)).toBe(true);
      expect(sandbox?.simulation.state().deployments).toHaveLength(4);

      const faultOutput: string[] = [];
      const io = { stdout: (line: string) => faultOutput.push(line), stderr: (line: string) => faultOutput.push(line), signal: stop.signal };
      const url = sandbox?.url ?? '';
      expect(await runCli(['fault', 'inject', '--url', url, '--namespace', 'prod', '--deployment', 'backend', '--type', 'cpu-saturation', '--strength', '0.7'], io)).toBe(0);
      const backend = () => sandbox?.simulation.state().deployments.find((deployment) => deployment.name === 'backend');
      expect(backend()?.faults).toEqual([expect.objectContaining({ type: 'cpu-saturation', strength: 0.7 })]);

      expect(await runCli(['fault', 'inject', '--url', url, '--namespace', 'prod', '--deployment', 'missing', '--type', 'memory-leak'], io)).toBe(1);
      expect(faultOutput.at(-1)).toContain('deployments.apps "missing" not found');

      expect(await runCli(['fault', 'clear', '--url', url, '--namespace', 'prod', '--deployment', 'backend'], io)).toBe(0);
      expect(backend()?.faults).toEqual([]);
    } finally {
      stop.abort();
    }
    // After the abort the sandbox closes: its server stops answering.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(fetch(`${sandbox?.url}/version`)).rejects.toThrow();
  });

  it('reports an unreachable sandbox', async () => {
    const lines: string[] = [];
    const code = await runCli(['fault', 'clear', '--url', 'http://127.0.0.1:9', '--namespace', 'prod', '--deployment', 'backend'], {
      stdout: (line) => lines.push(line), stderr: (line) => lines.push(line), signal: new AbortController().signal,
    });
    expect(code).toBe(1);
    expect(lines[0]).toContain('cannot reach http://127.0.0.1:9');
  });
});

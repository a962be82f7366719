/**
 * examples/sdk/evaluate.mjs run as a user runs it (node, built SDK packages), against the sandbox
 * Kubernetes API and a real Prometheus scraping it.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { isPrometheusAvailable, startPrometheus, startSandbox, type RunningPrometheus, type Sandbox } from '@autoheal/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './render.js';

const hasPrometheus = isPrometheusAvailable();
if (!hasPrometheus) console.warn('[autoheal] [deploy-tests] the prometheus binary is not installed: skipping the SDK example test (npm test at the root installs it)');

describe.skipIf(!hasPrometheus)('examples/sdk/evaluate.mjs', () => {
  let sandbox: Sandbox;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    sandbox = await startSandbox({ time: 'real', seed: 5, deployments: [{ namespace: 'prod', name: 'backend', replicas: 3 }] });
    prometheus = await startPrometheus({ scrapeTargets: [new URL(sandbox.url).host], scrapeIntervalSeconds: 1 });
  });

  afterAll(async () => {
    await prometheus?.close();
    await sandbox?.close();
  });

  function evaluate(): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [path.join(repoRoot, 'examples/sdk/evaluate.mjs'), 'prod/backend'],
        {
          cwd: repoRoot,
          timeout: 60_000,
          env: { PATH: process.env.PATH, HOME: process.env.HOME, AUTOHEAL_PROMETHEUS_URL: prometheus.url, AUTOHEAL_KUBECONFIG: sandbox.kubeconfigPath },
        },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  /** Runs the script until it exits with `code` (Prometheus needs a few scrapes for rates). */
  async function evaluateUntil(code: number, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    let last = await evaluate();
    while (last.code !== code && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      last = await evaluate();
    }
    return last;
  }

  it('prints the summary of a healthy Deployment once Prometheus has data, and exits 0', async () => {
    const result = await evaluateUntil(0, 100_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/prod\/backend/);
  }, 120_000);

  it('at risk, says what it would do in dry-run, exits 10, and changes nothing in the cluster', async () => {
    // A bad release is itself a rollout (a new generation): compare with the Deployment after it.
    // Strength 0.5: the bad pods serve and crash (at 1 they never pass readiness and the old pods keep serving).
    sandbox.injectFault({ namespace: 'prod', deployment: 'backend', type: 'bad-release', strength: 0.5 });
    const before = structuredClone(sandbox.store.get('apps/deployments', 'prod', 'backend')) as { metadata: { generation: number; annotations?: Record<string, string> } } | undefined;
    const result = await evaluateUntil(10, 120_000);
    expect(result.code, result.stdout + result.stderr).toBe(10);
    console.log(`[evaluate.mjs] ${result.stdout.trim()}`);
    expect(result.stdout).toMatch(/dry-run/i);
    const after = sandbox.store.get('apps/deployments', 'prod', 'backend') as typeof before;
    expect(after?.metadata.generation).toBe(before?.metadata.generation);
    expect(after?.metadata.annotations?.['healing.attempt']).toBeUndefined();
  }, 150_000);
});

import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplicaSet } from './base/kube-types.js';
import { type Sandbox, startSandbox } from './sandbox.js';

const kubectlAvailable = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
if (!kubectlAvailable) console.warn('[sandbox] SKIPPED the kubectl rollout tests: `kubectl` is not on PATH');

const run = promisify(execFile);

describe.skipIf(!kubectlAvailable)('kubectl rollout against the sandbox', () => {
  let sandbox: Sandbox;
  let clockTimer: NodeJS.Timeout;

  /** Runs kubectl; resolves to stdout, rejects with stderr. */
  async function kubectl(...args: string[]): Promise<string> {
    const result = await run('kubectl', ['--kubeconfig', sandbox.kubeconfigPath, ...args], { timeout: 60_000 });
    return result.stdout;
  }

  function replicaSets(): ReplicaSet[] {
    return sandbox.store.list('apps/replicasets', 'prod').items.filter((item) => item.metadata.name.startsWith('backend-')) as ReplicaSet[];
  }

  beforeAll(async () => {
    // Virtual time run fast: one simulated second every 20 ms, so rollouts take well under a second.
    sandbox = await startSandbox({ time: 'virtual', deployments: [{ namespace: 'prod', name: 'backend', replicas: 2 }] });
    sandbox.advance(20_000);
    clockTimer = setInterval(() => sandbox.advance(1000), 20);
  });

  afterAll(async () => {
    clearInterval(clockTimer);
    await sandbox?.close();
  });

  it('restarts, waits for, lists, and undoes rollouts', async () => {
    expect(await kubectl('rollout', 'status', 'deployment/backend', '-n', 'prod', '--timeout=30s')).toContain('deployment "backend" successfully rolled out');

    expect(await kubectl('rollout', 'restart', 'deployment/backend', '-n', 'prod')).toContain('deployment.apps/backend restarted');
    const status = await kubectl('rollout', 'status', 'deployment/backend', '-n', 'prod', '--timeout=30s');
    expect(status).toContain('deployment "backend" successfully rolled out');
    expect(replicaSets()).toHaveLength(2);

    const history = await kubectl('rollout', 'history', 'deployment/backend', '-n', 'prod');
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE/);
    expect(history).toMatch(/^1\s+<none>/m);
    expect(history).toMatch(/^2\s+<none>/m);

    const original = replicaSets().find((replicaSet) => replicaSet.metadata.annotations?.['deployment.kubernetes.io/revision'] === '1');
    expect(await kubectl('rollout', 'undo', 'deployment/backend', '-n', 'prod')).toContain('deployment.apps/backend rolled back');
    expect(await kubectl('rollout', 'status', 'deployment/backend', '-n', 'prod', '--timeout=30s')).toContain('successfully rolled out');
    const reused = replicaSets().find((replicaSet) => replicaSet.metadata.name === original?.metadata.name);
    expect(reused?.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(reused?.spec.replicas).toBe(2);
    expect(await kubectl('rollout', 'history', 'deployment/backend', '-n', 'prod')).toMatch(/^2\s+<none>\n3\s+<none>/m);
  }, 90_000);

  it('scales and describes the Deployment with its ScalingReplicaSet events', async () => {
    expect(await kubectl('scale', 'deployment/backend', '-n', 'prod', '--replicas=4')).toContain('deployment.apps/backend scaled');
    await kubectl('rollout', 'status', 'deployment/backend', '-n', 'prod', '--timeout=30s');
    const pods = await kubectl('get', 'pods', '-n', 'prod', '-l', 'app=backend', '-o', 'name');
    expect(pods.trim().split('\n')).toHaveLength(4);
    const description = await kubectl('describe', 'deployment', 'backend', '-n', 'prod');
    expect(description).toMatch(/Replicas:\s+4 desired \| 4 updated \| 4 total \| 4 available \| 0 unavailable/);
    expect(description).toMatch(/ScalingReplicaSet\s+.*Scaled up replica set backend-\w+ to 4 from 2/);
  }, 60_000);

  it('runs the cache-clear step through kubectl exec', async () => {
    sandbox.injectFault({ namespace: 'prod', deployment: 'backend', type: 'cache-bloat' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const cacheBytes = () => sandbox.simulation.state().deployments.find((deployment) => deployment.name === 'backend')?.cacheBytes ?? 0;
    expect(cacheBytes()).toBeGreaterThan(0);
    sandbox.clearFaults({ namespace: 'prod', deployment: 'backend' });
    const pod = (await kubectl('get', 'pods', '-n', 'prod', '-l', 'app=backend', '-o', 'jsonpath={.items[0].metadata.name}')).trim();
    await kubectl('exec', pod, '-n', 'prod', '--', 'sh', '-c', 'rm -rf /tmp/cache/*');
    expect(cacheBytes()).toBe(0);
    await expect(kubectl('exec', pod, '-n', 'prod', '--', 'sh', '-c', 'exit 3')).rejects.toMatchObject({ code: 3 });
  }, 60_000);

  it('reports a stalled bad release as past its deadline, and undo fixes it', async () => {
    sandbox.injectFault({ namespace: 'prod', deployment: 'backend', type: 'bad-release', strength: 1 });
    const stalled = kubectl('rollout', 'status', 'deployment/backend', '-n', 'prod', '--timeout=60s');
    await expect(stalled).rejects.toMatchObject({ stderr: expect.stringContaining('error: deployment "backend" exceeded its progress deadline') });
    const pods = await kubectl('get', 'pods', '-n', 'prod', '-l', 'app=backend');
    expect(pods).toMatch(/CrashLoopBackOff|Error/);
    expect(await kubectl('rollout', 'undo', 'deployment/backend', '-n', 'prod')).toContain('rolled back');
    expect(await kubectl('rollout', 'status', 'deployment/backend', '-n', 'prod', '--timeout=30s')).toContain('successfully rolled out');
    expect(sandbox.simulation.state().deployments.find((deployment) => deployment.name === 'backend')?.image).toBe('registry.local/backend:1.0.0');
  }, 90_000);
});

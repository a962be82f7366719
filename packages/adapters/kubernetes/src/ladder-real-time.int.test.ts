/**
 * The whole default ladder against the sandbox in real time (controllers reconcile on every write,
 * pods start on a timer), the way the server drives the healer: plan, apply, write state, repeat.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LADDER, healStepSchema, type HealingState } from '@autoheal/core';
import { startSandbox, type Sandbox } from '@autoheal/sandbox';
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesHealer, type KubernetesHealer } from './kubernetes-healer.js';

let sandbox: Sandbox;
let directory: string;
let healer: KubernetesHealer;
let apps: AppsV1Api;
const target = { namespace: 'prod', kind: 'Deployment' as const, name: 'backend' };

async function rolledOut(timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const d = await apps.readNamespacedDeployment({ name: target.name, namespace: target.namespace });
    const want = d.spec?.replicas ?? 1;
    const s = d.status;
    if ((s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) && s?.updatedReplicas === want && s?.replicas === want && s?.availableReplicas === want) return;
    if (Date.now() - started > timeoutMs) throw new Error(`rollout not complete after ${timeoutMs} ms: ${JSON.stringify(s)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'autoheal-k8s-ladder-'));
  sandbox = await startSandbox({
    time: 'real',
    tickMs: 100,
    kubeconfigPath: join(directory, 'kubeconfig'),
    deployments: [{ namespace: 'prod', name: 'backend', replicas: 2, requestsPerSecond: 1 }],
  });
  // The controller's ScalingReplicaSet Events outnumber ours: ask for enough of them.
  healer = createKubernetesHealer({ kubeconfigPath: join(directory, 'kubeconfig'), summaryEventLimit: 100 });
  const kc = new KubeConfig();
  kc.loadFromFile(join(directory, 'kubeconfig'));
  apps = kc.makeApiClient(AppsV1Api);
  await rolledOut();
  // A release to roll back from.
  await apps.patchNamespacedDeployment(
    { name: 'backend', namespace: 'prod', body: { spec: { template: { spec: { containers: [{ name: 'backend', image: 'registry.local/backend:2.0.0' }] } } } } },
    setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  );
  await rolledOut();
});

afterAll(async () => {
  await sandbox?.close();
  await rm(directory, { recursive: true, force: true });
});

describe('the default ladder in real time', () => {
  it('restart + scale, cache clear + restart + scale, then rollback, with the attempt count and Events on the Deployment', { timeout: 120_000 }, async () => {
    const steps = DEFAULT_LADDER.map((input) => healStepSchema.parse(input));
    const outcomes = [];
    for (const [index, step] of steps.entries()) {
      const state: HealingState = await healer.readState(target);
      expect(state.attempt).toBe(index);

      const plan = await healer.plan(target, step, state.attempt + 1);
      expect(plan.refusal).toBeUndefined();
      const outcome = await healer.apply(target, plan);
      await healer.writeState(target, { attempt: state.attempt + 1, lastStep: step.kind, lastActionAt: Date.now() });
      await rolledOut();
      outcomes.push(outcome);
    }

    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
    const summary = await healer.getDeploymentSummary(target);
    expect(summary.state).toMatchObject({ attempt: 3, lastStep: 'rollback' });
    expect(summary.replicas).toBe(4);
    expect(summary.readyReplicas).toBe(4);
    // Revisions: 1 (1.0.0), 2 (2.0.0), 3 (restart), 4 (cache + restart), then the rollback to 3 renumbers it as 5.
    expect(summary.revision).toBe(5);
    const revisions = await healer.listRevisions(target);
    expect(revisions.find((r) => r.current)?.revision).toBe(5);
    const reasons = summary.events.filter((e) => e.from === 'autoheal').map((e) => e.reason);
    expect(reasons.sort()).toEqual(['AutohealCacheClear', 'AutohealRestart', 'AutohealRollback']);

    await healer.writeState(target, null);
    await expect(healer.readState(target)).resolves.toEqual({ attempt: 0 });
  });
});

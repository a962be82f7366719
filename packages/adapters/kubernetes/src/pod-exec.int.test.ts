/**
 * Exec time limits and aborts: the sandbox's simulation behind an API server whose exec handler
 * never answers for one chosen pod (a command stuck in a container).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { healStepSchema } from '@autoheal/core';
import { createApiServer, createSimulation, writeKubeconfig, type ApiServer, type Simulation } from '@autoheal/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationOf, resultOf } from '../test-support/plan-lookups.js';
import { createKubernetesHealer, type KubernetesHealer } from './kubernetes-healer.js';

let simulation: Simulation;
let api: ApiServer;
let directory: string;
let healer: KubernetesHealer;
let stuckPod = '';
const target = { namespace: 'prod', kind: 'Deployment' as const, name: 'web' };

beforeAll(async () => {
  simulation = createSimulation({ seed: 5, deployments: [{ namespace: 'prod', name: 'web', replicas: 3, requestsPerSecond: 1 }] });
  simulation.advance(60_000);
  api = createApiServer({
    store: simulation.store,
    clock: simulation.clock,
    exec: (request) => (request.pod === stuckPod ? new Promise(() => undefined) : simulation.execHandler(request)),
  });
  const url = await api.listen(0, '127.0.0.1');
  directory = await mkdtemp(join(tmpdir(), 'autoheal-k8s-exec-'));
  await writeKubeconfig(join(directory, 'kubeconfig'), url);
  healer = createKubernetesHealer({ kubeconfigPath: join(directory, 'kubeconfig') });
});

afterAll(async () => {
  await api?.close();
  simulation?.close();
  await rm(directory, { recursive: true, force: true });
});

describe('cache clear time limits', () => {
  it('reports a pod that does not finish within perPodTimeoutMs as timed out, and the others as done', async () => {
    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'cache', perPodTimeoutMs: 500, restart: false, scaleUp: false }), 2);
    const pods = operationOf(plan, 'exec').details.pods;
    stuckPod = pods[1] ?? '';

    const started = Date.now();
    const outcome = await healer.apply(target, plan);

    const exec = resultOf(outcome, 'exec');
    const results = exec.details?.results ?? [];
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(outcome.ok).toBe(false);
    expect(exec.message).toBe(`cache clear failed in 1 of 3 pod(s): ${stuckPod} (timed out)`);
    expect(results.find((r) => r.pod === stuckPod)).toMatchObject({ ok: false, timedOut: true });
    expect(results.filter((r) => r.pod !== stuckPod).every((r) => r.ok && r.exitCode === 0)).toBe(true);
  });

  it('stops waiting when the caller aborts', async () => {
    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'cache', perPodTimeoutMs: 30_000, restart: false, scaleUp: false }), 2);
    stuckPod = operationOf(plan, 'exec').details.pods[0] ?? '';
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 300);

    const started = Date.now();
    const outcome = await healer.apply(target, plan, { signal: controller.signal });

    expect(Date.now() - started).toBeLessThan(3_000);
    const results = resultOf(outcome, 'exec').details?.results ?? [];
    expect(results.find((r) => r.pod === stuckPod)?.error).toBe('aborted');
    expect(outcome.ok).toBe(false);
    expect(resultOf(outcome, 'event').message).toBe('Event AutohealCacheClear not recorded: aborted');
  });

  it('keeps each pod\'s output up to execOutputLimit characters and marks the cut', async () => {
    stuckPod = '';
    const small = createKubernetesHealer({ kubeconfigPath: join(directory, 'kubeconfig'), execOutputLimit: 10 });
    const plan = await small.plan(target, healStepSchema.parse({ kind: 'cache', command: ['sh', '-c', 'echo 0123456789abcdef'], restart: false, scaleUp: false }), 2);

    const outcome = await small.apply(target, plan);

    const results = resultOf(outcome, 'exec').details?.results ?? [];
    expect(results).toHaveLength(3);
    expect(results.every((r) => r.exitCode === 0 && r.stdout === '0123456789…[truncated]')).toBe(true);
  });

  it('throws ABORTED when the signal is already aborted, before touching the cluster', async () => {
    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: false }), 1);
    const before = (await healer.getDeploymentSummary(target)).generation;

    await expect(healer.apply(target, plan, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });

    expect((await healer.getDeploymentSummary(target)).generation).toBe(before);
  });
});

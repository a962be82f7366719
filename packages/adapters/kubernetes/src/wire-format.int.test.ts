/**
 * What goes over the wire: a recording proxy between the client and the sandbox shows the exact
 * requests (method, path, query, Content-Type, body), and `kubectl rollout undo --dry-run=server`
 * through the same proxy is the reference for the rollback patch.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, dirname } from 'node:path';
import { healStepSchema, type TargetRef } from '@autoheal/core';
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKubernetesHealer, type KubernetesHealer } from './kubernetes-healer.js';
import { kubectlAvailable } from '../test-support/healer-test-kit.js';
import { startTestCluster, type TestCluster } from '../test-support/test-cluster.js';


interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string;
  body: string;
}

let cluster: TestCluster;
let proxy: http.Server;
let proxyKubeconfigPath: string;
let healer: KubernetesHealer;
let apps: AppsV1Api;
let recorded: Recorded[] = [];
let counter = 0;

beforeAll(async () => {
  cluster = await startTestCluster([]);
  const upstream = new URL(cluster.url);
  proxy = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(request.url ?? '/', 'http://proxy');
      recorded.push({
        method: request.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        contentType: String(request.headers['content-type'] ?? ''),
        body: body.toString('utf8'),
      });
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  proxyKubeconfigPath = join(dirname(cluster.kubeconfigPath), 'proxy-kubeconfig');
  await writeFile(proxyKubeconfigPath, cluster.kubeconfigYaml.replaceAll(cluster.url, proxyUrl));
  healer = createKubernetesHealer({ kubeconfigPath: proxyKubeconfigPath });
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  apps = kc.makeApiClient(AppsV1Api);
});

afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  await cluster?.close();
});

beforeEach(() => {
  recorded = [];
});

function newTarget(replicas = 2): TargetRef {
  counter += 1;
  const name = `wire-${counter}`;
  cluster.addWorkload({ namespace: 'prod', name, replicas });
  return { namespace: 'prod', kind: 'Deployment', name };
}

const writes = () => recorded.filter((r) => r.method !== 'GET');

describe('requests on the wire', () => {
  it('restart is a merge patch of the template annotation only, scale a merge patch of /scale, both with fieldManager', async () => {
    const target = newTarget(2);
    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: { by: 1, maxReplicas: 5 } }), 1);
    recorded = [];

    await healer.apply(target, plan);

    const [restart, remember, scale, event] = writes();
    expect(restart).toMatchObject({ method: 'PATCH', path: `/apis/apps/v1/namespaces/prod/deployments/${target.name}`, contentType: 'application/merge-patch+json' });
    expect(restart?.query.get('fieldManager')).toBe('autoheal');
    expect(Object.keys(JSON.parse(restart?.body ?? '{}'))).toEqual(['spec']);
    expect(JSON.parse(restart?.body ?? '{}').spec.template.metadata.annotations).toEqual({
      'kubectl.kubernetes.io/restartedAt': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/),
    });
    // The replica count the episode started from is remembered before scaling (undone once kept).
    expect(remember).toMatchObject({ method: 'PATCH', path: `/apis/apps/v1/namespaces/prod/deployments/${target.name}`, contentType: 'application/merge-patch+json' });
    expect(JSON.parse(remember?.body ?? '{}')).toEqual({ metadata: { annotations: { 'autoheal.dev/scaled-from': '{"replicas":2,"to":3}' } } });
    expect(scale).toMatchObject({ method: 'PATCH', path: `/apis/apps/v1/namespaces/prod/deployments/${target.name}/scale`, contentType: 'application/merge-patch+json' });
    expect(JSON.parse(scale?.body ?? '{}')).toEqual({ spec: { replicas: 3 } });
    expect(event).toMatchObject({ method: 'POST', path: '/api/v1/namespaces/prod/events' });
    expect(writes()).toHaveLength(4);
  });

  it('under a claim every Deployment write carries the resourceVersion of the object whose claim was checked', async () => {
    const target = newTarget(2);
    const intent = { attempt: 1, step: 'restart' as const, holder: 'wire-test', startedAt: Date.now(), deadline: Date.now() + 60_000 };
    await healer.writeState(target, { attempt: 1, lastStep: 'restart', intent });
    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: { by: 1, maxReplicas: 5 } }), 1);
    recorded = [];

    await healer.apply(target, plan, { intent });

    const [restart, remember, scale] = writes();
    const versions = [restart, remember, scale].map((r) => JSON.parse(r?.body ?? '{}').metadata?.resourceVersion);
    expect(versions.every((version) => typeof version === 'string' && /^\d+$/.test(version))).toBe(true);
    // Each write's precondition is the version the previous write left.
    expect(Number(versions[1])).toBeGreaterThan(Number(versions[0]));
    expect(Number(versions[2])).toBeGreaterThan(Number(versions[1]));
  });

  it('under a claim the rollback JSON Patch starts with the resourceVersion precondition', async () => {
    const target = newTarget(1);
    await apps.patchNamespacedDeployment(
      { name: target.name, namespace: target.namespace, body: { spec: { template: { spec: { containers: [{ name: target.name, image: 'registry.local/app:2.0.0' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    cluster.advance(60_000);
    const intent = { attempt: 1, step: 'rollback' as const, holder: 'wire-test', startedAt: Date.now(), deadline: Date.now() + 60_000 };
    await healer.writeState(target, { attempt: 1, lastStep: 'rollback', intent });
    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'rollback' }), 1);
    recorded = [];

    const outcome = await healer.apply(target, plan, { intent });

    const rollback = writes().find((r) => r.method === 'PATCH');
    const ops = JSON.parse(rollback?.body ?? '[]') as Array<{ op: string; path: string; value?: unknown }>;
    expect(outcome.ok).toBe(true);
    expect(ops.map((o) => `${o.op} ${o.path}`)).toEqual(['replace /metadata/resourceVersion', 'replace /spec/template', 'replace /metadata/annotations']);
  });

  it('a restart + scale step reads the Deployment once to plan it and once to apply it', async () => {
    const target = newTarget(2);
    const deploymentReads = () => recorded.filter((r) => r.method === 'GET' && r.path.startsWith(`/apis/apps/v1/namespaces/prod/deployments/${target.name}`)).length;

    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: { by: 1, maxReplicas: 5 } }), 1);
    const readsToPlan = deploymentReads();
    recorded = [];
    await healer.apply(target, plan);

    expect(readsToPlan).toBe(1);
    expect(deploymentReads()).toBe(1);
  });

  it('dry-run sends the same patches with dryRun=All and no Event', async () => {
    const target = newTarget(2);
    const plan = await healer.plan(target, healStepSchema.parse({ kind: 'restart', scaleUp: { by: 1, maxReplicas: 5 } }), 1);
    recorded = [];

    await healer.apply(target, plan, { dryRun: true });

    expect(writes().map((r) => [r.method, r.path.split('/').slice(-2).join('/'), r.query.get('dryRun')])).toEqual([
      ['PATCH', `deployments/${target.name}`, 'All'],
      ['PATCH', `${target.name}/scale`, 'All'],
    ]);
  });

  it('the state write carries metadata.resourceVersion as a precondition and touches only the two annotations', async () => {
    const target = newTarget(1);

    await healer.writeState(target, { attempt: 1, lastStep: 'restart' });

    const [patch] = writes();
    const body = JSON.parse(patch?.body ?? '{}');
    expect(patch?.contentType).toBe('application/merge-patch+json');
    expect(body.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(Object.keys(body.metadata.annotations).sort()).toEqual(['autoheal.dev/healing-state', 'healing.attempt']);
    expect(Object.keys(body)).toEqual(['metadata']);
  });

  it.skipIf(!kubectlAvailable)('the rollback patch is the JSON Patch `kubectl rollout undo` sends', async () => {
    const target = newTarget(1);
    await apps.patchNamespacedDeployment(
      {
        name: target.name,
        namespace: target.namespace,
        body: { metadata: { annotations: { 'team.example/owner': 'payments' } }, spec: { template: { spec: { containers: [{ name: target.name, image: 'registry.local/app:2.0.0' }] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    cluster.advance(60_000);
    recorded = [];

    await new Promise<void>((resolve, reject) =>
      execFile('kubectl', ['--kubeconfig', proxyKubeconfigPath, '-n', 'prod', 'rollout', 'undo', `deployment/${target.name}`, '--dry-run=server'], (error, _out, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(),
      ),
    );
    const kubectl = writes().find((r) => r.method === 'PATCH');
    recorded = [];
    await healer.rollback(target, undefined, { dryRun: true });
    const ours = writes().find((r) => r.method === 'PATCH');

    expect(kubectl?.contentType).toBe('application/json-patch+json');
    expect(ours?.contentType).toBe(kubectl?.contentType);
    expect(ours?.query.get('dryRun')).toBe('All');
    // kubectl serialises Go structs (creationTimestamp: null, resources: {}); compare the meaning.
    expect(normalize(JSON.parse(ours?.body ?? '[]'))).toEqual(normalize(JSON.parse(kubectl?.body ?? '[]')));
    expect(JSON.parse(ours?.body ?? '[]').map((o: { op: string; path: string }) => `${o.op} ${o.path}`)).toEqual([
      'replace /spec/template',
      'replace /metadata/annotations',
    ]);
  });
});

/** Drops nulls and empty maps/lists, as apimachinery's semantic equality does. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const child = normalize((value as Record<string, unknown>)[key]);
      if (child === null || child === undefined) continue;
      if (typeof child === 'object' && Object.keys(child).length === 0) continue;
      out[key] = child;
    }
    return out;
  }
  return value;
}

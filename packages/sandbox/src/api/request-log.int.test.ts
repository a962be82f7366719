/**
 * The request log of a sandbox: every request the API server answered, with the user, the verb, the
 * resource, the body of a write and the status — what reached the cluster.
 */
import { AppsV1Api, CoreV1Api, Exec, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox.js';
import { createRequestLog } from './request-log.js';

let sandbox: Sandbox;

/** A client whose bearer token names `user`. */
function clientAs(user: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(sandbox.kubeconfigPath);
  const yaml = JSON.parse(kubeConfig.exportConfig()) as { users: Array<{ user: { token?: string } }> };
  for (const entry of yaml.users) entry.user.token = `${user}:secret`;
  const withUser = new KubeConfig();
  withUser.loadFromString(JSON.stringify(yaml));
  return withUser;
}

beforeAll(async () => {
  sandbox = await startSandbox({ time: 'virtual', deployments: [{ namespace: 'prod', name: 'web', replicas: 1 }] });
  sandbox.advance(30_000);
});

afterAll(async () => {
  await sandbox?.close();
});

describe('the sandbox request log', () => {
  it('records who changed what: user, verb, resource, name, query, body and status of a patch', async () => {
    sandbox.requestLog.clear();
    const apps = clientAs('replica-a').makeApiClient(AppsV1Api);

    await apps.patchNamespacedDeployment(
      { name: 'web', namespace: 'prod', fieldManager: 'autoheal', body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 'x' } } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

    const patches = sandbox.requestLog.entries().filter((entry) => entry.method === 'PATCH');
    expect(patches).toEqual([
      expect.objectContaining({
        user: 'replica-a',
        verb: 'patch',
        namespace: 'prod',
        resource: 'deployments',
        name: 'web',
        query: 'fieldManager=autoheal',
        status: 200,
        contentType: 'application/merge-patch+json',
        body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 'x' } } } } },
        at: sandbox.clock.now(),
      }),
    ]);
  });

  it('records refused writes with their status, and reads without a body', async () => {
    sandbox.requestLog.clear();
    const apps = clientAs('replica-b').makeApiClient(AppsV1Api);
    const current = await apps.readNamespacedDeployment({ name: 'web', namespace: 'prod' });

    await expect(
      apps.patchNamespacedDeployment(
        { name: 'web', namespace: 'prod', body: { metadata: { resourceVersion: String(Number(current.metadata?.resourceVersion) - 1) } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    ).rejects.toMatchObject({ code: 409 });

    const [read, conflict] = sandbox.requestLog.entries();
    expect(read).toMatchObject({ user: 'replica-b', verb: 'get', resource: 'deployments', name: 'web', status: 200 });
    expect(read).not.toHaveProperty('body');
    expect(conflict).toMatchObject({ user: 'replica-b', verb: 'patch', status: 409, body: { metadata: { resourceVersion: expect.any(String) } } });
    expect(conflict!.seq).toBe(read!.seq + 1);
  });

  it('records an exec as a create of pods/exec', async () => {
    const kubeConfig = clientAs('replica-c');
    const pod = (await kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'prod' })).items[0]!;
    sandbox.requestLog.clear();
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });

    await new Promise<void>((resolve, reject) => {
      void new Exec(kubeConfig).exec('prod', pod.metadata!.name!, pod.spec!.containers[0]!.name, ['true'], sink, sink, null, false, () => resolve()).catch(reject);
    });

    expect(sandbox.requestLog.entries()).toEqual([expect.objectContaining({ user: 'replica-c', verb: 'create', resource: 'pods', subresource: 'exec', name: pod.metadata!.name, status: 101 })]);
  });

  it('keeps the newest entries up to its limit', () => {
    const log = createRequestLog({ limit: 3 });
    for (let index = 0; index < 10; index++) log.record({ at: index, doneAt: index, user: 'u', method: 'GET', path: `/${index}`, query: '', status: 200 });

    expect(log.entries().map((entry) => [entry.seq, entry.path])).toEqual([
      [8, '/7'],
      [9, '/8'],
      [10, '/9'],
    ]);
  });
});

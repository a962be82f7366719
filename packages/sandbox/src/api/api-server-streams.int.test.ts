/** The API server against client-node over HTTP and WebSocket: informers, collections, deletes, events, watches, exec. */
import { PassThrough } from 'node:stream';
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoordinationV1Api,
  CoreV1Api,
  Exec,
  PatchStrategy,
  RbacAuthorizationV1Api,
  V1MicroTime,
  Watch,
  makeInformer,
  setHeaderOptions,
  type V1Deployment,
  type V1Status,
} from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { apiError, deploymentManifest, rawRequest, startTestApi, type TestApi } from '../../test-support/api-test-harness.js';

let testApi: TestApi;
let apps: AppsV1Api;
let core: CoreV1Api;

beforeEach(async () => {
  testApi = await startTestApi({ historyLimit: 50 });
  apps = testApi.kubeConfig.makeApiClient(AppsV1Api);
  core = testApi.kubeConfig.makeApiClient(CoreV1Api);
});

afterEach(async () => {
  await testApi.close();
});

async function createDeployment(name = 'web', replicas?: number): Promise<V1Deployment> {
  return apps.createNamespacedDeployment({
    namespace: 'prod',
    body: deploymentManifest(name, replicas !== undefined ? { replicas } : {}) as V1Deployment,
  });
}

describe('informers and collections', () => {
  it('feeds a client-node informer (list, then watch from the list resourceVersion)', async () => {
    await createDeployment('before');
    const informer = makeInformer(testApi.kubeConfig, '/apis/apps/v1/namespaces/prod/deployments', () =>
      apps.listNamespacedDeployment({ namespace: 'prod' }),
    );
    const added: string[] = [];
    const sawAfter = new Promise<void>((resolve) => {
      informer.on('add', (object) => {
        added.push(object.metadata!.name!);
        if (object.metadata?.name === 'after') resolve();
      });
    });
    await informer.start();
    await createDeployment('after');
    await sawAfter;
    await informer.stop();
    expect(added).toEqual(['before', 'after']);
  });

  it('deletes a collection by label selector', async () => {
    await apps.createNamespacedDeployment({ namespace: 'prod', body: deploymentManifest('a', { labels: { app: 'a', batch: 'x' } }) as V1Deployment });
    await apps.createNamespacedDeployment({ namespace: 'prod', body: deploymentManifest('b', { labels: { app: 'b', batch: 'y' } }) as V1Deployment });
    await apps.deleteCollectionNamespacedDeployment({ namespace: 'prod', labelSelector: 'batch=x' });
    expect((await apps.listNamespacedDeployment({ namespace: 'prod' })).items.map((item) => item.metadata?.name)).toEqual(['b']);
  });
});

describe('delete', () => {
  it('deletes a Deployment with its ReplicaSets and pods, and Orphan keeps dependents', async () => {
    const deployment = await createDeployment();
    const ownerOf = (object: { apiVersion?: string; kind?: string; metadata?: { name?: string; uid?: string } }) => [
      { apiVersion: object.apiVersion!, kind: object.kind!, name: object.metadata!.name!, uid: object.metadata!.uid!, controller: true },
    ];
    const replicaSet = await apps.createNamespacedReplicaSet({
      namespace: 'prod',
      body: { ...deploymentManifest('web-1'), kind: 'ReplicaSet', metadata: { name: 'web-1', ownerReferences: ownerOf(deployment) } } as any,
    });
    await core.createNamespacedPod({ namespace: 'prod', body: { metadata: { name: 'web-1-abcde', ownerReferences: ownerOf(replicaSet) }, spec: { containers: [{ name: 'app', image: 'x' }] } } });
    await apps.deleteNamespacedDeployment({ name: 'web', namespace: 'prod' });
    expect((await apps.listNamespacedReplicaSet({ namespace: 'prod' })).items).toEqual([]);
    expect((await core.listNamespacedPod({ namespace: 'prod' })).items).toEqual([]);

    const kept = await apps.createNamespacedReplicaSet({ namespace: 'prod', body: { ...deploymentManifest('keep'), kind: 'ReplicaSet', metadata: { name: 'keep' } } as any });
    await core.createNamespacedPod({ namespace: 'prod', body: { metadata: { name: 'keep-x', ownerReferences: ownerOf(kept) }, spec: { containers: [{ name: 'app', image: 'x' }] } } });
    await apps.deleteNamespacedReplicaSet({ name: 'keep', namespace: 'prod', propagationPolicy: 'Orphan' });
    const orphan = await core.readNamespacedPod({ name: 'keep-x', namespace: 'prod' });
    expect(orphan.metadata?.ownerReferences).toBeUndefined();
  });
});

describe('events, leases, HPAs, services, RBAC', () => {
  it('filters events by the involvedObject field selectors kubectl describe sends', async () => {
    const deployment = await createDeployment();
    const event = (name: string, involvedName: string, uid: string) => ({
      metadata: { name },
      involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: involvedName, namespace: 'prod', uid },
      reason: 'ScalingReplicaSet',
      message: 'Scaled up',
      type: 'Normal',
      source: { component: 'deployment-controller' },
      firstTimestamp: new Date(),
      lastTimestamp: new Date(),
      count: 1,
    });
    await core.createNamespacedEvent({ namespace: 'prod', body: event('web.1', 'web', deployment.metadata!.uid!) });
    await core.createNamespacedEvent({ namespace: 'prod', body: event('other.1', 'other', 'uid-2') });
    const selected = await core.listNamespacedEvent({
      namespace: 'prod',
      fieldSelector: `involvedObject.name=web,involvedObject.namespace=prod,involvedObject.kind=Deployment,involvedObject.uid=${deployment.metadata!.uid}`,
    });
    expect(selected.items.map((item) => item.metadata?.name)).toEqual(['web.1']);
    const mismatch = await apiError(() =>
      core.createNamespacedEvent({ namespace: 'prod', body: { ...event('bad.1', 'web', 'u'), involvedObject: { kind: 'Deployment', name: 'web', namespace: 'default' } } }),
    );
    expect(mismatch.code).toBe(422);
  });

  it('accepts 6-digit and 3-digit MicroTime on leases and emits 6 digits', async () => {
    const coordination = testApi.kubeConfig.makeApiClient(CoordinationV1Api);
    const renewTime = new V1MicroTime('2026-01-01T10:00:00.123Z');
    const created = await coordination.createNamespacedLease({
      namespace: 'prod',
      body: { metadata: { name: 'leader' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime, acquireTime: renewTime } },
    });
    expect(created.spec?.holderIdentity).toBe('a');
    const raw = await rawRequest(testApi.url, 'GET', '/apis/coordination.k8s.io/v1/namespaces/prod/leases/leader');
    expect(raw.body.spec.renewTime).toBe('2026-01-01T10:00:00.123000Z');
    const threeDigits = await rawRequest(
      testApi.url,
      'POST',
      '/apis/coordination.k8s.io/v1/namespaces/prod/leases',
      JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'short' }, spec: { renewTime: '2026-01-01T10:00:00.5Z' } }),
    );
    expect(threeDigits.status).toBe(201);
    expect(threeDigits.body.spec.renewTime).toBe('2026-01-01T10:00:00.500000Z');
    const garbage = await rawRequest(
      testApi.url,
      'POST',
      '/apis/coordination.k8s.io/v1/namespaces/prod/leases',
      JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'bad' }, spec: { renewTime: 'yesterday' } }),
    );
    expect(garbage.body).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('stores HPAs (autoscaling/v2), Services, Endpoints and RBAC objects', async () => {
    const autoscaling = testApi.kubeConfig.makeApiClient(AutoscalingV2Api);
    const hpa = await autoscaling.createNamespacedHorizontalPodAutoscaler({
      namespace: 'prod',
      body: { metadata: { name: 'web' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5 } },
    });
    expect(hpa.spec?.minReplicas).toBe(1);
    const service = await core.createNamespacedService({ namespace: 'prod', body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } });
    expect(service.spec?.ports?.[0]).toMatchObject({ port: 80, protocol: 'TCP', targetPort: 80 });
    await core.createNamespacedEndpoints({ namespace: 'prod', body: { metadata: { name: 'web' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] } });
    expect((await core.readNamespacedEndpoints({ name: 'web', namespace: 'prod' })).subsets?.[0]?.addresses?.[0]?.ip).toBe('10.0.0.1');
    const rbac = testApi.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({ namespace: 'prod', body: { metadata: { name: 'scaler' }, rules: [{ apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'] }] } });
    await rbac.createNamespacedRoleBinding({
      namespace: 'prod',
      body: { metadata: { name: 'scaler' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'scaler' }, subjects: [{ kind: 'User', name: 'alice' }] },
    });
    await rbac.createClusterRole({ body: { metadata: { name: 'reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] } });
    expect((await rbac.listNamespacedRoleBinding({ namespace: 'prod' })).items.map((item) => item.metadata?.name)).toEqual(['scaler']);
    await rbac.deleteClusterRole({ name: 'reader' });
    expect((await rbac.listClusterRole()).items).toEqual([]);
  });
});

describe('watch', () => {
  /** Collects watch events until `count` arrived, then aborts the watch. */
  function collect(path: string, query: Record<string, string>, count: number): Promise<Array<{ type: string; object: any }>> {
    const events: Array<{ type: string; object: any }> = [];
    return new Promise((resolve, reject) => {
      let controller: AbortController | undefined;
      new Watch(testApi.kubeConfig)
        .watch(
          path,
          query,
          (type, object) => {
            events.push({ type, object });
            if (events.length === count) {
              controller?.abort();
              resolve(events);
            }
          },
          (error) => {
            if (events.length < count) reject(error ?? new Error(`watch ended after ${events.length} events`));
          },
        )
        .then((started) => {
          controller = started;
        }, reject);
    });
  }

  it('streams changes after a list resourceVersion, filtered by label selector, with selector transitions', async () => {
    const list = await apps.listNamespacedDeployment({ namespace: 'prod' });
    const events = collect('/apis/apps/v1/namespaces/prod/deployments', { resourceVersion: list.metadata!.resourceVersion!, labelSelector: 'tier=front' }, 3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await apps.createNamespacedDeployment({ namespace: 'prod', body: deploymentManifest('web', { labels: { app: 'web', tier: 'front' } }) as V1Deployment });
    await apps.createNamespacedDeployment({ namespace: 'prod', body: deploymentManifest('api', { labels: { app: 'api', tier: 'back' } }) as V1Deployment });
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await apps.patchNamespacedDeployment({ name: 'web', namespace: 'prod', body: { spec: { replicas: 2 } } }, merge);
    await apps.patchNamespacedDeployment({ name: 'web', namespace: 'prod', body: { metadata: { labels: { tier: 'back' } } } }, merge);
    const received = await events;
    expect(received.map((event) => [event.type, event.object.metadata.name])).toEqual([
      ['ADDED', 'web'],
      ['MODIFIED', 'web'],
      ['DELETED', 'web'],
    ]);
  });

  it('replays synthetic ADDED events without a resourceVersion', async () => {
    await createDeployment('one');
    await createDeployment('two');
    const received = await collect('/apis/apps/v1/namespaces/prod/deployments', {}, 2);
    expect(received.map((event) => event.type)).toEqual(['ADDED', 'ADDED']);
  });

  it('sends an ERROR event with 410 Expired for a too-old resourceVersion, then closes', async () => {
    const start = (await apps.listNamespacedDeployment({ namespace: 'prod' })).metadata!.resourceVersion!;
    await createDeployment();
    for (let replicas = 2; replicas < 60; replicas += 1) {
      await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: 'prod', body: { spec: { replicas } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    }
    const response = await fetch(`${testApi.url}/apis/apps/v1/namespaces/prod/deployments?watch=true&resourceVersion=${start}`);
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it('watches namespaces by label selector: labelled in is ADDED, label removed is DELETED', async () => {
    const list = await core.listNamespace({ labelSelector: 'team=payments' });
    const events = collect('/api/v1/namespaces', { resourceVersion: list.metadata!.resourceVersion!, labelSelector: 'team=payments' }, 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await core.createNamespace({ body: { metadata: { name: 'pay', labels: { team: 'payments' } } } });
    await core.createNamespace({ body: { metadata: { name: 'other', labels: { team: 'search' } } } });
    await core.patchNamespace({ name: 'pay', body: { metadata: { labels: { team: null } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const received = await events;
    expect(received.map((event) => [event.type, event.object.metadata.name])).toEqual([
      ['ADDED', 'pay'],
      ['DELETED', 'pay'],
    ]);
  });

  it('watches deployments across all namespaces', async () => {
    await core.createNamespace({ body: { metadata: { name: 'pay' } } });
    const list = await apps.listDeploymentForAllNamespaces();
    const events = collect('/apis/apps/v1/deployments', { resourceVersion: list.metadata!.resourceVersion! }, 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await createDeployment('web');
    const api = deploymentManifest('api') as V1Deployment;
    await apps.createNamespacedDeployment({ namespace: 'pay', body: { ...api, metadata: { ...api.metadata, namespace: 'pay' } } });
    const received = await events;
    expect(received.map((event) => `${event.object.metadata.namespace}/${event.object.metadata.name}`)).toEqual(['prod/web', 'pay/api']);
  });

  it('dropWatches cuts open streams: reset fails the client\'s watch, end finishes it cleanly', async () => {
    const watchUntilDone = () =>
      new Promise<Error | null>((resolve, reject) => {
        new Watch(testApi.kubeConfig).watch('/api/v1/namespaces', {}, () => undefined, (error) => resolve(error ?? null)).catch(reject);
      });
    const waitForOpenWatch = async () => {
      for (let turn = 0; turn < 200 && testApi.api.dropWatches('end') === 0; turn++) await new Promise((resolve) => setTimeout(resolve, 10));
    };

    const cleanly = watchUntilDone();
    await waitForOpenWatch();
    expect(await cleanly).toBeNull();

    const reset = watchUntilDone();
    let dropped = 0;
    for (let turn = 0; turn < 200 && dropped === 0; turn++) {
      dropped = testApi.api.dropWatches('reset');
      if (dropped === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(dropped).toBe(1);
    expect(await reset).toBeInstanceOf(Error);
  });

  it('ends a watch after timeoutSeconds and on server close', async () => {
    const started = Date.now();
    const response = await fetch(`${testApi.url}/api/v1/namespaces/prod/pods?watch=1&timeoutSeconds=1`);
    await response.text();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const open = await fetch(`${testApi.url}/api/v1/namespaces/prod/pods?watch=1`);
    const body = open.text();
    await testApi.api.close();
    await expect(body).resolves.toBeDefined();
  });
});

describe('exec', () => {
  async function runExec(command: string[]): Promise<{ stdout: string; stderr: string; status: V1Status }> {
    await core.createNamespacedPod({ namespace: 'prod', body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'x' }] } } }).catch(() => undefined);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(testApi.kubeConfig).exec('prod', 'p', 'app', command, stdout, stderr, null, false, resolve).catch(reject);
    });
    return { stdout: out, stderr: err, status };
  }

  it('runs a command and reports Success on channel 3', async () => {
    const result = await runExec(['echo', 'hello', 'world']);
    expect(result.stdout).toBe('hello world\n');
    expect(result.status).toEqual({ metadata: {}, status: 'Success' });
  });

  it('reports a non-zero exit code in the v4 Status shape', async () => {
    const result = await runExec(['exit', '3']);
    expect(result.stderr).toBe('exiting 3\n');
    expect(result.status).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [exit 3], exit code 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });

  it('reports an ExecHandler StatusError (unknown container) as that Status on channel 3', async () => {
    const result = await runExec(['missing']);
    expect(result.status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
  });

  it('speaks v4.channel.k8s.io with binary frames: empty first frame, stdout on 1, Status on 3', async () => {
    await core.createNamespacedPod({ namespace: 'prod', body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'x' }] } } });
    const url = `${testApi.url.replace('http', 'ws')}/api/v1/namespaces/prod/pods/p/exec?command=exit&command=2&stdout=true&stderr=true`;
    const socket = new WebSocket(url, ['v4.channel.k8s.io'], { headers: { authorization: 'Bearer alice' } });
    const frames: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        expect(isBinary).toBe(true);
        frames.push(data);
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    expect(socket.protocol).toBe('v4.channel.k8s.io');
    expect(frames[0]).toEqual(Buffer.from([1]));
    expect(frames[1]?.[0]).toBe(2);
    expect(frames[1]?.subarray(1).toString()).toBe('exiting 2\n');
    expect(frames[2]?.[0]).toBe(3);
    expect(JSON.parse(frames[2]!.subarray(1).toString())).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '2' }] } });
  });

  it('runs a v5 command with stdin only after the client closed stdin, then answers with what it read', async () => {
    // Why: kubectl reads the socket while it still creates its streams (kubernetes/kubernetes#131189);
    // anything sent before its CLOSE of stdin may be dropped. The pong below comes after the server has
    // handled our ping, long after an immediate answer would have been written: if anything but the
    // empty first frame came before it, the server did not wait.
    await core.createNamespacedPod({ namespace: 'prod', body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'x' }] } } });
    const url = `${testApi.url.replace('http', 'ws')}/api/v1/namespaces/prod/pods/p/exec?command=cat&stdin=true&stdout=true&stderr=true`;
    const socket = new WebSocket(url, ['v5.channel.k8s.io'], { headers: { authorization: 'Bearer alice' } });
    const frames: Buffer[] = [];
    socket.on('message', (data: Buffer) => frames.push(data));
    const closed = new Promise<void>((resolve, reject) => {
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(Buffer.concat([Buffer.from([0]), Buffer.from('piped ')]));
    socket.send(Buffer.concat([Buffer.from([0]), Buffer.from('input\n')]));
    socket.ping();
    await Promise.race([new Promise((resolve) => socket.once('pong', resolve)), closed]);
    expect(frames).toEqual([Buffer.from([1])]);

    socket.send(Buffer.from([255, 0]));
    await closed;
    expect(frames[1]).toEqual(Buffer.concat([Buffer.from([1]), Buffer.from('piped input\n')]));
    expect(frames[2]?.[0]).toBe(3);
    expect(JSON.parse(frames[2]!.subarray(1).toString())).toEqual({ metadata: {}, status: 'Success' });
  });

  it('runs a v4 command with stdin at once (v4 has no CLOSE signal to wait for)', async () => {
    await core.createNamespacedPod({ namespace: 'prod', body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'x' }] } } });
    const url = `${testApi.url.replace('http', 'ws')}/api/v1/namespaces/prod/pods/p/exec?command=exit&command=5&stdin=true&stderr=true`;
    const socket = new WebSocket(url, ['v4.channel.k8s.io'], { headers: { authorization: 'Bearer alice' } });
    const frames: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.on('message', (data: Buffer) => frames.push(data));
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    expect(frames.map((f) => f[0])).toEqual([2, 2, 3]);
    expect(JSON.parse(frames[2]!.subarray(1).toString())).toMatchObject({ reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '5' }] } });
  });

  it('refuses a client that offers no supported subprotocol with 400', async () => {
    await core.createNamespacedPod({ namespace: 'prod', body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'x' }] } } });
    const url = `${testApi.url.replace('http', 'ws')}/api/v1/namespaces/prod/pods/p/exec?command=echo&stdout=true`;
    const socket = new WebSocket(url, ['channel.k8s.io']);
    const statusCode = await new Promise<number>((resolve) => {
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('error', () => undefined);
    });
    expect(statusCode).toBe(400);
  });

  it('rejects exec on a missing pod with 404 before upgrading', async () => {
    const error = await new Exec(testApi.kubeConfig)
      .exec('prod', 'ghost', 'app', ['echo'], new PassThrough(), new PassThrough(), null, false)
      .then(() => undefined, (caught: unknown) => caught);
    expect((error as { message?: string }).message ?? JSON.stringify(error)).toContain('404');
  });
});

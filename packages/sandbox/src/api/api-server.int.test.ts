/** The API server against client-node over HTTP: discovery, reads and writes, validation, patches, subresources. */
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
} from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

describe('discovery', () => {
  it('serves /version, /apis and the apps/v1 resource list with subresources', async () => {
    const version = await rawRequest(testApi.url, 'GET', '/version');
    expect(version.body).toMatchObject({ major: '1', minor: '32' });
    const groups = await rawRequest(testApi.url, 'GET', '/apis');
    expect(groups.body.groups.map((group: { name: string }) => group.name)).toEqual(
      expect.arrayContaining(['apps', 'coordination.k8s.io', 'autoscaling', 'rbac.authorization.k8s.io']),
    );
    const resources = await rawRequest(testApi.url, 'GET', '/apis/apps/v1');
    const names = resources.body.resources.map((resource: { name: string }) => resource.name);
    expect(names).toEqual(expect.arrayContaining(['deployments', 'deployments/status', 'deployments/scale', 'replicasets/scale']));
  });
});

describe('create, get, list', () => {
  it('applies apps/v1 defaults and generation 1 on create, without defaulting the pod template', async () => {
    const created = await createDeployment();
    expect(created.metadata?.generation).toBe(1);
    expect(created.spec?.replicas).toBe(1);
    expect(created.spec?.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    expect(created.spec?.revisionHistoryLimit).toBe(10);
    expect(created.spec?.progressDeadlineSeconds).toBe(600);
    expect(created.spec?.template.spec?.containers[0]).toEqual({ name: 'app', image: 'nginx:1.25', env: [{ name: 'MODE', value: 'a' }] });
    const fetched = await apps.readNamespacedDeployment({ name: 'web', namespace: 'prod' });
    expect(fetched.metadata?.uid).toBe(created.metadata?.uid);
  });

  it('lists with label and field selectors', async () => {
    await apps.createNamespacedDeployment({ namespace: 'prod', body: deploymentManifest('web', { labels: { app: 'web', tier: 'front' } }) as V1Deployment });
    await apps.createNamespacedDeployment({ namespace: 'prod', body: deploymentManifest('api', { labels: { app: 'api', tier: 'back' } }) as V1Deployment });
    const front = await apps.listNamespacedDeployment({ namespace: 'prod', labelSelector: 'tier in (front)' });
    expect(front.items.map((item) => item.metadata?.name)).toEqual(['web']);
    const byName = await apps.listDeploymentForAllNamespaces({ fieldSelector: 'metadata.name=api' });
    expect(byName.items.map((item) => item.metadata?.name)).toEqual(['api']);
    const badField = await apiError(() => apps.listNamespacedDeployment({ namespace: 'prod', fieldSelector: 'spec.nope=1' }));
    expect(badField.code).toBe(400);
    expect(badField.status.message).toBe('field label not supported: spec.nope');
  });

  it('answers 404 for a missing object and for a namespace that does not exist', async () => {
    const missing = await apiError(() => apps.readNamespacedDeployment({ name: 'nope', namespace: 'prod' }));
    expect(missing.status).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404, message: 'deployments.apps "nope" not found', details: { name: 'nope', group: 'apps', kind: 'deployments' } });
    const noNamespace = await apiError(() =>
      apps.createNamespacedDeployment({ namespace: 'ghost', body: { ...deploymentManifest('web'), metadata: { name: 'web' } } as V1Deployment }),
    );
    expect(noNamespace.status).toMatchObject({ code: 404, message: 'namespaces "ghost" not found' });
  });

  it('rejects duplicates with 409 AlreadyExists', async () => {
    await createDeployment();
    const duplicate = await apiError(() => createDeployment());
    expect(duplicate.status).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'deployments.apps "web" already exists' });
  });

  it('stores nothing for dryRun=All', async () => {
    const answered = await apps.createNamespacedDeployment({ namespace: 'prod', body: deploymentManifest('dry') as V1Deployment, dryRun: 'All' });
    expect(answered.metadata?.name).toBe('dry');
    await expect(apps.readNamespacedDeployment({ name: 'dry', namespace: 'prod' })).rejects.toMatchObject({ code: 404 });
    const generated = await core.createNamespacedPod({
      namespace: 'prod',
      body: { metadata: { generateName: 'worker-' }, spec: { containers: [{ name: 'app', image: 'x' }] } },
      dryRun: 'All',
    });
    expect(generated.metadata?.name).toMatch(/^worker-[a-z0-9]{5}$/);
    expect((await core.listNamespacedPod({ namespace: 'prod' })).items).toEqual([]);
    await createDeployment('kept');
    await apps.deleteNamespacedDeployment({ name: 'kept', namespace: 'prod', dryRun: 'All' });
    expect((await apps.readNamespacedDeployment({ name: 'kept', namespace: 'prod' })).metadata?.name).toBe('kept');
  });
});

describe('validation', () => {
  it('rejects negative replicas, a selector that does not match the template, and a selector change with 422', async () => {
    const negative = await apiError(() => createDeployment('neg', -1));
    expect(negative.status).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message: 'Deployment.apps "neg" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      details: { kind: 'Deployment', group: 'apps', causes: [{ field: 'spec.replicas', reason: 'FieldValueInvalid' }] },
    });
    const mismatched = deploymentManifest('odd');
    (mismatched.spec as any).selector = { matchLabels: { app: 'other' } };
    const mismatch = await apiError(() => apps.createNamespacedDeployment({ namespace: 'prod', body: mismatched as V1Deployment }));
    expect(mismatch.code).toBe(422);
    expect(mismatch.status.message).toContain('`selector` does not match template `labels`');

    await createDeployment();
    const immutable = await apiError(() =>
      apps.patchNamespacedDeployment(
        { name: 'web', namespace: 'prod', body: { spec: { selector: { matchLabels: { app: 'web', x: 'y' } }, template: { metadata: { labels: { app: 'web', x: 'y' } } } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(immutable.code).toBe(422);
    expect(immutable.status.message).toContain('spec.selector: Invalid value');
    expect(immutable.status.message).toContain('field is immutable');
  });

  it('answers malformed input with a Status and keeps serving', async () => {
    const malformed = await rawRequest(testApi.url, 'POST', '/apis/apps/v1/namespaces/prod/deployments', '{"apiVersion": "apps/v1", ');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    const wrongKind = await rawRequest(testApi.url, 'POST', '/apis/apps/v1/namespaces/prod/deployments', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }));
    expect(wrongKind.status).toBe(400);
    const array = await rawRequest(testApi.url, 'POST', '/api/v1/namespaces/prod/pods', '[1,2]');
    expect(array.status).toBe(400);
    const unknownResource = await rawRequest(testApi.url, 'GET', '/apis/apps/v1/namespaces/prod/widgets');
    expect(unknownResource.body).toMatchObject({ reason: 'NotFound', code: 404 });
    const notAllowed = await rawRequest(testApi.url, 'POST', '/apis/apps/v1/namespaces/prod/deployments/web', '{}');
    expect(notAllowed.body).toMatchObject({ reason: 'MethodNotAllowed', code: 405 });
    const badSelector = await rawRequest(testApi.url, 'GET', '/api/v1/namespaces/prod/pods?labelSelector=app%20in%20(web');
    expect(badSelector.status).toBe(400);
    const strict = await rawRequest(testApi.url, 'POST', '/apis/apps/v1/namespaces/prod/deployments?fieldValidation=Strict', JSON.stringify({ ...deploymentManifest('strict'), bogus: 1 }));
    expect(strict.body).toMatchObject({ code: 400, message: 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "bogus"' });

    const badEncoding = await rawRequest(testApi.url, 'GET', '/apis/apps/v1/namespaces/%E0%A4%A/deployments');
    expect(badEncoding.body).toMatchObject({ kind: 'Status', code: 404 });
    const badVersion = await rawRequest(testApi.url, 'GET', '/api/v1/namespaces/prod/pods?watch=1&resourceVersion=abc');
    // A single-event stream: the ERROR event carrying the 400 Status, then the end.
    expect(badVersion.body).toMatchObject({ type: 'ERROR', object: { code: 400, reason: 'BadRequest' } });
    const badDelete = await rawRequest(testApi.url, 'DELETE', '/api/v1/namespaces/prod/pods/nope', '{not json');
    expect(badDelete.body).toMatchObject({ code: 400 });

    const stillServing = await createDeployment();
    expect(stillServing.metadata?.name).toBe('web');
  });
});

describe('update and patch', () => {
  it('rejects an update with a stale resourceVersion with 409 Conflict', async () => {
    const created = await createDeployment();
    await apps.replaceNamespacedDeployment({ name: 'web', namespace: 'prod', body: { ...created, spec: { ...created.spec!, replicas: 2 } } });
    const stale = await apiError(() =>
      apps.replaceNamespacedDeployment({ name: 'web', namespace: 'prod', body: { ...created, spec: { ...created.spec!, replicas: 3 } } }),
    );
    expect(stale.status).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    });
  });

  it('bumps generation on spec and annotation changes but not on label-only changes', async () => {
    await createDeployment();
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const labelled = await apps.patchNamespacedDeployment({ name: 'web', namespace: 'prod', body: { metadata: { labels: { team: 'a' } } } }, merge);
    expect(labelled.metadata?.generation).toBe(1);
    const annotated = await apps.patchNamespacedDeployment({ name: 'web', namespace: 'prod', body: { metadata: { annotations: { note: 'x' } } } }, merge);
    expect(annotated.metadata?.generation).toBe(2);
    const scaled = await apps.patchNamespacedDeployment({ name: 'web', namespace: 'prod', body: { spec: { replicas: 5 } } }, merge);
    expect(scaled.metadata?.generation).toBe(3);
  });

  it('applies a JSON Patch (the client default) including a failing test op', async () => {
    await createDeployment();
    const patched = await apps.patchNamespacedDeployment({
      name: 'web',
      namespace: 'prod',
      body: [{ op: 'replace', path: '/spec/replicas', value: 4 }, { op: 'add', path: '/metadata/annotations', value: { a: 'b' } }],
    });
    expect(patched.spec?.replicas).toBe(4);
    expect(patched.metadata?.annotations).toEqual({ a: 'b' });
    const failed = await apiError(() =>
      apps.patchNamespacedDeployment({ name: 'web', namespace: 'prod', body: [{ op: 'test', path: '/spec/replicas', value: 9 }] }),
    );
    expect(failed.code).toBe(422);
    const notAPatch = await apiError(() => apps.patchNamespacedDeployment({ name: 'web', namespace: 'prod', body: { spec: { replicas: 1 } } }));
    expect(notAPatch.code).toBe(400);
  });

  it('applies a merge patch that replaces lists and deletes with null', async () => {
    await createDeployment();
    const patched = await apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: 'prod',
        body: { metadata: { labels: { app: null } }, spec: { template: { spec: { containers: [{ name: 'other', image: 'busybox' }] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.metadata?.labels).toBeUndefined();
    expect(patched.spec?.template.spec?.containers.map((container) => container.name)).toEqual(['other']);
  });

  it('applies a strategic merge patch that merges containers and env by name and honours $patch: delete', async () => {
    await createDeployment();
    const patched = await apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: 'prod',
        body: {
          spec: {
            template: {
              metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } },
              spec: {
                containers: [
                  { name: 'app', image: 'nginx:1.26', env: [{ name: 'EXTRA', value: '1' }, { name: 'MODE', $patch: 'delete' }] },
                  { name: 'sidecar', image: 'envoy' },
                ],
              },
            },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const containers = patched.spec?.template.spec?.containers ?? [];
    expect(containers.map((container) => [container.name, container.image])).toEqual([['app', 'nginx:1.26'], ['sidecar', 'envoy']]);
    expect(containers[0]?.env).toEqual([{ name: 'EXTRA', value: '1' }]);
    expect(patched.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBe('2026-01-01T00:00:00Z');
  });

  it('answers 415 for an unsupported patch content type', async () => {
    await createDeployment();
    const unsupported = await rawRequest(testApi.url, 'PATCH', '/apis/apps/v1/namespaces/prod/deployments/web', '{}', 'text/plain');
    expect(unsupported.status).toBe(415);
    expect(unsupported.body).toMatchObject({ reason: 'UnsupportedMediaType', code: 415 });
  });

  it('server-side applies (apply-patch+yaml), creating and then updating', async () => {
    const manifest = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: applied\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: applied}\n  template:\n    metadata:\n      labels: {app: applied}\n    spec:\n      containers:\n      - name: app\n        image: nginx\n`;
    const created = await rawRequest(testApi.url, 'PATCH', '/apis/apps/v1/namespaces/prod/deployments/applied?fieldManager=test', manifest, 'application/apply-patch+yaml');
    expect(created.status).toBe(201);
    const updated = await rawRequest(testApi.url, 'PATCH', '/apis/apps/v1/namespaces/prod/deployments/applied?fieldManager=test', manifest.replace('replicas: 2', 'replicas: 3'), 'application/apply-patch+yaml');
    expect(updated.body.spec.replicas).toBe(3);
    const noManager = await rawRequest(testApi.url, 'PATCH', '/apis/apps/v1/namespaces/prod/deployments/applied', manifest, 'application/apply-patch+yaml');
    expect(noManager.status).toBe(422);
  });
});

describe('subresources', () => {
  it('reads, replaces and patches /scale, bumping generation, with a resourceVersion precondition', async () => {
    await createDeployment('web', 2);
    const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: 'prod' });
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 2 }, status: { replicas: 0, selector: 'app=web' } });
    const replaced = await apps.replaceNamespacedDeploymentScale({ name: 'web', namespace: 'prod', body: { ...scale, spec: { replicas: 3 } } });
    expect(replaced.spec?.replicas).toBe(3);
    const stale = await apiError(() => apps.replaceNamespacedDeploymentScale({ name: 'web', namespace: 'prod', body: { ...scale, spec: { replicas: 4 } } }));
    expect(stale.status).toMatchObject({ code: 409, reason: 'Conflict' });
    await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: 'prod', body: { spec: { replicas: 6 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const deployment = await apps.readNamespacedDeployment({ name: 'web', namespace: 'prod' });
    expect(deployment.spec?.replicas).toBe(6);
    expect(deployment.metadata?.generation).toBe(3);
    const negative = await apiError(() =>
      apps.patchNamespacedDeploymentScale({ name: 'web', namespace: 'prod', body: { spec: { replicas: -1 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
    );
    expect(negative.status).toMatchObject({ code: 422, message: 'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0' });
  });

  it('writes /status without bumping generation or touching spec, and keeps status on main-resource updates', async () => {
    const created = await createDeployment();
    const withStatus = await apps.replaceNamespacedDeploymentStatus({
      name: 'web',
      namespace: 'prod',
      body: { ...created, spec: { ...created.spec!, replicas: 9 }, status: { replicas: 1, observedGeneration: 1 } },
    });
    expect(withStatus.metadata?.generation).toBe(1);
    expect(withStatus.spec?.replicas).toBe(1);
    expect(withStatus.status?.replicas).toBe(1);
    const updated = await apps.replaceNamespacedDeployment({ name: 'web', namespace: 'prod', body: { ...withStatus, status: { replicas: 7 } } });
    expect(updated.status?.replicas).toBe(1);
  });

  it('serves pods/log as text', async () => {
    await core.createNamespacedPod({ namespace: 'prod', body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'x' }] } } });
    const log = await core.readNamespacedPodLog({ name: 'p', namespace: 'prod' });
    expect(log).toContain('pod p is simulated');
  });
});

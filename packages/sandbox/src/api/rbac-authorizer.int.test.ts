import { execFile, execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { ApiException, AppsV1Api, AuthorizationV1Api, Exec, type V1Deployment } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { deploymentManifest, startTestApi, type TestApi } from '../../test-support/api-test-harness.js';
import { rbacNotConfiguredReason } from './rbac-authorizer.js';

let testApi: TestApi;

afterEach(async () => {
  await testApi.close();
});

/** Gives user `alice` the seed project's deploy role in `prod`: deployments and scale, pods/exec. */
function grantDeployerRole(): void {
  const { store } = testApi;
  store.create('rbac.authorization.k8s.io/roles', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'deployer', namespace: 'prod' },
    rules: [
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'patch'] },
      { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'], resourceNames: ['allowed-pod'] },
    ],
  });
  store.create('rbac.authorization.k8s.io/rolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'deployer', namespace: 'prod' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' },
    subjects: [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }],
  });
}

async function canI(resourceAttributes: Record<string, string>): Promise<{ allowed: boolean; reason?: string }> {
  const authorization = testApi.kubeConfig.makeApiClient(AuthorizationV1Api);
  const review = await authorization.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes } } });
  return { allowed: review.status!.allowed, ...(review.status?.reason ? { reason: review.status.reason } : {}) };
}

describe('SelfSubjectAccessReview', () => {
  it('allows everything, saying so, when the user has no RBAC bindings', async () => {
    testApi = await startTestApi();
    expect(await canI({ verb: 'delete', group: 'apps', resource: 'deployments', namespace: 'prod' })).toEqual({ allowed: true, reason: rbacNotConfiguredReason });
  });

  it('evaluates verbs, subresources, namespaces and resourceNames from Roles and RoleBindings', async () => {
    testApi = await startTestApi();
    grantDeployerRole();
    const allowed = await canI({ verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'prod' });
    expect(allowed.allowed).toBe(true);
    expect(allowed.reason).toBe('RBAC: allowed by RoleBinding "deployer/prod" of Role "deployer" to User "alice"');
    expect((await canI({ verb: 'delete', group: 'apps', resource: 'deployments', namespace: 'prod' })).allowed).toBe(false);
    expect((await canI({ verb: 'patch', group: 'apps', resource: 'deployments', namespace: 'default' })).allowed).toBe(false);
    expect((await canI({ verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace: 'prod', name: 'allowed-pod' })).allowed).toBe(true);
    expect((await canI({ verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace: 'prod', name: 'other' })).allowed).toBe(false);
    expect((await canI({ verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace: 'prod' })).allowed).toBe(false);
  });

  it('honours ClusterRoleBindings, Group subjects and * wildcards', async () => {
    testApi = await startTestApi();
    testApi.store.create('rbac.authorization.k8s.io/clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'scaler' },
      rules: [{ apiGroups: ['*'], resources: ['*/scale'], verbs: ['*'] }],
    });
    testApi.store.create('rbac.authorization.k8s.io/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'everyone-scales' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'scaler' },
      subjects: [{ kind: 'Group', name: 'system:authenticated', apiGroup: 'rbac.authorization.k8s.io' }],
    });
    expect((await canI({ verb: 'update', group: 'apps', resource: 'replicasets', subresource: 'scale', namespace: 'default' })).allowed).toBe(true);
    expect((await canI({ verb: 'update', group: 'apps', resource: 'replicasets', namespace: 'default' })).allowed).toBe(false);
  });
});

describe('enforceRbac', () => {
  it('answers 403 Forbidden with the real message shape, and allows what the role grants', async () => {
    testApi = await startTestApi({ enforceRbac: true });
    grantDeployerRole();
    testApi.store.create('apps/deployments', deploymentManifest('web'));
    const apps = testApi.kubeConfig.makeApiClient(AppsV1Api);
    expect((await apps.readNamespacedDeployment({ name: 'web', namespace: 'prod' })).metadata?.name).toBe('web');
    const denied = await apps
      .deleteNamespacedDeployment({ name: 'web', namespace: 'prod' })
      .then(() => undefined, (error: unknown) => error);
    expect(denied).toBeInstanceOf(ApiException);
    const status = JSON.parse((denied as ApiException<string>).body);
    expect(status).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: 'deployments.apps "web" is forbidden: User "alice" cannot delete resource "deployments" in API group "apps" in the namespace "prod"',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
    });
    const createDenied = await apps
      .createNamespacedDeployment({ namespace: 'prod', body: deploymentManifest('api') as V1Deployment })
      .then(() => undefined, (error: unknown) => error);
    expect(JSON.parse((createDenied as ApiException<string>).body).message).toBe(
      'deployments.apps is forbidden: User "alice" cannot create resource "deployments" in API group "apps" in the namespace "prod"',
    );
  });

  it('checks create on pods/exec before upgrading the WebSocket', async () => {
    testApi = await startTestApi({ enforceRbac: true });
    grantDeployerRole();
    for (const name of ['allowed-pod', 'other-pod']) {
      testApi.store.create('/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'prod' }, spec: { containers: [{ name: 'app', image: 'x' }] } });
    }
    const run = (pod: string) =>
      new Promise<string>((resolve) => {
        new Exec(testApi.kubeConfig)
          .exec('prod', pod, 'app', ['echo', 'ok'], new PassThrough(), new PassThrough(), null, false, (status) => resolve(status.status ?? ''))
          .catch((error: unknown) => resolve(`rejected: ${(error as Error).message}`));
      });
    expect(await run('allowed-pod')).toBe('Success');
    expect(await run('other-pod')).toContain('403');
  });
});

function findKubectl(): string | undefined {
  try {
    return execFileSync('which', ['kubectl'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const kubectlPath = findKubectl();
if (!kubectlPath) console.warn('[autoheal] [sandbox] kubectl not found on PATH: skipping kubectl auth can-i tests');

describe.skipIf(!kubectlPath)('kubectl auth can-i', () => {
  // kubectl does not send bearer tokens to an http:// server, so the user is named with --as.
  it('answers yes and no from the stored RBAC objects for the --as user', async () => {
    testApi = await startTestApi();
    grantDeployerRole();
    const ask = (...args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(kubectlPath ?? 'kubectl', ['--kubeconfig', testApi.kubeconfigPath, '--as=alice', 'auth', 'can-i', ...args], { timeout: 20_000 }, (error, stdout) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: stdout.trim() }),
        );
      });
    expect(await ask('patch', 'deployments/scale', '-n', 'prod')).toEqual({ code: 0, stdout: 'yes' });
    expect(await ask('delete', 'deployments', '-n', 'prod')).toEqual({ code: 1, stdout: 'no' });
    expect(await ask('create', 'pods/exec', '-n', 'prod')).toEqual({ code: 1, stdout: 'no' });
    expect(await ask('create', 'pods/allowed-pod', '--subresource=exec', '-n', 'prod')).toEqual({ code: 0, stdout: 'yes' });
  });
});

/** `reviewAccess` against the sandbox's SelfSubjectAccessReview, with and without RBAC objects. */
import { KubeConfig } from '@kubernetes/client-node';
import { startSandbox, type Sandbox } from '@autoheal/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { reviewAccess } from './access-review.js';

let sandbox: Sandbox;

afterEach(async () => {
  await sandbox?.close();
});

function kubeConfigOf(running: Sandbox): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(running.kubeconfigPath);
  return kubeConfig;
}

describe('reviewAccess', () => {
  it('answers from the Roles bound to the kubeconfig user: allowed with the role, denied without', async () => {
    sandbox = await startSandbox({ time: 'virtual', token: 'oncall:x', deployments: [] });
    sandbox.store.create('rbac.authorization.k8s.io/roles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'autoheal', namespace: 'prod' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
    });
    sandbox.store.create('rbac.authorization.k8s.io/rolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'autoheal', namespace: 'prod' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'autoheal' },
      subjects: [{ kind: 'User', name: 'oncall', apiGroup: 'rbac.authorization.k8s.io' }],
    });
    const kubeConfig = kubeConfigOf(sandbox);

    const list = await reviewAccess(kubeConfig, { verb: 'list', group: '', resource: 'pods', namespace: 'prod' });
    const exec = await reviewAccess(kubeConfig, { verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace: 'prod' });

    expect(list.allowed).toBe(true);
    expect(exec.allowed).toBe(false);
  });

  it('names the API server in the error when it cannot be reached', async () => {
    sandbox = await startSandbox({ time: 'virtual', deployments: [] });
    const kubeConfig = kubeConfigOf(sandbox);
    await sandbox.close();

    await expect(reviewAccess(kubeConfig, { verb: 'get', group: 'apps', resource: 'deployments', namespace: 'prod' }, { timeoutMs: 2000 })).rejects.toThrow(/\[autoheal\] \[kubernetes\]/);
  });
});

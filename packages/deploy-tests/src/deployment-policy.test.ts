import { describe, expect, it } from 'vitest';
import { checkDeploymentPolicy } from './deployment-policy.js';
import type { KubeObject } from './kustomize-loader.js';

/** A container that satisfies the policy; each negative test breaks one thing. */
function hardenedDeployment(change: (container: any, pod: any) => void = () => {}): KubeObject {
  const container: any = {
    name: 'app',
    image: 'example/app:1',
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
  };
  const pod: any = { securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } }, containers: [container] };
  change(container, pod);
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: 'prod' }, spec: { template: { spec: pod } } };
}

function role(rules: unknown[], name = 'app', kind: 'Role' | 'ClusterRole' = 'Role'): KubeObject {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: kind === 'Role' ? { name, namespace: 'prod' } : { name }, rules };
}

function clusterRoleBinding(roleName: string): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: roleName },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: [{ kind: 'ServiceAccount', name: 'autoheal', namespace: 'autoheal' }],
  };
}

describe('deployment policy', () => {
  it('accepts a hardened container and a narrow Role', () => {
    expect(checkDeploymentPolicy([hardenedDeployment(), role([{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] }])])).toEqual([]);
  });

  it.each([
    ['verbs', { apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'] }],
    ['resources', { apiGroups: ['apps'], resources: ['*'], verbs: ['get'] }],
    ['apiGroups', { apiGroups: ['*'], resources: ['deployments'], verbs: ['get'] }],
  ])('rejects a wildcard in %s', (field, rule) => {
    expect(checkDeploymentPolicy([role([rule])])).toEqual([`Role prod/app: wildcard in ${field} (*)`]);
  });

  it('rejects a ClusterRole with write verbs bound cluster-wide', () => {
    const objects = [role([{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] }], 'healer', 'ClusterRole'), clusterRoleBinding('healer')];
    expect(checkDeploymentPolicy(objects)).toEqual(['ClusterRoleBinding healer: grants cluster-wide write (patch) through ClusterRole healer']);
  });

  it('accepts a read-only ClusterRole bound cluster-wide', () => {
    const objects = [role([{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] }], 'reader', 'ClusterRole'), clusterRoleBinding('reader')];
    expect(checkDeploymentPolicy(objects)).toEqual([]);
  });

  it('rejects a ClusterRoleBinding to a role it cannot see', () => {
    expect(checkDeploymentPolicy([clusterRoleBinding('cluster-admin')])).toEqual([
      'ClusterRoleBinding cluster-admin: binds ClusterRole cluster-admin cluster-wide, which is not in the manifests (cannot be checked)',
    ]);
  });

  it('rejects pods/exec outside the cache-clear Role, and accepts it there', () => {
    const exec = [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }];
    expect(checkDeploymentPolicy([role(exec, 'autoheal-healer')])).toEqual(['Role prod/autoheal-healer: grants pods/exec outside components/cache-clear']);
    expect(checkDeploymentPolicy([role(exec, 'autoheal-cache-clear')])).toEqual([]);
  });

  it.each([
    ['runAsNonRoot is not true', (_c: any, pod: any) => delete pod.securityContext.runAsNonRoot],
    ['no fixed non-root runAsUser', (_c: any, pod: any) => (pod.securityContext.runAsUser = 0)],
    ['readOnlyRootFilesystem is not true', (c: any) => (c.securityContext.readOnlyRootFilesystem = false)],
    ['allowPrivilegeEscalation is not false', (c: any) => delete c.securityContext.allowPrivilegeEscalation],
    ['seccompProfile is not RuntimeDefault', (_c: any, pod: any) => (pod.securityContext.seccompProfile = { type: 'Unconfined' })],
    ['capabilities do not drop ALL', (c: any) => (c.securityContext.capabilities = { drop: ['NET_RAW'] })],
    ['no limits.memory', (c: any) => delete c.resources.limits.memory],
    ['no requests.cpu', (c: any) => delete c.resources.requests.cpu],
  ])('rejects a container when %s', (message, change) => {
    expect(checkDeploymentPolicy([hardenedDeployment(change)])).toEqual([`Deployment prod/app container app: ${message}`]);
  });

  it("lets a container's own securityContext override the pod's (root container in a non-root pod is caught)", () => {
    const objects = [hardenedDeployment((c) => Object.assign(c.securityContext, { runAsNonRoot: false }))];
    expect(checkDeploymentPolicy(objects)).toEqual(['Deployment prod/app container app: runAsNonRoot is not true']);
  });

  it('checks init containers too', () => {
    const objects = [hardenedDeployment((_c, pod) => (pod.initContainers = [{ name: 'init', image: 'busybox', resources: pod.containers[0].resources }]))];
    expect(checkDeploymentPolicy(objects)).toEqual([
      'Deployment prod/app container init: readOnlyRootFilesystem is not true',
      'Deployment prod/app container init: allowPrivilegeEscalation is not false',
      'Deployment prod/app container init: capabilities do not drop ALL',
    ]);
  });
});

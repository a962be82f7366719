/**
 * The deployment policy for manifests/: least-privilege RBAC and hardened containers. Returns one
 * message per violation (empty when the objects comply), so a test can show all of them at once.
 */
import type { KubeObject } from './kustomize-loader.js';

type PolicyRule = { apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; verbs?: string[] };
type SecurityContext = {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  seccompProfile?: { type?: string };
  capabilities?: { drop?: string[]; add?: string[] };
};
type Container = {
  name: string;
  securityContext?: SecurityContext;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
};
type PodSpec = { securityContext?: SecurityContext; containers?: Container[]; initContainers?: Container[] };

/** Verbs that change something. */
export const writeVerbs = ['create', 'update', 'patch', 'delete', 'deletecollection', 'escalate', 'bind', 'impersonate'];

/** The only Role allowed to grant pods/exec: the one components/cache-clear adds. */
export const cacheClearRoleName = 'autoheal-cache-clear';

export type PolicyOptions = {
  /** Role names (besides the cache-clear one) allowed to hold pods/exec, e.g. the CI identity's. */
  execAllowedIn?: string[];
};

const name = (object: KubeObject) => `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;

function rulesOf(object: KubeObject): PolicyRule[] {
  return (object.rules as PolicyRule[] | undefined) ?? [];
}

function checkRbac(objects: KubeObject[], options: PolicyOptions): string[] {
  const violations: string[] = [];
  const roles = objects.filter((object) => object.kind === 'Role' || object.kind === 'ClusterRole');
  for (const role of roles) {
    for (const rule of rulesOf(role)) {
      for (const field of ['apiGroups', 'resources', 'resourceNames', 'verbs'] as const) {
        if (rule[field]?.some((entry) => entry.includes('*'))) violations.push(`${name(role)}: wildcard in ${field} (${rule[field]!.join(', ')})`);
      }
      const grantsExec = rule.resources?.includes('pods/exec') && (rule.apiGroups ?? []).includes('');
      const execAllowed = role.metadata.name === cacheClearRoleName || (options.execAllowedIn ?? []).includes(role.metadata.name);
      if (grantsExec && !execAllowed) violations.push(`${name(role)}: grants pods/exec outside components/cache-clear`);
    }
  }
  for (const binding of objects.filter((object) => object.kind === 'ClusterRoleBinding')) {
    const roleRef = binding.roleRef as { kind: string; name: string };
    const role = roles.find((candidate) => candidate.kind === roleRef.kind && candidate.metadata.name === roleRef.name);
    if (!role) {
      violations.push(`${name(binding)}: binds ${roleRef.kind} ${roleRef.name} cluster-wide, which is not in the manifests (cannot be checked)`);
      continue;
    }
    const writes = rulesOf(role).flatMap((rule) => (rule.verbs ?? []).filter((verb) => writeVerbs.includes(verb)));
    if (writes.length > 0) violations.push(`${name(binding)}: grants cluster-wide write (${[...new Set(writes)].join(', ')}) through ${name(role)}`);
  }
  return violations;
}

function podSpecOf(object: KubeObject): PodSpec | undefined {
  const spec = object.spec as { template?: { spec?: PodSpec }; jobTemplate?: { spec?: { template?: { spec?: PodSpec } } } } | undefined;
  if (object.kind === 'Pod') return object.spec as PodSpec;
  if (object.kind === 'CronJob') return spec?.jobTemplate?.spec?.template?.spec;
  return spec?.template?.spec;
}

function checkContainers(objects: KubeObject[]): string[] {
  const violations: string[] = [];
  for (const object of objects) {
    const pod = podSpecOf(object);
    if (!pod) continue;
    for (const container of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
      const where = `${name(object)} container ${container.name}`;
      const own = container.securityContext ?? {};
      const podLevel = pod.securityContext ?? {};
      // A container's own setting wins over the pod's, as in Kubernetes.
      const runAsNonRoot = own.runAsNonRoot ?? podLevel.runAsNonRoot;
      const runAsUser = own.runAsUser ?? podLevel.runAsUser;
      const seccomp = own.seccompProfile?.type ?? podLevel.seccompProfile?.type;
      if (runAsNonRoot !== true) violations.push(`${where}: runAsNonRoot is not true`);
      if (runAsUser === undefined || runAsUser === 0) violations.push(`${where}: no fixed non-root runAsUser`);
      if (own.readOnlyRootFilesystem !== true) violations.push(`${where}: readOnlyRootFilesystem is not true`);
      if (own.allowPrivilegeEscalation !== false) violations.push(`${where}: allowPrivilegeEscalation is not false`);
      if (own.privileged === true) violations.push(`${where}: privileged`);
      if (seccomp !== 'RuntimeDefault') violations.push(`${where}: seccompProfile is not RuntimeDefault`);
      if (!own.capabilities?.drop?.includes('ALL')) violations.push(`${where}: capabilities do not drop ALL`);
      if ((own.capabilities?.add ?? []).length > 0) violations.push(`${where}: adds capabilities`);
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory']) {
          if (container.resources?.[kind]?.[resource] === undefined) violations.push(`${where}: no ${kind}.${resource}`);
        }
      }
    }
  }
  return violations;
}

/** Every violation of the policy in `objects`. */
export function checkDeploymentPolicy(objects: KubeObject[], options: PolicyOptions = {}): string[] {
  return [...checkRbac(objects, options), ...checkContainers(objects)];
}

/**
 * RBAC evaluation over the stored Roles, ClusterRoles and their bindings, following the rules of
 * the real RBAC authorizer: a request is allowed when any rule of any role bound to the user (or
 * one of the user's groups) matches its verb, API group, resource (with `resource/subresource`),
 * resource name and, for RoleBindings, namespace; `*` matches everything in its field.
 *
 * Sandbox rule: when no binding in the store names the user or one of its groups, RBAC is treated
 * as not configured for that user and everything is allowed (with a reason saying so).
 */
import type { KubeObject } from '../base/kube-types.js';
import type { ObjectStore } from '../store/types.js';

/** What is being asked, as in `SubjectAccessReview.spec.resourceAttributes`. */
export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
  /** Empty or absent for cluster-scoped requests. */
  namespace?: string;
}

/** A request outside the resource API (`/healthz`, `/version`). */
export interface NonResourceAttributes {
  verb: string;
  path: string;
}

/** The answer of an authorization check. */
export interface AuthorizationDecision {
  allowed: boolean;
  reason: string;
}

/** Why the sandbox allowed a request for a user without RBAC bindings. */
export const rbacNotConfiguredReason = 'sandbox: RBAC not configured, allowing everything';

interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

/** The groups the sandbox gives a user: every token holder is authenticated. */
export function groupsOf(user: string): string[] {
  return user === 'system:anonymous' ? ['system:unauthenticated'] : ['system:authenticated'];
}

function subjectMatches(subject: Subject, user: string, groups: string[], bindingNamespace: string | undefined): boolean {
  switch (subject.kind) {
    case 'User':
      return subject.name === user;
    case 'Group':
      return subject.name !== undefined && groups.includes(subject.name);
    case 'ServiceAccount':
      return user === `system:serviceaccount:${subject.namespace ?? bindingNamespace ?? ''}:${subject.name ?? ''}`;
    default:
      return false;
  }
}

function includesOrStar(list: string[] | undefined, value: string): boolean {
  return (list ?? []).some((item) => item === '*' || item === value);
}

function resourceMatches(rule: PolicyRule, resource: string, subresource: string | undefined): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some(
    (ruleResource) =>
      ruleResource === '*' ||
      ruleResource === combined ||
      // `*/scale` grants the scale subresource of every resource.
      (subresource !== undefined && ruleResource === `*/${subresource}`),
  );
}

function ruleAllowsResource(rule: PolicyRule, attributes: ResourceAttributes): boolean {
  if (!includesOrStar(rule.verbs, attributes.verb)) return false;
  if (!includesOrStar(rule.apiGroups, attributes.group)) return false;
  if (!resourceMatches(rule, attributes.resource, attributes.subresource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (attributes.name !== undefined && names.includes(attributes.name));
}

function ruleAllowsNonResource(rule: PolicyRule, attributes: NonResourceAttributes): boolean {
  if (!includesOrStar(rule.verbs, attributes.verb)) return false;
  return (rule.nonResourceURLs ?? []).some(
    (url) => url === '*' || url === attributes.path || (url.endsWith('*') && attributes.path.startsWith(url.slice(0, -1))),
  );
}

interface Binding {
  binding: KubeObject;
  /** Namespace the binding grants in; undefined for ClusterRoleBindings (everywhere). */
  namespace: string | undefined;
}

function userBindings(store: ObjectStore, user: string, groups: string[]): Binding[] {
  const bindings: Binding[] = [];
  const clusterBindings = store.list('rbac.authorization.k8s.io/clusterrolebindings').items;
  const namespacedBindings = store.list('rbac.authorization.k8s.io/rolebindings').items;
  for (const binding of clusterBindings) {
    if (((binding.subjects ?? []) as Subject[]).some((subject) => subjectMatches(subject, user, groups, undefined))) {
      bindings.push({ binding, namespace: undefined });
    }
  }
  for (const binding of namespacedBindings) {
    const namespace = binding.metadata.namespace;
    if (((binding.subjects ?? []) as Subject[]).some((subject) => subjectMatches(subject, user, groups, namespace))) {
      bindings.push({ binding, namespace });
    }
  }
  return bindings;
}

function rulesOf(store: ObjectStore, binding: Binding): PolicyRule[] {
  const roleRef = (binding.binding.roleRef ?? {}) as { kind?: string; name?: string };
  const role =
    roleRef.kind === 'Role'
      ? store.get('rbac.authorization.k8s.io/roles', binding.namespace, roleRef.name ?? '')
      : store.get('rbac.authorization.k8s.io/clusterroles', undefined, roleRef.name ?? '');
  return ((role?.rules ?? []) as PolicyRule[]);
}

function describeBinding(binding: Binding, user: string): string {
  const roleRef = (binding.binding.roleRef ?? {}) as { kind?: string; name?: string };
  const where = binding.namespace ? `RoleBinding "${binding.binding.metadata.name}/${binding.namespace}"` : `ClusterRoleBinding "${binding.binding.metadata.name}"`;
  return `RBAC: allowed by ${where} of ${roleRef.kind ?? 'ClusterRole'} "${roleRef.name ?? ''}" to User "${user}"`;
}

/**
 * Decides whether `user` may do what `attributes` describe, from the RBAC objects in `store`.
 */
export function authorize(
  store: ObjectStore,
  user: string,
  attributes: ({ kind: 'resource' } & ResourceAttributes) | ({ kind: 'nonResource' } & NonResourceAttributes),
): AuthorizationDecision {
  const groups = groupsOf(user);
  const bindings = userBindings(store, user, groups);
  if (bindings.length === 0) return { allowed: true, reason: rbacNotConfiguredReason };
  for (const binding of bindings) {
    // A RoleBinding grants only inside its own namespace.
    if (attributes.kind === 'resource' && binding.namespace !== undefined && binding.namespace !== attributes.namespace) continue;
    for (const rule of rulesOf(store, binding)) {
      const allowed =
        attributes.kind === 'resource'
          ? ruleAllowsResource(rule, attributes)
          : binding.namespace === undefined && ruleAllowsNonResource(rule, attributes);
      if (allowed) return { allowed: true, reason: describeBinding(binding, user) };
    }
  }
  return { allowed: false, reason: '' };
}

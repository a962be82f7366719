/**
 * The resources the sandbox API serves: one table drives URL routing, discovery documents and
 * error wording, so adding a resource is one entry here.
 */
import type { KubeObject, ResourceKey } from '../base/kube-types.js';
import { hpaV1ToV2, hpaV2ToV1 } from './hpa-conversion.js';

/** A subresource beyond the object itself. */
export type SubresourceName = 'status' | 'scale' | 'log' | 'exec' | 'proxy';

/** Everything the server needs to know about one REST resource. */
export interface ResourceDefinition {
  /** API group; `''` for core/v1. */
  group: string;
  version: string;
  /** Plural lower-case name used in URLs and the store key. */
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  subresources: SubresourceName[];
  /** The `ResourceKey` under which the store keeps these objects. */
  key: ResourceKey;
  /** For a version that is not the stored one: conversions between this version and storage. */
  conversion?: { fromStorage(object: KubeObject): KubeObject; toStorage(object: KubeObject): KubeObject };
}

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function define(
  group: string,
  version: string,
  plural: string,
  kind: string,
  namespaced: boolean,
  extra: { shortNames?: string[]; categories?: string[]; subresources?: SubresourceName[]; verbs?: string[] } = {},
): ResourceDefinition {
  return {
    group,
    version,
    plural,
    singular: kind.toLowerCase(),
    kind,
    namespaced,
    verbs: extra.verbs ?? allVerbs,
    subresources: extra.subresources ?? [],
    key: `${group}/${plural}`,
    ...(extra.shortNames ? { shortNames: extra.shortNames } : {}),
    ...(extra.categories ? { categories: extra.categories } : {}),
  };
}

/** Every served resource. */
export const resourceDefinitions: ResourceDefinition[] = [
  define('', 'v1', 'namespaces', 'Namespace', false, { shortNames: ['ns'], subresources: ['status'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }),
  define('', 'v1', 'pods', 'Pod', true, { shortNames: ['po'], categories: ['all'], subresources: ['status', 'log', 'exec'] }),
  define('', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  define('', 'v1', 'services', 'Service', true, { shortNames: ['svc'], categories: ['all'], subresources: ['status', 'proxy'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] }),
  define('', 'v1', 'endpoints', 'Endpoints', true, { shortNames: ['ep'] }),
  define('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  define('apps', 'v1', 'deployments', 'Deployment', true, { shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] }),
  define('apps', 'v1', 'replicasets', 'ReplicaSet', true, { shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'] }),
  define('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  define('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, { shortNames: ['hpa'], categories: ['all'], subresources: ['status'] }),
  // `kubectl autoscale` still creates autoscaling/v1 HPAs; they are stored as v2.
  {
    ...define('autoscaling', 'v1', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, { shortNames: ['hpa'], categories: ['all'], subresources: ['status'] }),
    conversion: { fromStorage: hpaV2ToV1, toStorage: hpaV1ToV2 },
  },
  define('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  define('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  define('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  define('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  define('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, { verbs: ['create'] }),
];

/** `apps/v1`, or `v1` for the core group. */
export function groupVersionOf(definition: Pick<ResourceDefinition, 'group' | 'version'>): string {
  return definition.group ? `${definition.group}/${definition.version}` : definition.version;
}

/** Finds the resource served at `group`/`version` under `plural`. */
export function findResource(group: string, version: string, plural: string): ResourceDefinition | undefined {
  return resourceDefinitions.find(
    (definition) => definition.group === group && definition.version === version && definition.plural === plural,
  );
}

/** Finds a resource by its store key (`apps/deployments`). */
export function findResourceByKey(key: ResourceKey): ResourceDefinition | undefined {
  return resourceDefinitions.find((definition) => definition.key === key);
}

/** The group/versions served, in discovery order (core first). */
export function servedGroupVersions(): Array<{ group: string; version: string }> {
  const seen = new Map<string, { group: string; version: string }>();
  for (const definition of resourceDefinitions) {
    seen.set(groupVersionOf(definition), { group: definition.group, version: definition.version });
  }
  return [...seen.values()];
}

/** A request path resolved against the resource table. */
export interface ResourceRequest {
  definition: ResourceDefinition;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  /** The rest of the path after a `proxy` subresource (with a leading `/`), if any. */
  subpath: string | undefined;
}

/**
 * Resolves `/api/v1/...` or `/apis/{group}/{version}/...` to a resource. Returns `undefined` for
 * paths that are not resource paths (discovery, unknown groups); an unknown resource in a served
 * group/version gives `{ unknownResource }` so the caller can answer 404.
 */
export function parseResourcePath(pathname: string): ResourceRequest | { unknownResource: string } | undefined {
  const rawSegments = pathname.split('/').filter((segment) => segment !== '');
  let segments: string[];
  try {
    segments = rawSegments.map(decodeURIComponent);
  } catch {
    return undefined;
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    group = '';
    version = segments[1] ?? '';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1] ?? '';
    version = segments[2] ?? '';
    rest = segments.slice(3);
  } else {
    return undefined;
  }
  if (!servedGroupVersions().some((served) => served.group === group && served.version === version)) return undefined;

  let namespace: string | undefined;
  // `/namespaces/{ns}/{resource}...` is a namespaced path unless it is the namespace object itself
  // (`/api/v1/namespaces/{name}` or `/api/v1/namespaces/{name}/status`).
  const namespacedTarget = rest.length >= 3 ? findResource(group, version, rest[2] ?? '') : undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && namespacedTarget?.namespaced) {
    namespace = rest[1];
    rest = rest.slice(2);
  } else if (rest[0] === 'namespaces' && rest.length >= 3 && group !== '') {
    return { unknownResource: rest[2] ?? '' };
  }
  const plural = rest[0] ?? '';
  const definition = findResource(group, version, plural);
  if (!definition) return { unknownResource: plural };
  const subresource = rest[2];
  // The proxied path stays exactly as sent (still percent-encoded, trailing slash kept).
  const subpath =
    subresource === 'proxy'
      ? `/${rawSegments.slice(rawSegments.length - (rest.length - 3)).join('/')}${rest.length > 3 && pathname.endsWith('/') ? '/' : ''}`
      : undefined;
  if (subresource !== 'proxy' && rest.length > 3) return { unknownResource: rest.join('/') };
  return { definition, namespace, name: rest[1], subresource, subpath };
}

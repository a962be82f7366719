/**
 * Discovery documents (`/version`, `/api`, `/apis`, `/api/v1`, `/apis/{group}/{version}`), built from
 * the resource table. These are the legacy (unaggregated) documents; clients that ask for
 * aggregated discovery fall back to them when the reply is plain `application/json`.
 */
import { groupVersionOf, resourceDefinitions, servedGroupVersions } from './resource-registry.js';

/** The Kubernetes version the sandbox claims to be (kubectl warns on a skew of more than one minor). */
export const sandboxKubernetesVersion = { major: '1', minor: '32', gitVersion: 'v1.32.0-autoheal-sandbox' };

/** `GET /version`. */
export function versionInfo(): Record<string, string> {
  return {
    major: sandboxKubernetesVersion.major,
    minor: sandboxKubernetesVersion.minor,
    gitVersion: sandboxKubernetesVersion.gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** `GET /api`. */
export function coreApiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(group: string): Record<string, unknown> {
  const versions = servedGroupVersions()
    .filter((served) => served.group === group)
    .map((served) => ({ groupVersion: groupVersionOf(served), version: served.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

/** `GET /apis`. */
export function apiGroupList(): Record<string, unknown> {
  const groups = [...new Set(servedGroupVersions().map((served) => served.group).filter((group) => group !== ''))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(apiGroup) };
}

/** `GET /apis/{group}`, or `undefined` when the group is not served. */
export function apiGroupDocument(group: string): Record<string, unknown> | undefined {
  if (!servedGroupVersions().some((served) => served.group === group && group !== '')) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) };
}

/** `GET /api/v1` or `/apis/{group}/{version}`, or `undefined` when not served. */
export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const definitions = resourceDefinitions.filter((definition) => definition.group === group && definition.version === version);
  if (definitions.length === 0) return undefined;
  const resources: Array<Record<string, unknown>> = [];
  for (const definition of definitions) {
    resources.push({
      name: definition.plural,
      singularName: definition.singular,
      namespaced: definition.namespaced,
      kind: definition.kind,
      verbs: definition.verbs,
      ...(definition.shortNames ? { shortNames: definition.shortNames } : {}),
      ...(definition.categories ? { categories: definition.categories } : {}),
    });
    for (const subresource of definition.subresources) {
      const base = { name: `${definition.plural}/${subresource}`, singularName: '', namespaced: definition.namespaced };
      switch (subresource) {
        case 'status':
          resources.push({ ...base, kind: definition.kind, verbs: ['get', 'patch', 'update'] });
          break;
        case 'scale':
          resources.push({ ...base, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
          break;
        case 'log':
          resources.push({ ...base, kind: 'Pod', verbs: ['get'] });
          break;
        case 'exec':
          resources.push({ ...base, kind: 'PodExecOptions', verbs: ['create', 'get'] });
          break;
        case 'proxy':
          resources.push({ ...base, kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] });
          break;
      }
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

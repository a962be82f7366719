/**
 * A minimal OpenAPI v3 surface (`/openapi/v3` and `/openapi/v3/{api|apis/group}/{version}`). It holds
 * no schemas: only each resource's PATCH operation with its GroupVersionKind and query parameters,
 * which is what kubectl checks to learn that the server validates fields itself. With it,
 * `kubectl apply` validates by sending `fieldValidation=Strict` instead of downloading schemas, so
 * `--validate=false` is not needed. (`kubectl explain` still has nothing to show.)
 */
import { resourceDefinitions, servedGroupVersions } from './resource-registry.js';

/** The path of a group/version's document, relative to `/openapi/v3/`: `api/v1`, `apis/apps/v1`. */
function documentPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** A stable, content-derived hash, as the real index carries (clients only pass it back). */
function hashOf(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).toUpperCase().padStart(8, '0');
}

/** `GET /openapi/v3`: the index of group/version documents. */
export function openApiIndex(): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const { group, version } of servedGroupVersions()) {
    const path = documentPath(group, version);
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hashOf(JSON.stringify(openApiGroupVersion(group, version)))}` };
  }
  return { paths };
}

const queryParameters = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'].map((name) => ({
  name,
  in: 'query',
  schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
}));

/** `GET /openapi/v3/{path}` for one group/version, or undefined when not served. */
export function openApiGroupVersion(group: string, version: string): Record<string, unknown> | undefined {
  const definitions = resourceDefinitions.filter((definition) => definition.group === group && definition.version === version);
  if (definitions.length === 0) return undefined;
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const paths: Record<string, unknown> = {};
  for (const definition of definitions) {
    if (!definition.verbs.includes('patch')) continue;
    const scope = definition.namespaced ? '/namespaces/{namespace}' : '';
    paths[`${prefix}${scope}/${definition.plural}/{name}`] = {
      patch: {
        operationId: `patch${definition.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group, version, kind: definition.kind },
        parameters: queryParameters,
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes (autoheal sandbox)', version: 'v1.32.0' },
    paths,
    components: { schemas: {} },
  };
}

/** Resolves `/openapi/v3...` request paths; undefined when the path is not an OpenAPI document. */
export function openApiDocumentFor(pathname: string): Record<string, unknown> | undefined {
  if (pathname === '/openapi/v3') return openApiIndex();
  const match = /^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(pathname);
  if (!match) return undefined;
  return match[1] ? openApiGroupVersion('', match[1]) : openApiGroupVersion(match[2] ?? '', match[3] ?? '');
}


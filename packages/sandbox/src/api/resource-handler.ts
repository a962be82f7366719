/**
 * The REST verbs on stored resources: get, list, watch, create, update, patch, delete and
 * deletecollection (subresources are in `subresources.ts`), and SelfSubjectAccessReviews. Each
 * verb runs the API strategy (defaults, validation, generation) and honours `?dryRun=All`.
 */
import type http from 'node:http';
import type { KubeObject } from '../base/kube-types.js';
import { StatusError, badRequest, conflict, invalid, methodNotAllowed, notFound } from '../base/status-error.js';
import { formatTime, randomNameSuffix } from '../store/object-store.js';
import type { DeleteOptions, ObjectStore } from '../store/types.js';
import { applyDefaults, prepareForCreate, prepareForUpdate, validateObject } from './api-strategy.js';
import { authorize, type ResourceAttributes } from './rbac-authorizer.js';
import { decodePatchBody, decodeRequestObject, mediaTypeOf, patchTypeOf, readBody } from './request-body.js';
import { requestUser } from './request-user.js';
import {
  type ResourceCall,
  type ResourceHandlerDependencies,
  checkUnknownFields,
  getStored,
  isDryRun,
  patchedObject,
  requireNamespaceExists,
  sendJson,
  toKubeObject,
} from './resource-call.js';
import { groupVersionOf, type ResourceDefinition } from './resource-registry.js';
import { handleSubresource } from './subresources.js';
import { toTable, wantsTable } from './table-output.js';
import { serveWatch } from './watch-stream.js';

/**
 * Serves one request for a stored resource. Throws `StatusError`s for the server to render.
 */
export async function handleResourceCall(
  dependencies: ResourceHandlerDependencies,
  call: ResourceCall,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const { store } = dependencies;
  const { definition, namespace, name, subresource } = call;
  const method = request.method ?? 'GET';
  const warnings: string[] = [];
  const asTable = wantsTable(request.headers.accept);
  /** The object as this API version shows it (stored objects are in the storage version). */
  const view = (object: KubeObject): KubeObject => (definition.conversion ? definition.conversion.fromStorage(object) : object);
  const includeObject = query.get('includeObject');

  if (definition.key === 'authorization.k8s.io/selfsubjectaccessreviews') {
    if (name !== undefined || method !== 'POST') throw methodNotAllowed(definition.plural, definition.group, method.toLowerCase());
    const body = await decodeRequestObject(request, definition.kind);
    sendJson(response, 201, reviewAccess(store, requestUser(request), toKubeObject(call, { metadata: {}, ...body })));
    return;
  }

  if (name === undefined) {
    if (method === 'GET') {
      const watchFlag = query.get('watch');
      if (watchFlag === 'true' || watchFlag === '1') {
        const timeout = query.get('timeoutSeconds');
        const end = serveWatch(
          store,
          {
            definition,
            namespace,
            resourceVersion: query.get('resourceVersion') ?? undefined,
            labelSelector: query.get('labelSelector') ?? undefined,
            fieldSelector: query.get('fieldSelector') ?? undefined,
            timeoutSeconds: timeout === null ? undefined : Number(timeout),
            ...(asTable
              ? { present: (object: KubeObject) => toTable(definition.kind, [view(object)], { now: dependencies.clock.now(), includeObject }) }
              : { present: view }),
          },
          request,
          response,
        );
        const untrack = dependencies.trackWatch(end, response);
        response.on('close', untrack);
        return;
      }
      const list = store.list(definition.key, namespace, {
        labelSelector: query.get('labelSelector') ?? undefined,
        fieldSelector: query.get('fieldSelector') ?? undefined,
      });
      if (asTable) {
        sendJson(response, 200, toTable(definition.kind, list.items.map(view), { now: dependencies.clock.now(), resourceVersion: list.resourceVersion, includeObject }));
        return;
      }
      sendJson(response, 200, {
        kind: `${definition.kind}List`,
        apiVersion: groupVersionOf(definition),
        metadata: { resourceVersion: list.resourceVersion },
        items: list.items.map(view),
      });
      return;
    }
    if (method === 'POST') {
      if (definition.namespaced && namespace === undefined) throw methodNotAllowed(definition.plural, definition.group, 'create');
      const dryRun = isDryRun(query);
      const body = await decodeRequestObject(request, definition.kind);
      checkUnknownFields(definition, body, query, warnings);
      const object = toKubeObject(call, body);
      requireNamespaceExists(store, call);
      const created = createObject(dependencies, definition, object, dryRun);
      sendJson(response, 201, view(created), warnings);
      return;
    }
    if (method === 'DELETE' && definition.verbs.includes('deletecollection')) {
      const dryRun = isDryRun(query);
      const list = store.list(definition.key, namespace, {
        labelSelector: query.get('labelSelector') ?? undefined,
        fieldSelector: query.get('fieldSelector') ?? undefined,
      });
      const deleted = dryRun
        ? list.items
        : list.items.map((item) => store.delete(definition.key, item.metadata.namespace, item.metadata.name));
      sendJson(response, 200, {
        kind: `${definition.kind}List`,
        apiVersion: groupVersionOf(definition),
        metadata: { resourceVersion: store.currentResourceVersion() },
        items: deleted.map(view),
      });
      return;
    }
    throw methodNotAllowed(definition.plural, definition.group, method.toLowerCase());
  }

  if (definition.namespaced && namespace === undefined) {
    throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', { causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }] });
  }

  if (subresource === undefined) {
    switch (method) {
      case 'GET': {
        const stored = getStored(store, call, name);
        sendJson(response, 200, asTable ? toTable(definition.kind, [view(stored)], { now: dependencies.clock.now(), includeObject }) : view(stored));
        return;
      }
      case 'PUT': {
        const dryRun = isDryRun(query);
        const body = await decodeRequestObject(request, definition.kind);
        checkUnknownFields(definition, body, query, warnings);
        const object = toKubeObject(call, body);
        if (object.metadata.name !== name) {
          throw badRequest(`the name of the object (${String(object.metadata.name)}) does not match the name on the URL (${name})`);
        }
        const stored = getStored(store, call, name);
        sendJson(response, 200, view(updateObject(dependencies, definition, object, stored, dryRun)), warnings);
        return;
      }
      case 'PATCH': {
        const dryRun = isDryRun(query);
        const patchType = patchTypeOf(mediaTypeOf(request));
        const patch = decodePatchBody(await readBody(request), patchType);
        const stored = store.get(definition.key, namespace, name);
        if (!stored) {
          if (patchType !== 'apply') throw notFound(definition.plural, definition.group, name);
          // Server-side apply creates what does not exist yet.
          if (!query.get('fieldManager')) {
            throw invalid('PatchOptions', 'meta.k8s.io', '', [{ field: 'fieldManager', reason: 'FieldValueRequired', message: 'Required value: is required for apply patch' }]);
          }
          if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badRequest('apply patch must be an object');
          checkUnknownFields(definition, patch as Record<string, unknown>, query, warnings);
          const object = toKubeObject(call, patch as Record<string, unknown>);
          object.metadata.name = name;
          requireNamespaceExists(store, call);
          sendJson(response, 201, view(createObject(dependencies, definition, object, dryRun)), warnings);
          return;
        }
        if (patchType === 'apply' && !query.get('fieldManager')) {
          throw invalid('PatchOptions', 'meta.k8s.io', '', [{ field: 'fieldManager', reason: 'FieldValueRequired', message: 'Required value: is required for apply patch' }]);
        }
        const patched = patchedObject(call, stored, patchType, patch);
        checkUnknownFields(definition, patched as Record<string, unknown>, query, warnings);
        sendJson(response, 200, view(updateObject(dependencies, definition, patched, stored, dryRun)), warnings);
        return;
      }
      case 'DELETE': {
        const dryRun = isDryRun(query);
        const text = await readBody(request);
        const options = deleteOptionsOf(text, query);
        const stored = getStored(store, call, name);
        if (dryRun) {
          sendJson(response, 200, view(stored));
          return;
        }
        sendJson(response, 200, view(store.delete(definition.key, namespace, name, options)));
        return;
      }
      default:
        throw methodNotAllowed(definition.plural, definition.group, method.toLowerCase());
    }
  }

  await handleSubresource(dependencies, call, name, request, response, query, view);
}

function deleteOptionsOf(text: string, query: URLSearchParams): DeleteOptions {
  let body: { propagationPolicy?: string; orphanDependents?: boolean; preconditions?: DeleteOptions['preconditions'] } = {};
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text) as typeof body;
    } catch (error) {
      throw badRequest(`error decoding DeleteOptions: ${(error as Error).message}`);
    }
  }
  const policy = query.get('propagationPolicy') ?? body.propagationPolicy ?? (body.orphanDependents ? 'Orphan' : 'Background');
  if (policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan') {
    throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  return { propagationPolicy: policy, ...(body.preconditions ? { preconditions: body.preconditions } : {}) };
}

/** Defaults, validates and stores a new object (or only answers, for dry runs). */
export function createObject(
  dependencies: Pick<ResourceHandlerDependencies, 'store' | 'clock'>,
  definition: ResourceDefinition,
  object: KubeObject,
  dryRun: boolean,
): KubeObject {
  const { store } = dependencies;
  prepareForCreate(definition, object);
  applyDefaults(definition, object);
  validateObject(definition, object);
  if (!dryRun) return store.create(definition.key, object);
  if (object.metadata.name && store.get(definition.key, object.metadata.namespace, object.metadata.name)) {
    throw new StatusError(409, 'AlreadyExists', `${definition.group ? `${definition.plural}.${definition.group}` : definition.plural} "${object.metadata.name}" already exists`, {
      name: object.metadata.name,
      ...(definition.group ? { group: definition.group } : {}),
      kind: definition.plural,
    });
  }
  // A dry run answers with what would be stored: a generated name and a creation time included.
  if (!object.metadata.name && object.metadata.generateName) object.metadata.name = `${object.metadata.generateName}${randomNameSuffix()}`;
  object.metadata.creationTimestamp = formatTime(dependencies.clock.now());
  return object;
}

/** Runs the update strategy against `stored` and writes (or only answers, for dry runs). */
function updateObject(
  dependencies: Pick<ResourceHandlerDependencies, 'store'>,
  definition: ResourceDefinition,
  object: KubeObject,
  stored: KubeObject,
  dryRun: boolean,
): KubeObject {
  const precondition = object.metadata.resourceVersion;
  if (precondition && precondition !== stored.metadata.resourceVersion) {
    throw conflict(definition.plural, definition.group, stored.metadata.name);
  }
  applyDefaults(definition, object);
  prepareForUpdate(definition, object, stored);
  validateObject(definition, object, stored);
  object.metadata.resourceVersion = stored.metadata.resourceVersion;
  if (dryRun) return object;
  return dependencies.store.update(definition.key, object);
}

/** Answers a SelfSubjectAccessReview for `user` from the stored RBAC objects. */
function reviewAccess(store: ObjectStore, user: string, review: KubeObject): KubeObject {
  const spec = (review.spec ?? {}) as {
    resourceAttributes?: Partial<ResourceAttributes> & { version?: string };
    nonResourceAttributes?: { verb?: string; path?: string };
  };
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    throw invalid('SelfSubjectAccessReview', 'authorization.k8s.io', '', [
      { field: 'spec.resourceAttributes', reason: 'FieldValueRequired', message: 'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified' },
    ]);
  }
  const decision = spec.resourceAttributes
    ? authorize(store, user, {
        kind: 'resource',
        verb: spec.resourceAttributes.verb ?? '',
        group: spec.resourceAttributes.group ?? '',
        resource: spec.resourceAttributes.resource ?? '',
        ...(spec.resourceAttributes.subresource ? { subresource: spec.resourceAttributes.subresource } : {}),
        ...(spec.resourceAttributes.name ? { name: spec.resourceAttributes.name } : {}),
        ...(spec.resourceAttributes.namespace ? { namespace: spec.resourceAttributes.namespace } : {}),
      })
    : authorize(store, user, { kind: 'nonResource', verb: spec.nonResourceAttributes?.verb ?? '', path: spec.nonResourceAttributes?.path ?? '' });
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    metadata: { ...review.metadata, name: review.metadata.name ?? '' },
    spec: review.spec,
    status: { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) },
  };
}

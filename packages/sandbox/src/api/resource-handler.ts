/**
 * The REST verbs on stored resources: get, list, watch, create, update, patch, delete and
 * deletecollection, plus the `/status` and `/scale` subresources and `pods/log`. Each verb runs the
 * API strategy (defaults, validation, generation) and honours `?dryRun=All`.
 */
import type http from 'node:http';
import { labelSelectorToString } from '../store/label-selector.js';
import { formatTime, randomNameSuffix } from '../store/object-store.js';
import type { DeleteOptions, KubeObject, ObjectStore, SandboxClock } from '../store/types.js';
import {
  applyDefaults,
  findUnknownFields,
  prepareForCreate,
  prepareForUpdate,
  prepareStatusUpdate,
  validateObject,
} from './api-strategy.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patch.js';
import { decodePatchBody, decodeRequestObject, mediaTypeOf, patchTypeOf, readBody, type PatchType } from './request-body.js';
import { groupVersionOf, type ResourceDefinition } from './resource-registry.js';
import { StatusError, badRequest, conflict, invalid, methodNotAllowed, notFound } from './status-error.js';
import { toTable, wantsTable } from './table-output.js';
import { serveWatch } from './watch-stream.js';
import { proxyToService } from './service-proxy.js';
import { authorize, type ResourceAttributes } from './rbac-authorizer.js';
import { requestUser } from './request-user.js';

/** Gives the text `GET pods/{name}/log` returns. */
export type PodLogHandler = (request: { namespace: string; pod: string; container: string | undefined }) => string | Promise<string>;

/** What the resource handler needs from the server. */
export interface ResourceHandlerDependencies {
  store: ObjectStore;
  clock: SandboxClock;
  podLogs?: PodLogHandler;
  /** Registers a function that ends an open watch when the server closes. */
  trackWatch(end: () => void): () => void;
}

/** One resolved resource request. */
export interface ResourceCall {
  definition: ResourceDefinition;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  /** For `services/{name}/proxy/...`: the path after `proxy`, as sent. */
  subpath?: string | undefined;
}

/** Writes a JSON response with `Warning` headers for anything the request was warned about. */
export function sendJson(response: http.ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  const text = JSON.stringify(body);
  const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) };
  if (warnings.length > 0) headers.Warning = warnings.map((warning) => `299 - ${JSON.stringify(warning)}`);
  response.writeHead(code, headers);
  response.end(text);
}

function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const value of values) {
    if (value !== 'All') throw badRequest(`dryRun: Unsupported value: "${value}": supported values: "All"`);
  }
  return values.length > 0;
}

/** Checks unknown fields per `fieldValidation` (Strict → 400, Ignore → nothing, default → warning). */
function checkUnknownFields(definition: ResourceDefinition, body: Record<string, unknown>, query: URLSearchParams, warnings: string[]): void {
  const mode = query.get('fieldValidation') ?? 'Warn';
  if (mode === 'Ignore') return;
  const unknown = findUnknownFields(definition, body);
  if (unknown.length === 0) return;
  if (mode === 'Strict') {
    throw badRequest(
      `${definition.kind} in version "${definition.version}" cannot be handled as a ${definition.kind}: strict decoding error: ${unknown.map((field) => `unknown field "${field}"`).join(', ')}`,
    );
  }
  warnings.push(...unknown.map((field) => `unknown field "${field}"`));
}

/** Checks and fills `apiVersion`, `kind`, `metadata` and the namespace of a decoded body. */
function toKubeObject(call: ResourceCall, body: Record<string, unknown>): KubeObject {
  const { definition } = call;
  const groupVersion = groupVersionOf(definition);
  if (body.kind !== undefined && body.kind !== definition.kind) {
    throw badRequest(`${definition.kind} in version "${definition.version}" cannot be handled as a ${definition.kind}: the kind of the object (${String(body.kind)}) does not match the kind of the resource (${definition.kind})`);
  }
  if (body.apiVersion !== undefined && body.apiVersion !== groupVersion) {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${groupVersion})`);
  }
  const metadata = body.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw badRequest(`${definition.kind} in version "${definition.version}" cannot be handled as a ${definition.kind}: metadata must be an object`);
  }
  const object = { ...body, apiVersion: groupVersion, kind: definition.kind, metadata: { ...metadata } } as KubeObject;
  // Go's omitempty drops empty maps, so an emptied label or annotation map disappears.
  for (const field of ['labels', 'annotations'] as const) {
    const map = object.metadata[field];
    if (map !== undefined && (map === null || Object.keys(map).length === 0)) delete object.metadata[field];
  }
  if (definition.namespaced) {
    if (object.metadata.namespace !== undefined && object.metadata.namespace !== '' && object.metadata.namespace !== call.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    object.metadata.namespace = call.namespace;
  } else {
    delete object.metadata.namespace;
  }
  return definition.conversion ? definition.conversion.toStorage(object) : object;
}

function requireNamespaceExists(store: ObjectStore, call: ResourceCall): void {
  if (call.definition.namespaced && call.namespace !== undefined && !store.get('/namespaces', undefined, call.namespace)) {
    throw notFound('namespaces', '', call.namespace);
  }
}

function getStored(store: ObjectStore, call: ResourceCall, name: string): KubeObject {
  const stored = store.get(call.definition.key, call.namespace, name);
  if (!stored) throw notFound(call.definition.plural, call.definition.group, name);
  return stored;
}

function applyPatchOfType(patchType: PatchType, target: unknown, patch: unknown): unknown {
  switch (patchType) {
    case 'json':
      return applyJsonPatch(target, patch);
    case 'merge':
      return applyMergePatch(target, patch);
    case 'strategic':
    case 'apply':
      // Server-side apply is approximated by a strategic merge of the applied configuration
      // (no managed fields, no conflict detection).
      return applyStrategicMergePatch(target, patch);
  }
}

/** Builds the autoscaling/v1 Scale view of a Deployment or ReplicaSet. */
function scaleOf(object: KubeObject): KubeObject {
  const spec = (object.spec ?? {}) as { replicas?: number; selector?: Parameters<typeof labelSelectorToString>[0] };
  const status = (object.status ?? {}) as { replicas?: number };
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      uid: object.metadata.uid,
      resourceVersion: object.metadata.resourceVersion,
      creationTimestamp: object.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: labelSelectorToString(spec.selector) },
  };
}

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
        const untrack = dependencies.trackWatch(end);
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

  if (subresource === 'status' && definition.subresources.includes('status')) {
    const stored = getStored(store, call, name);
    if (method === 'GET') {
      sendJson(response, 200, view(stored));
      return;
    }
    const dryRun = isDryRun(query);
    let requested: KubeObject;
    if (method === 'PUT') {
      const body = await decodeRequestObject(request, definition.kind);
      requested = toKubeObject(call, body);
    } else if (method === 'PATCH') {
      const patchType = patchTypeOf(mediaTypeOf(request));
      requested = patchedObject(call, stored, patchType, decodePatchBody(await readBody(request), patchType));
    } else {
      throw methodNotAllowed(`${definition.plural}/status`, definition.group, method.toLowerCase());
    }
    const next = prepareStatusUpdate(requested, stored);
    if (next.metadata.resourceVersion && next.metadata.resourceVersion !== stored.metadata.resourceVersion) {
      throw conflict(definition.plural, definition.group, name);
    }
    sendJson(response, 200, view(dryRun ? next : store.update(definition.key, next)));
    return;
  }

  if (subresource === 'scale' && definition.subresources.includes('scale')) {
    const stored = getStored(store, call, name);
    const current = scaleOf(stored);
    if (method === 'GET') {
      sendJson(response, 200, current);
      return;
    }
    const dryRun = isDryRun(query);
    let requested: Record<string, unknown>;
    if (method === 'PUT') {
      requested = await decodeRequestObject(request, 'Scale');
    } else if (method === 'PATCH') {
      const patchType = patchTypeOf(mediaTypeOf(request));
      requested = applyPatchOfType(patchType, current, decodePatchBody(await readBody(request), patchType)) as Record<string, unknown>;
    } else {
      throw methodNotAllowed(`${definition.plural}/scale`, definition.group, method.toLowerCase());
    }
    const requestedVersion = (requested.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
    if (requestedVersion && requestedVersion !== stored.metadata.resourceVersion) throw conflict(definition.plural, definition.group, name);
    const replicas = (requested.spec as { replicas?: unknown } | undefined)?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid('Scale', 'autoscaling', name, [
        { field: 'spec.replicas', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0` },
      ]);
    }
    const updated = structuredClone(stored);
    updated.spec = { ...(updated.spec as object), replicas };
    prepareForUpdate(definition, updated, stored);
    sendJson(response, 200, scaleOf(dryRun ? updated : store.update(definition.key, updated)));
    return;
  }

  if (subresource === 'log' && definition.key === '/pods' && method === 'GET') {
    const pod = getStored(store, call, name);
    const container = query.get('container') ?? undefined;
    const text = dependencies.podLogs
      ? await dependencies.podLogs({ namespace: namespace ?? '', pod: name, container })
      : `${formatTime(dependencies.clock.now())} sandbox: pod ${pod.metadata.name} is simulated; no real container output\n`;
    response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
    response.end(text);
    return;
  }

  if (subresource === 'proxy' && definition.key === '/services') {
    const search = new URL(request.url ?? '/', 'http://sandbox').search;
    await proxyToService(store, { namespace: namespace ?? '', reference: name, subpath: call.subpath ?? '/', search }, request, response);
    return;
  }

  if (subresource === 'exec' && definition.key === '/pods') {
    throw badRequest('Upgrade request required');
  }

  throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {
    causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }],
  });
}

/** Applies a patch to the stored object; the result keeps its identity (name, namespace). */
function patchedObject(call: ResourceCall, stored: KubeObject, patchType: PatchType, patch: unknown): KubeObject {
  if (patchType === 'apply' && (typeof patch !== 'object' || patch === null || Array.isArray(patch))) {
    throw badRequest('apply patch must be an object');
  }
  const conversion = call.definition.conversion;
  const result = applyPatchOfType(patchType, conversion ? conversion.fromStorage(stored) : stored, patch);
  if (typeof result !== 'object' || result === null || Array.isArray(result)) throw badRequest('the patched object is not an object');
  const object = toKubeObject(call, result as Record<string, unknown>);
  if (object.metadata.name !== stored.metadata.name) {
    throw badRequest(`the name of the object (${String(object.metadata.name)}) does not match the name on the URL (${stored.metadata.name})`);
  }
  return object;
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

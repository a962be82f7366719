/**
 * One resolved request for a stored resource, and the helpers every verb shares: decoding the
 * object it carries, dry runs, unknown-field warnings, reading the stored object, patching.
 */
import type http from 'node:http';
import type { KubeObject } from '../base/kube-types.js';
import type { SandboxClock } from '../base/sandbox-clock.js';
import { badRequest, notFound } from '../base/status-error.js';
import type { ObjectStore } from '../store/types.js';
import { findUnknownFields } from './api-strategy.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patch.js';
import type { PatchType } from './request-body.js';
import { groupVersionOf, type ResourceDefinition } from './resource-registry.js';

/** Gives the text `GET pods/{name}/log` returns. */
export type PodLogHandler = (request: { namespace: string; pod: string; container: string | undefined }) => string | Promise<string>;

/** What the resource handler needs from the server. */
export interface ResourceHandlerDependencies {
  store: ObjectStore;
  clock: SandboxClock;
  podLogs?: PodLogHandler;
  /** Registers a function that ends an open watch (and its response, which `dropWatches` may destroy) when the server closes. */
  trackWatch(end: () => void, response: http.ServerResponse): () => void;
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

export function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const value of values) {
    if (value !== 'All') throw badRequest(`dryRun: Unsupported value: "${value}": supported values: "All"`);
  }
  return values.length > 0;
}

/** Checks unknown fields per `fieldValidation` (Strict → 400, Ignore → nothing, default → warning). */
export function checkUnknownFields(definition: ResourceDefinition, body: Record<string, unknown>, query: URLSearchParams, warnings: string[]): void {
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
export function toKubeObject(call: ResourceCall, body: Record<string, unknown>): KubeObject {
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

export function requireNamespaceExists(store: ObjectStore, call: ResourceCall): void {
  if (call.definition.namespaced && call.namespace !== undefined && !store.get('/namespaces', undefined, call.namespace)) {
    throw notFound('namespaces', '', call.namespace);
  }
}

export function getStored(store: ObjectStore, call: ResourceCall, name: string): KubeObject {
  const stored = store.get(call.definition.key, call.namespace, name);
  if (!stored) throw notFound(call.definition.plural, call.definition.group, name);
  return stored;
}

export function applyPatchOfType(patchType: PatchType, target: unknown, patch: unknown): unknown {
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

/** Applies a patch to the stored object; the result keeps its identity (name, namespace). */
export function patchedObject(call: ResourceCall, stored: KubeObject, patchType: PatchType, patch: unknown): KubeObject {
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


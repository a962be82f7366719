/**
 * The three PATCH formats the API server applies itself: JSON Patch (RFC 6902), JSON Merge Patch
 * (RFC 7386) and Kubernetes strategic merge patch (lists merged by key, `$patch` directives).
 */
import { StatusError, badRequest } from '../base/status-error.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A failed patch application: 422 like the API server's "unprocessable" patch errors. */
function patchFailure(message: string): StatusError {
  return new StatusError(422, 'Invalid', message);
}

/** Splits a JSON Pointer (`/spec/template/0`) into unescaped tokens. */
function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw patchFailure(`doc is missing path: "${pointer}": missing value`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (token === '-' && allowEnd) return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw patchFailure(`invalid array index: ${token}`);
  const index = Number(token);
  if (index > length || (!allowEnd && index === length)) throw patchFailure(`index out of range: ${index}`);
  return index;
}

/** Returns the container that holds the last token, and that token. */
function locateParent(document: Json, tokens: string[], path: string): { parent: Json; last: string } {
  let current: Json = document;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) {
      current = current[arrayIndex(token, current.length, false)] as Json;
    } else if (isObject(current) && Object.hasOwn(current, token)) {
      current = current[token] as Json;
    } else {
      throw patchFailure(`doc is missing path: "${path}": missing value`);
    }
  }
  return { parent: current, last: tokens[tokens.length - 1] ?? '' };
}

function getAt(document: Json, path: string): Json {
  const tokens = pointerTokens(path);
  if (tokens.length === 0) return document;
  const { parent, last } = locateParent(document, tokens, path);
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent.length, false)] as Json;
  if (isObject(parent) && Object.hasOwn(parent, last)) return parent[last] as Json;
  throw patchFailure(`doc is missing path: "${path}": missing value`);
}

function addAt(document: Json, path: string, value: Json): Json {
  const tokens = pointerTokens(path);
  if (tokens.length === 0) return value;
  const { parent, last } = locateParent(document, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true), 0, value);
  else if (isObject(parent)) parent[last] = value;
  else throw patchFailure(`doc is missing path: "${path}": missing value`);
  return document;
}

function removeAt(document: Json, path: string): Json {
  const tokens = pointerTokens(path);
  const { parent, last } = locateParent(document, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false), 1);
  else if (isObject(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else throw patchFailure(`Unable to remove nonexistent key: ${last}: missing value`);
  return document;
}

function jsonEqual(left: Json, right: Json): boolean {
  return JSON.stringify(sortKeys(left)) === JSON.stringify(sortKeys(right));
}

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys(value[key] as Json)]));
}

/** Applies an RFC 6902 JSON Patch (already parsed). 400 if not a patch document, 422 if it fails. */
export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) {
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  let document = structuredClone(target) as Json;
  for (const operation of patch) {
    if (!isObject(operation) || typeof operation.op !== 'string') throw badRequest('invalid JSON Patch operation');
    const path = operation.path;
    if (typeof path !== 'string') throw patchFailure(`operation missing path: ${JSON.stringify(operation)}`);
    switch (operation.op) {
      case 'add':
        if (!('value' in operation)) throw patchFailure('add operation does not apply: doc is missing value');
        document = addAt(document, path, structuredClone(operation.value as Json));
        break;
      case 'remove':
        document = removeAt(document, path);
        break;
      case 'replace':
        if (!('value' in operation)) throw patchFailure('replace operation does not apply: doc is missing value');
        getAt(document, path); // replace requires the target to exist
        document = removeAt(document, path);
        document = addAt(document, path, structuredClone(operation.value as Json));
        break;
      case 'move': {
        if (typeof operation.from !== 'string') throw patchFailure('move operation missing from');
        const moved = getAt(document, operation.from);
        document = removeAt(document, operation.from);
        document = addAt(document, path, moved);
        break;
      }
      case 'copy': {
        if (typeof operation.from !== 'string') throw patchFailure('copy operation missing from');
        document = addAt(document, path, structuredClone(getAt(document, operation.from)));
        break;
      }
      case 'test':
        if (!jsonEqual(getAt(document, path), (operation.value ?? null) as Json)) {
          throw patchFailure(`testing value ${path} failed: test failed`);
        }
        break;
      default:
        throw badRequest(`Unexpected kind: ${operation.op}`);
    }
  }
  return document;
}

/** Applies an RFC 7386 JSON Merge Patch: objects merge, `null` deletes, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: JsonObject = isObject(target) ? (structuredClone(target) as JsonObject) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value) as Json;
  }
  return result;
}

/**
 * The merge key of a list field in strategic merge patch (Go struct tag `patchMergeKey`), keyed by
 * the field name and, where it differs by context, the parent field.
 */
function mergeKeyFor(field: string, parentPath: string[]): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'ports':
      // Container ports merge by containerPort; Service ports by port.
      return parentPath.includes('containers') || parentPath.includes('initContainers') ? 'containerPort' : 'port';
    case 'conditions':
      return 'type';
    case 'ownerReferences':
      return 'uid';
    case 'hostAliases':
      return 'ip';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    default:
      return undefined;
  }
}

/** Lists of scalars that strategic merge patch merges as sets instead of replacing. */
const mergedScalarLists = new Set(['finalizers']);

function strategicMergeList(original: Json[], patch: Json[], field: string, path: string[]): Json[] {
  // `{"$patch": "replace"}` inside a list means "the patch list is the whole new list".
  if (patch.some((item) => isObject(item) && item.$patch === 'replace')) {
    return patch.filter((item) => !(isObject(item) && item.$patch === 'replace'));
  }
  const key = mergeKeyFor(field, path);
  if (key === undefined) {
    if (mergedScalarLists.has(field)) {
      return [...original, ...patch.filter((item) => !original.some((existing) => jsonEqual(existing, item)))];
    }
    return patch.map((item) => stripDirectives(item));
  }
  const result = original.map((item) => structuredClone(item));
  for (const patchItem of patch) {
    if (!isObject(patchItem)) {
      throw badRequest(`unable to find api field in struct ${field} for the json field "${String(patchItem)}"`);
    }
    const keyValue = patchItem[key];
    const index = result.findIndex((item) => isObject(item) && item[key] === keyValue && keyValue !== undefined);
    if (patchItem.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) {
      result[index] = strategicMerge(result[index], patchItem, [...path, field]);
    } else {
      result.push(stripDirectives(patchItem));
    }
  }
  return result;
}

/** Removes `$patch`, `$setElementOrder/...`, `$retainKeys` and similar directives from a value. */
function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  const result: JsonObject = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key.startsWith('$')) continue;
    result[key] = stripDirectives(inner as Json);
  }
  return result;
}

function strategicMerge(original: Json | undefined, patch: Json, path: string[]): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') return stripDirectives(patch);
  if (patch.$patch === 'delete') return {};
  const result: JsonObject = isObject(original) ? (structuredClone(original) as JsonObject) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const existing = result[field];
      if (Array.isArray(existing) && Array.isArray(value)) {
        result[field] = existing.filter((item) => !value.some((removed) => jsonEqual(removed as Json, item)));
      }
      continue;
    }
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      const existing = result[key];
      result[key] = strategicMergeList(Array.isArray(existing) ? existing : [], value, key, path);
    } else if (isObject(value)) {
      if (value.$patch === 'delete') delete result[key];
      else result[key] = strategicMerge(result[key], value, [...path, key]);
    } else {
      result[key] = value;
    }
  }
  return result;
}

/**
 * Applies a Kubernetes strategic merge patch: like a merge patch, but lists of containers,
 * initContainers, env, volumes (by `name`), volumeMounts (by `mountPath`) and ports (by
 * `containerPort`, or `port` on Services) are merged item by item; `$patch: delete|replace` and
 * `$deleteFromPrimitiveList` are honoured; `$setElementOrder` and `$retainKeys` are ignored.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) throw badRequest('strategic merge patch must be a JSON object');
  return strategicMerge(target as Json, patch, []);
}

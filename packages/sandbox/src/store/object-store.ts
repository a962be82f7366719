/**
 * The in-memory object store: what etcd plus the garbage collector are to a real API server. One
 * global resourceVersion counter orders every write; a bounded history of writes lets watches
 * resume from a resourceVersion (or get 410 Expired when it is too old).
 */
import { randomUUID } from 'node:crypto';
import { alreadyExists, conflict, gone, notFound, badRequest } from '../base/status-error.js';
import { matchesFieldSelector, parseFieldSelector } from './field-selector.js';
import { matchesLabelSelector, parseLabelSelector } from './label-selector.js';
import type { DeleteOptions, ListOptions, ObjectStore, StoreEvent } from './types.js';
import type { KubeObject, ResourceKey } from '../base/kube-types.js';
import type { SandboxClock } from '../base/sandbox-clock.js';

/** Options of `createObjectStore`. */
export interface ObjectStoreOptions {
  /** Source of `creationTimestamp`. */
  clock: SandboxClock;
  /**
   * How many writes the watch history keeps; a watch from an older resourceVersion gets 410.
   * @default 10000
   */
  historyLimit?: number;
  /**
   * Source of `metadata.uid` for new objects. The simulation passes a seeded generator so that
   * a run (and the `uid` labels in its metrics) is reproducible from its seed.
   * @default crypto.randomUUID
   */
  newUid?: () => string;
}

/** Characters Kubernetes uses for random name suffixes (no vowels, so no words). */
const randomSuffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** A 5-character random suffix as the API server appends to `generateName`. */
export function randomNameSuffix(length = 5): string {
  let suffix = '';
  for (let index = 0; index < length; index += 1) {
    suffix += randomSuffixAlphabet[Math.floor(Math.random() * randomSuffixAlphabet.length)];
  }
  return suffix;
}

/** RFC 3339 with whole seconds, the format of `metav1.Time`. */
export function formatTime(epochMilliseconds: number): string {
  return new Date(epochMilliseconds).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Splits a resource key into the API group and the plural resource name. */
export function splitResourceKey(resource: ResourceKey): { group: string; plural: string } {
  const slash = resource.indexOf('/');
  return { group: resource.slice(0, slash), plural: resource.slice(slash + 1) };
}

function storageKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** Compares two JSON values structurally (key order ignored). */
function jsonEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  const leftRecord = left as Record<string, unknown>;
  const rightRecord = right as Record<string, unknown>;
  const leftKeys = Object.keys(leftRecord).filter((key) => leftRecord[key] !== undefined);
  const rightKeys = Object.keys(rightRecord).filter((key) => rightRecord[key] !== undefined);
  if (leftKeys.length !== rightKeys.length) return false;
  return leftKeys.every((key) => jsonEqual(leftRecord[key], rightRecord[key]));
}

/** Same object apart from the resourceVersion, which every write changes. */
function sameContent(left: KubeObject, right: KubeObject): boolean {
  const { resourceVersion: _left, ...leftMeta } = left.metadata;
  const { resourceVersion: _right, ...rightMeta } = right.metadata;
  return jsonEqual({ ...left, metadata: leftMeta }, { ...right, metadata: rightMeta });
}

/**
 * Creates an empty in-memory `ObjectStore`. Objects handed in are copied, and objects handed out
 * are copies, so callers can never change stored state by mutating them.
 *
 * @example
 * const store = createObjectStore({ clock: { now: () => Date.now() } });
 * store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } });
 */
export function createObjectStore(options: ObjectStoreOptions): ObjectStore {
  const { clock } = options;
  const historyLimit = options.historyLimit ?? 10_000;
  const newUid = options.newUid ?? randomUUID;
  /** resource → "namespace/name" → object. Stored objects are never mutated, only replaced. */
  const objects = new Map<ResourceKey, Map<string, KubeObject>>();
  /** uid → where the object lives, for garbage collection by ownerReferences. */
  const byUid = new Map<string, { resource: ResourceKey; namespace: string | undefined; name: string }>();
  const listeners = new Set<(event: StoreEvent) => void>();
  const history: Array<{ resourceVersion: number; event: StoreEvent }> = [];
  /** Writes up to and including this resourceVersion are no longer in `history`. */
  let droppedThrough = 0;
  let resourceVersion = 1;
  /** Events waiting for delivery; a listener that writes must not overtake earlier events. */
  const pending: StoreEvent[] = [];
  let delivering = false;

  function bucket(resource: ResourceKey): Map<string, KubeObject> {
    let found = objects.get(resource);
    if (!found) {
      found = new Map();
      objects.set(resource, found);
    }
    return found;
  }

  function record(event: StoreEvent): void {
    history.push({ resourceVersion, event });
    while (history.length > historyLimit) {
      const dropped = history.shift();
      if (dropped) droppedThrough = dropped.resourceVersion;
    }
    pending.push(event);
    if (delivering) return;
    delivering = true;
    try {
      for (let next = pending.shift(); next; next = pending.shift()) {
        for (const listener of [...listeners]) {
          try {
            listener(structuredClone(next));
          } catch (error) {
            // A failing listener must not stop the others or the write that triggered it.
            console.error('[autoheal] [sandbox] store listener failed:', error);
          }
        }
      }
    } finally {
      delivering = false;
    }
  }

  function nextResourceVersion(): string {
    resourceVersion += 1;
    return String(resourceVersion);
  }

  function findDependents(ownerUid: string): Array<{ resource: ResourceKey; object: KubeObject }> {
    const dependents: Array<{ resource: ResourceKey; object: KubeObject }> = [];
    for (const [resource, stored] of objects) {
      for (const object of stored.values()) {
        if (object.metadata.ownerReferences?.some((owner) => owner.uid === ownerUid)) {
          dependents.push({ resource, object });
        }
      }
    }
    return dependents;
  }

  function removeObject(resource: ResourceKey, stored: KubeObject, options: DeleteOptions | undefined): KubeObject {
    const { namespace, name, uid } = stored.metadata;
    bucket(resource).delete(storageKey(namespace, name));
    if (uid) byUid.delete(uid);
    const deleted: KubeObject = structuredClone(stored);
    deleted.metadata.resourceVersion = nextResourceVersion();
    record({ type: 'DELETED', resource, object: deleted, oldObject: stored });

    const policy = options?.propagationPolicy ?? 'Background';
    if (uid) {
      for (const dependent of findDependents(uid)) {
        const remainingOwners = (dependent.object.metadata.ownerReferences ?? []).filter(
          (owner) => owner.uid !== uid,
        );
        const stillOwned = remainingOwners.some((owner) => byUid.has(owner.uid));
        if (policy === 'Orphan' || stillOwned) {
          const orphan = structuredClone(dependent.object);
          if (remainingOwners.length > 0) orphan.metadata.ownerReferences = remainingOwners;
          else delete orphan.metadata.ownerReferences;
          store.update(dependent.resource, { ...orphan, metadata: { ...orphan.metadata, resourceVersion: undefined } });
        } else {
          removeObject(dependent.resource, dependent.object, { propagationPolicy: 'Background' });
        }
      }
    }
    // Deleting a namespace deletes everything in it, as the namespace controller does.
    if (resource === '/namespaces') {
      for (const [otherResource, otherStored] of objects) {
        for (const object of [...otherStored.values()]) {
          if (object.metadata.namespace === name && bucket(otherResource).has(storageKey(name, object.metadata.name))) {
            removeObject(otherResource, object, { propagationPolicy: 'Background' });
          }
        }
      }
    }
    return structuredClone(deleted);
  }

  const store: ObjectStore = {
    get(resource, namespace, name) {
      const found = objects.get(resource)?.get(storageKey(namespace, name));
      return found ? structuredClone(found) : undefined;
    },

    list(resource, namespace, listOptions?: ListOptions) {
      const labelSelector = parseLabelSelector(listOptions?.labelSelector);
      const fieldSelector = parseFieldSelector(resource, listOptions?.fieldSelector);
      const items = [...(objects.get(resource)?.values() ?? [])]
        .filter((object) => namespace === undefined || object.metadata.namespace === namespace)
        .filter((object) => matchesLabelSelector(labelSelector, object.metadata.labels))
        .filter((object) => matchesFieldSelector(fieldSelector, object))
        .sort((left, right) => {
          const leftKey = storageKey(left.metadata.namespace, left.metadata.name);
          const rightKey = storageKey(right.metadata.namespace, right.metadata.name);
          return leftKey < rightKey ? -1 : leftKey > rightKey ? 1 : 0;
        })
        .map((object) => structuredClone(object));
      return { items, resourceVersion: String(resourceVersion) };
    },

    create(resource, object) {
      const { group, plural } = splitResourceKey(resource);
      const created: KubeObject = structuredClone(object);
      const metadata = created.metadata;
      if (!metadata.name && metadata.generateName) {
        // Retry on the rare clash, as the API server's generator effectively does.
        do {
          metadata.name = `${metadata.generateName}${randomNameSuffix()}`;
        } while (bucket(resource).has(storageKey(metadata.namespace, metadata.name)));
      }
      if (!metadata.name) throw badRequest('name or generateName is required');
      const key = storageKey(metadata.namespace, metadata.name);
      if (bucket(resource).has(key)) throw alreadyExists(plural, group, metadata.name);
      metadata.uid = newUid();
      metadata.creationTimestamp = formatTime(clock.now());
      delete metadata.deletionTimestamp;
      if ('spec' in created && metadata.generation === undefined) metadata.generation = 1;
      metadata.resourceVersion = nextResourceVersion();
      bucket(resource).set(key, created);
      byUid.set(metadata.uid, { resource, namespace: metadata.namespace, name: metadata.name });
      record({ type: 'ADDED', resource, object: structuredClone(created) });
      return structuredClone(created);
    },

    update(resource, object) {
      const { group, plural } = splitResourceKey(resource);
      const { namespace, name } = object.metadata;
      const key = storageKey(namespace, name);
      const stored = bucket(resource).get(key);
      if (!stored) throw notFound(plural, group, name);
      const precondition = object.metadata.resourceVersion;
      if (precondition && precondition !== stored.metadata.resourceVersion) throw conflict(plural, group, name);
      if (object.metadata.uid && object.metadata.uid !== stored.metadata.uid) throw conflict(plural, group, name);
      const updated: KubeObject = structuredClone(object);
      // Identity and creation facts belong to the server, whatever the writer sent.
      updated.metadata.uid = stored.metadata.uid;
      updated.metadata.creationTimestamp = stored.metadata.creationTimestamp;
      if (updated.metadata.generation === undefined && stored.metadata.generation !== undefined) {
        updated.metadata.generation = stored.metadata.generation;
      }
      updated.metadata.resourceVersion = stored.metadata.resourceVersion;
      // A write that changes nothing is not a write: no new resourceVersion, no watch event.
      if (sameContent(updated, stored)) return structuredClone(stored);
      updated.metadata.resourceVersion = nextResourceVersion();
      bucket(resource).set(key, updated);
      record({ type: 'MODIFIED', resource, object: structuredClone(updated), oldObject: stored });
      return structuredClone(updated);
    },

    delete(resource, namespace, name, deleteOptions) {
      const { group, plural } = splitResourceKey(resource);
      const stored = bucket(resource).get(storageKey(namespace, name));
      if (!stored) throw notFound(plural, group, name);
      const preconditions = deleteOptions?.preconditions;
      if (preconditions?.uid && preconditions.uid !== stored.metadata.uid) throw conflict(plural, group, name);
      if (preconditions?.resourceVersion && preconditions.resourceVersion !== stored.metadata.resourceVersion) {
        throw conflict(plural, group, name);
      }
      return removeObject(resource, stored, deleteOptions);
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    currentResourceVersion() {
      return String(resourceVersion);
    },

    eventsSince(since) {
      const sinceNumber = Number(since);
      if (!Number.isInteger(sinceNumber) || sinceNumber < 0) {
        throw badRequest(`invalid resource version: "${since}"`);
      }
      if (sinceNumber < droppedThrough) {
        throw gone(`too old resource version: ${since} (${droppedThrough + 1})`);
      }
      return history
        .filter((entry) => entry.resourceVersion > sinceNumber)
        .map((entry) => structuredClone(entry.event));
    },
  };
  return store;
}

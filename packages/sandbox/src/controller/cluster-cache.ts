/**
 * A local mirror of the store, kept current from its write events, like a client-go informer.
 * The controller and the metrics read from here instead of `store.list()`, which copies every
 * object on every call; with thousands of pods that copying would dominate a tick.
 */
import type { KubeObject, ResourceKey } from '../base/kube-types.js';
import type { ObjectStore, StoreEvent } from '../store/types.js';
import { objectKey } from '../base/kube-types.js';

/** Resources the simulation mirrors. */
export const mirroredResources: ResourceKey[] = [
  '/namespaces',
  '/pods',
  'apps/deployments',
  'apps/replicasets',
  'autoscaling/horizontalpodautoscalers',
];

/** A read-only mirror of some store resources, indexed by key and by controlling owner. */
export interface ClusterCache {
  get<T extends KubeObject>(resource: ResourceKey, namespace: string | undefined, name: string): T | undefined;
  /** Every mirrored object of a resource (do not mutate). */
  all<T extends KubeObject>(resource: ResourceKey): Iterable<T>;
  /** Objects of `resource` whose controller ownerReference has `ownerUid`. */
  ownedBy<T extends KubeObject>(resource: ResourceKey, ownerUid: string): T[];
  /** Stops following the store. */
  close(): void;
}

/** Creates a cache, seeded from the store's current content, then following its events. */
export function createClusterCache(
  store: ObjectStore,
  onEvent?: (event: StoreEvent) => void,
): ClusterCache {
  const objects = new Map<ResourceKey, Map<string, KubeObject>>(mirroredResources.map((resource) => [resource, new Map()]));
  /** resource → controller owner uid → keys of owned objects. */
  const owned = new Map<ResourceKey, Map<string, Set<string>>>(mirroredResources.map((resource) => [resource, new Map()]));

  function controllerUid(object: KubeObject): string | undefined {
    return object.metadata.ownerReferences?.find((owner) => owner.controller)?.uid;
  }

  function remove(resource: ResourceKey, key: string): void {
    const previous = objects.get(resource)?.get(key);
    if (!previous) return;
    objects.get(resource)?.delete(key);
    const ownerUid = controllerUid(previous);
    if (ownerUid) owned.get(resource)?.get(ownerUid)?.delete(key);
  }

  function put(resource: ResourceKey, object: KubeObject): void {
    const key = objectKey(object.metadata.namespace, object.metadata.name);
    remove(resource, key);
    objects.get(resource)?.set(key, object);
    const ownerUid = controllerUid(object);
    if (ownerUid) {
      const byOwner = owned.get(resource);
      let keys = byOwner?.get(ownerUid);
      if (!keys) {
        keys = new Set();
        byOwner?.set(ownerUid, keys);
      }
      keys.add(key);
    }
  }

  for (const resource of mirroredResources) {
    for (const object of store.list(resource).items) put(resource, object);
  }

  const unsubscribe = store.subscribe((event) => {
    if (!objects.has(event.resource)) return;
    const key = objectKey(event.object.metadata.namespace, event.object.metadata.name);
    if (event.type === 'DELETED') remove(event.resource, key);
    else put(event.resource, event.object);
    onEvent?.(event);
  });

  return {
    get<T extends KubeObject>(resource: ResourceKey, namespace: string | undefined, name: string) {
      return objects.get(resource)?.get(objectKey(namespace, name)) as T | undefined;
    },
    all<T extends KubeObject>(resource: ResourceKey) {
      return (objects.get(resource)?.values() ?? []) as Iterable<T>;
    },
    ownedBy<T extends KubeObject>(resource: ResourceKey, ownerUid: string) {
      const keys = owned.get(resource)?.get(ownerUid);
      if (!keys) return [];
      const found: T[] = [];
      for (const key of keys) {
        const object = objects.get(resource)?.get(key);
        if (object) found.push(object as T);
      }
      return found;
    },
    close: unsubscribe,
  };
}

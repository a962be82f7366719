/**
 * The object store's contract: what the API layer (`src/api/`) and the controllers and the
 * simulation (`src/controller/`, `src/sim/`) read and write through. Objects themselves are
 * described in `base/kube-types.ts`; time in `base/sandbox-clock.ts`.
 */
import type { KubeObject, ResourceKey } from '../base/kube-types.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  resource: ResourceKey;
  /** The object after the write; for DELETED, its last state with the deletion's resourceVersion. */
  object: KubeObject;
  /** The object before the write (MODIFIED and DELETED), so watches can tell selector transitions. */
  oldObject?: KubeObject;
}

/** How `ObjectStore.delete` treats dependents (objects whose ownerReferences name the deleted uid). */
export interface DeleteOptions {
  /** `Background` (default) and `Foreground` delete dependents; `Orphan` removes their ownerReference. */
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  /** Delete only if the stored object still has this uid / resourceVersion (409 otherwise). */
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListOptions {
  /** Kubernetes label selector syntax (`a=b,c!=d,e in (f,g),!h`). */
  labelSelector?: string;
  /** Kubernetes field selector syntax (`metadata.name=x,involvedObject.uid=y`). */
  fieldSelector?: string;
}

/**
 * In-memory object storage with one global resourceVersion counter, as etcd gives the API server.
 * All writes bump the counter and notify subscribers synchronously, in order.
 */
export interface ObjectStore {
  get(resource: ResourceKey, namespace: string | undefined, name: string): KubeObject | undefined;
  list(
    resource: ResourceKey,
    namespace?: string,
    options?: ListOptions,
  ): { items: KubeObject[]; resourceVersion: string };
  /**
   * Stores a new object: assigns uid, resourceVersion, creationTimestamp, generation=1 (for
   * objects with a spec), and a name from generateName. Throws a `StatusError` (409 AlreadyExists).
   */
  create(resource: ResourceKey, object: KubeObject): KubeObject;
  /**
   * Replaces a stored object. When `object.metadata.resourceVersion` is set and stale → 409
   * Conflict. Does not apply API strategy (generation bumps are the API layer's job); the
   * controller uses this for status writes.
   */
  update(resource: ResourceKey, object: KubeObject): KubeObject;
  /**
   * Removes an object and, as the garbage collector would, its dependents by ownerReferences
   * (a Deployment's ReplicaSets and their pods; everything in a deleted namespace). 404 if absent.
   */
  delete(resource: ResourceKey, namespace: string | undefined, name: string, options?: DeleteOptions): KubeObject;
  /** Every write, for the controller and for watches. Returns an unsubscribe function. */
  subscribe(listener: (event: StoreEvent) => void): () => void;
  /** The current global resourceVersion. */
  currentResourceVersion(): string;
  /**
   * Every write after `resourceVersion`, oldest first, from the kept history (for watches that
   * resume). Throws a 410 Expired `StatusError` when that history has already been dropped.
   */
  eventsSince(resourceVersion: string): StoreEvent[];
}

/**
 * The contract between the sandbox's API layer (`src/api/`, `src/store/`) and its cluster
 * simulation (`src/controller/`, `src/sim/`, `src/metrics/`).
 *
 * The API layer owns storage, HTTP, validation, patches, watches and WebSocket framing. The
 * simulation owns what a cluster does with the objects: the Deployment controller, pods and their
 * behaviour, faults, time, and metrics. They meet only through `ObjectStore`, `SandboxClock` and
 * `ExecHandler`.
 */

/** Metadata every stored object carries (a subset of metav1.ObjectMeta). */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }>;
  generateName?: string;
  [key: string]: unknown;
}

/** Any Kubernetes object as stored: plain JSON, always with `apiVersion`, `kind` and `metadata`. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/**
 * Resource names used by the store are `<group>/<plural>` with the empty group for core/v1:
 * `/pods`, `/namespaces`, `/events`, `/services`, `apps/deployments`, `apps/replicasets`,
 * `coordination.k8s.io/leases`, `autoscaling/horizontalpodautoscalers`,
 * `rbac.authorization.k8s.io/roles`, ...
 */
export type ResourceKey = string;

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

/** The sandbox's notion of now: virtual (stepped by the simulation) or real (wall clock). */
export interface SandboxClock {
  now(): number; // epoch milliseconds
}

/** The result of running a command in a simulated container. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs a command "inside" a simulated pod. Provided by the simulation; the API layer frames it over
 * the exec WebSocket (stdout on channel 1, stderr on 2, Status with the exit code on 3).
 * Throws a `StatusError` (404) when the pod or container does not exist.
 */
export type ExecHandler = (request: {
  namespace: string;
  pod: string;
  container: string | undefined;
  command: string[];
}) => Promise<ExecResult>;

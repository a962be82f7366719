/**
 * One list + watch of one resource (client-node's `makeInformer`), kept alive: client-node re-lists
 * by itself after a 410 Gone and re-watches from the last resourceVersion when the stream ends, but
 * stops for good on any other failure (connection refused or reset, 403); this wrapper reconnects
 * after a growing delay. The cache survives every reconnect, so a dropped watch forgets nothing.
 */
import { makeInformer, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';

/** What the informer reports about itself (for `doctor`). */
export interface InformerHealth {
  /** True once the first list succeeded. */
  synced: boolean;
  /** Lists made (1 + one per re-list after a 410 or a reconnect that needed one). */
  lists: number;
  /** The last failure, until the next successful list or event. */
  lastError?: string;
}

/** A running list + watch of one resource. */
export interface ResourceInformer<T extends KubernetesObject> {
  /** Objects in the cache now. */
  list(): readonly T[];
  /**
   * Resolves once the first list succeeded; rejects after `timeoutMs` with the last failure, and
   * after one such timeout rejects at once until a list succeeds.
   */
  synced(timeoutMs: number): Promise<void>;
  health(): InformerHealth;
  stop(): Promise<void>;
}

/** Options of {@link startResourceInformer}. */
export interface ResourceInformerOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  /** Watch path, e.g. `/api/v1/namespaces`. */
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  /** What is watched, for messages (`namespaces with team=payments`). */
  what: string;
  reconnectDelayMs: number;
  onError?: (error: unknown) => void;
}

const MAX_RECONNECT_DELAY_MS = 30_000;

/** Starts listing and watching; never throws for a failed connection (it retries and reports). */
export function startResourceInformer<T extends KubernetesObject>(options: ResourceInformerOptions<T>): ResourceInformer<T> {
  const health: InformerHealth = { synced: false, lists: 0 };
  let stopped = false;
  let delay = options.reconnectDelayMs;
  let retry: NodeJS.Timeout | undefined;
  const waiters = new Set<() => void>();
  let gaveUp = false;

  const listed = async (): Promise<KubernetesListObject<T>> => {
    const result = await options.list();
    health.lists += 1;
    health.synced = true;
    delete health.lastError;
    delay = options.reconnectDelayMs;
    for (const wake of waiters) wake();
    return result;
  };
  const informer = makeInformer<T>(options.kubeConfig, options.path, listed, options.labelSelector);

  const describe = (error: unknown): string => {
    const code = (error as { statusCode?: number; code?: number } | undefined)?.statusCode;
    const text = error instanceof Error ? error.message : String(error);
    const hint = code === 403 ? `; grant list and watch on it with an RBAC ClusterRole bound to autoheal's service account` : '';
    return `[autoheal] [kubernetes] watch of ${options.what} failed${code ? ` (${code})` : ''}: ${text}${hint}; reconnecting`;
  };

  informer.on('error', (error: unknown) => {
    if (stopped) return; // stopping aborts the request, which client-node reports as an error
    health.lastError = describe(error);
    options.onError?.(new Error(health.lastError, { cause: error }));
    clearTimeout(retry);
    retry = setTimeout(() => void informer.start().catch(() => undefined), delay);
    retry.unref?.();
    delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
  });
  // A successful event means the stream is healthy again.
  const healthy = () => void delete health.lastError;
  informer.on('add', healthy);
  informer.on('update', healthy);
  informer.on('delete', healthy);
  void informer.start().catch(() => undefined);

  return {
    list: () => informer.list(),
    async synced(timeoutMs) {
      if (health.synced) return;
      const notListed = () => new Error(`[autoheal] [kubernetes] ${options.what} not listed within ${timeoutMs} ms${health.lastError ? `: ${health.lastError}` : ''}`);
      // Waited once in vain: answer at once until it lists, so every round is not held up as long again.
      if (gaveUp) throw notListed();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(done);
          gaveUp = true;
          reject(notListed());
        }, timeoutMs);
        // client-node fills its cache right after our list function returns: let it, then answer.
        const done = () => (clearTimeout(timer), waiters.delete(done), setImmediate(resolve));
        waiters.add(done);
      });
    },
    health: () => ({ ...health }),
    async stop() {
      stopped = true;
      clearTimeout(retry);
      for (const wake of waiters) wake();
      await informer.stop();
    },
  };
}

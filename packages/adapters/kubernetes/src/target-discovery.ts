/**
 * `createKubernetesTargetDiscovery`: a core `TargetSource` over the cluster. One list + watch of the
 * Namespaces chosen by a label selector and one of Deployments (cluster-wide, optionally narrowed by
 * a label selector), instead of a GET per target per round. A Deployment in a selected namespace is
 * a target when it carries the opt-in annotation (`autoheal.dev/enabled: "true"`), judged with the
 * overrides its annotations give (see `workload-annotations.ts` for why a bad one skips it).
 */
import { parseWithSchema, type ListedTarget, type SkippedTarget, type TargetListing, type TargetRef, type TargetSource } from '@autoheal/core';
import { AppsV1Api, CoreV1Api, type V1Deployment, type V1Namespace } from '@kubernetes/client-node';
import { requestOptions } from './api-call.js';
import { kubernetesTargetDiscoveryOptionsSchema, type KubernetesTargetDiscoveryOptions } from './discovery-options.js';
import { buildDeploymentEvent } from './events.js';
import { loadKubeConfig } from './kube-config.js';
import { startResourceInformer, type InformerHealth, type ResourceInformer } from './resource-informer.js';
import { annotationKeys, readOptIn } from './workload-annotations.js';
import { hostname } from 'node:os';

const ORIGIN = 'discovery';

/** What discovery reports about its watches (for `autoheal doctor`). */
export interface DiscoveryHealth {
  namespaceSelector: string;
  annotation: string;
  namespaces: InformerHealth & { selected: number };
  deployments: InformerHealth & { seen: number };
}

/** The Kubernetes discovery: a `TargetSource` with its watches' health. */
export interface KubernetesTargetDiscovery extends TargetSource {
  health(): DiscoveryHealth;
  /** Stops both watches. */
  close(): Promise<void>;
}

/**
 * Starts watching at once; `targets()` waits (up to `syncTimeoutMs`) for the first list of both
 * resources, then answers from the watches' caches.
 *
 * @example
 * const discovery = createKubernetesTargetDiscovery({ kubeConfig: healer.kubeConfig, namespaceSelector: 'team=payments' });
 * await pipeline.watch(createTargetCatalog({ sources: [discovery] }), { intervalMs: 15_000, signal });
 */
export function createKubernetesTargetDiscovery(options: KubernetesTargetDiscoveryOptions): KubernetesTargetDiscovery {
  const parsed = parseWithSchema(kubernetesTargetDiscoveryOptionsSchema, options, 'kubernetes', 'invalid discovery options');
  const kubeConfig = loadKubeConfig(parsed);
  const keys = annotationKeys(parsed.annotation);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const reportError = (error: unknown) => {
    try {
      parsed.onError?.(error);
    } catch {
      // A failing error handler must not stop the watches.
    }
  };

  const namespaces: ResourceInformer<V1Namespace> = startResourceInformer({
    kubeConfig,
    path: '/api/v1/namespaces',
    list: () => core.listNamespace({ labelSelector: parsed.namespaceSelector }, requestOptions(parsed.requestTimeoutMs)),
    labelSelector: parsed.namespaceSelector,
    what: `namespaces with ${parsed.namespaceSelector}`,
    reconnectDelayMs: parsed.reconnectDelayMs,
    onError: reportError,
  });
  const deployments: ResourceInformer<V1Deployment> = startResourceInformer({
    kubeConfig,
    path: '/apis/apps/v1/deployments',
    list: () => apps.listDeploymentForAllNamespaces(parsed.deploymentSelector ? { labelSelector: parsed.deploymentSelector } : {}, requestOptions(parsed.requestTimeoutMs)),
    ...(parsed.deploymentSelector ? { labelSelector: parsed.deploymentSelector } : {}),
    what: `deployments${parsed.deploymentSelector ? ` with ${parsed.deploymentSelector}` : ''}`,
    reconnectDelayMs: parsed.reconnectDelayMs,
    onError: reportError,
  });

  // Each distinct problem of a workload is reported once (log and Event), not at every round.
  const reported = new Map<string, string>();
  const reportInvalid = (deployment: V1Deployment, skipped: SkippedTarget) => {
    const key = `${skipped.target.namespace}/${skipped.target.name}`;
    if (reported.get(key) === skipped.message) return;
    reported.set(key, skipped.message);
    try {
      parsed.onInvalid?.(skipped);
    } catch {
      // The listener's failure must not change what is listed.
    }
    if (!parsed.recordEvents) return;
    const body = buildDeploymentEvent({
      deployment,
      type: 'Warning',
      reason: 'AutohealInvalidAnnotation',
      message: `autoheal skips this Deployment: ${skipped.message}`,
      component: parsed.eventSource,
      reportingInstance: hostname(),
      now: Date.now(),
    });
    core.createNamespacedEvent({ namespace: skipped.target.namespace, body }, requestOptions(parsed.requestTimeoutMs)).catch((error: unknown) => {
      reported.delete(key); // try again at the next round
      reportError(new Error(`[autoheal] [kubernetes] could not record AutohealInvalidAnnotation on ${key}: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
    });
  };

  function listing(): TargetListing {
    const selected = new Set(namespaces.list().map((namespace) => namespace.metadata?.name));
    const targets: ListedTarget[] = [];
    const skipped: SkippedTarget[] = [];
    const seen = new Set<string>();
    for (const deployment of deployments.list()) {
      const namespace = deployment.metadata?.namespace;
      const name = deployment.metadata?.name;
      if (!namespace || !name || !selected.has(namespace)) continue;
      const target: TargetRef = { namespace, name, kind: 'Deployment', ...(parsed.cluster ? { cluster: parsed.cluster } : {}) };
      const optIn = readOptIn(deployment.metadata?.annotations, keys);
      seen.add(`${namespace}/${name}`);
      if (optIn.kind === 'opted-in') {
        targets.push({ target, origin: ORIGIN, ...(optIn.overrides ? { overrides: optIn.overrides } : {}) });
        reported.delete(`${namespace}/${name}`);
      } else if (optIn.kind === 'not-opted-in') {
        skipped.push({ target, reason: 'not-opted-in', message: optIn.message, origin: ORIGIN });
      } else {
        const entry: SkippedTarget = { target, reason: 'invalid-overrides', message: optIn.message, origin: ORIGIN };
        skipped.push(entry);
        reportInvalid(deployment, entry);
      }
    }
    for (const key of reported.keys()) if (!seen.has(key)) reported.delete(key);
    const byKey = (a: { target: TargetRef }, b: { target: TargetRef }) => `${a.target.namespace}/${a.target.name}`.localeCompare(`${b.target.namespace}/${b.target.name}`);
    return { targets: targets.sort(byKey), skipped: skipped.sort(byKey) };
  }

  return {
    name: 'kubernetes-discovery',
    async targets() {
      await Promise.all([namespaces.synced(parsed.syncTimeoutMs), deployments.synced(parsed.syncTimeoutMs)]);
      return listing();
    },
    health: () => ({
      namespaceSelector: parsed.namespaceSelector,
      annotation: parsed.annotation,
      namespaces: { ...namespaces.health(), selected: namespaces.list().length },
      deployments: { ...deployments.health(), seen: deployments.list().length },
    }),
    async close() {
      await Promise.all([namespaces.stop(), deployments.stop()]);
    },
  };
}

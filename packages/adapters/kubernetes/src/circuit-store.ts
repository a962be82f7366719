/**
 * The circuit breaker's window kept in a ConfigMap, so it survives restarts of autoheal and binds
 * every process that acts on the cluster (`serve` replicas, `watch`, a CI `autoheal run`, the
 * operator commands): `@autoheal/core`'s `CircuitStore`.
 *
 * Every slot is taken with a compare-and-swap: GET the ConfigMap, count the steps in the window, and
 * PUT it back with the `resourceVersion` read — a 409 means another process wrote first, and the
 * count is made again on the fresh object. So two processes cannot both take the last slot.
 *
 * Why a ConfigMap and not the leader Lease: the elector rewrites the Lease every two seconds with
 * its own precondition, so breaker writes there would make renewals fail (and leadership flap); and
 * a CI run without leader election has no Lease at all.
 */
import { AdapterError, healStepKindSchema, parseWithSchema, type CallOptions, type CircuitLimits, type CircuitSlot, type CircuitStore } from '@autoheal/core';
import { CoreV1Api, KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { z } from 'zod';
import { callApi, isConflict, isNotFound, requestOptions, type CallDescription } from './api-call.js';
import { loadKubeConfig } from './kube-config.js';

const COMPONENT = 'kubernetes';
/** The data key that holds the slots, as JSON. */
export const CIRCUIT_SLOTS_KEY = 'slots';
// Slots older than this are dropped on write whatever a process's window is, and at most this many kept.
const HISTORY_MS = 24 * 3_600_000;
const MAX_SLOTS = 500;

/** Schema of {@link KubernetesCircuitStoreOptions}. */
export const kubernetesCircuitStoreOptionsSchema = z.object({
  /** An already loaded `KubeConfig` (e.g. `healer.kubeConfig`). */
  kubeConfig: z.custom<KubeConfig>((value) => value instanceof KubeConfig, 'must be a KubeConfig from @kubernetes/client-node').optional(),
  kubeconfigPath: z.string().min(1).optional(),
  kubeconfigYaml: z.string().min(1).optional(),
  inCluster: z.boolean().optional(),
  context: z.string().min(1).optional(),
  /** Namespace of the ConfigMap: autoheal's own (where its Lease is). */
  namespace: z.string().min(1),
  /**
   * Name of the ConfigMap, the same for every autoheal process of one cluster.
   * @default 'autoheal-circuit-breaker'
   */
  name: z.string().min(1).default('autoheal-circuit-breaker'),
  /**
   * Time limit of every API request, in ms.
   * @default 5000
   */
  requestTimeoutMs: z.number().int().positive().default(5_000),
  /**
   * Tries of a compare-and-swap that keeps losing to other writers.
   * @default 10
   */
  conflictRetries: z.number().int().min(0).max(100).default(10),
});

/** What {@link createKubernetesCircuitStore} accepts. */
export type KubernetesCircuitStoreOptions = z.input<typeof kubernetesCircuitStoreOptionsSchema>;

const slotSchema = z.object({ at: z.number(), target: z.string(), holder: z.string(), step: healStepKindSchema.optional() });

/**
 * Creates the ConfigMap-backed circuit store. RBAC: `get`, `create` and `update` on `configmaps` in
 * `namespace` (`resourceNames` may name the ConfigMap for get and update).
 *
 * @example
 * const circuitStore = createKubernetesCircuitStore({ kubeConfig: healer.kubeConfig, namespace: 'autoheal' });
 * const pipeline = createPipeline({ ...parts, healer, circuitStore });
 */
export function createKubernetesCircuitStore(options: KubernetesCircuitStoreOptions): CircuitStore {
  const config = parseWithSchema(kubernetesCircuitStoreOptionsSchema, options, COMPONENT, 'invalid circuit store options');
  const api = loadKubeConfig(config).makeApiClient(CoreV1Api);
  const where = `ConfigMap ${config.namespace}/${config.name}`;
  const call = (verb: CallDescription['verb']): CallDescription => ({ verb, group: '', resource: 'configmaps', namespace: config.namespace, ...(verb === 'create' ? {} : { name: config.name }) });
  const opts = (signal?: AbortSignal) => requestOptions(config.requestTimeoutMs, signal);

  function slotsOf(configMap: V1ConfigMap): CircuitSlot[] {
    const text = configMap.data?.[CIRCUIT_SLOTS_KEY];
    if (text === undefined || text === '') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new AdapterError(`${where} holds unreadable data under "${CIRCUIT_SLOTS_KEY}" (${(error as Error).message}); fix it or delete the ConfigMap (the breaker fails closed until then)`, { component: COMPONENT });
    }
    const result = z.array(slotSchema).safeParse(parsed);
    if (!result.success) {
      throw new AdapterError(`${where} holds slots of the wrong shape under "${CIRCUIT_SLOTS_KEY}"; fix it or delete the ConfigMap (the breaker fails closed until then)`, { component: COMPONENT });
    }
    return result.data.map((slot) => ({ at: slot.at, target: slot.target, holder: slot.holder, ...(slot.step ? { step: slot.step } : {}) })).sort((a, b) => a.at - b.at);
  }

  async function get(signal?: AbortSignal): Promise<V1ConfigMap | undefined> {
    try {
      return await callApi(call('get'), signal, () => api.readNamespacedConfigMap({ name: config.name, namespace: config.namespace }, opts(signal)));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async function read(callOptions?: CallOptions): Promise<CircuitSlot[]> {
    const configMap = await get(callOptions?.signal);
    return configMap ? slotsOf(configMap) : [];
  }

  async function take(slot: CircuitSlot, limits: CircuitLimits, callOptions?: CallOptions): Promise<{ taken: boolean; slots: CircuitSlot[] }> {
    const signal = callOptions?.signal;
    for (let attempt = 0; ; attempt++) {
      const configMap = await get(signal);
      const slots = configMap ? slotsOf(configMap) : [];
      const inWindow = slots.filter((existing) => existing.at > slot.at - limits.windowMs);
      if (limits.force !== true && inWindow.length >= limits.maxActions) return { taken: false, slots: inWindow };
      const kept = [...slots.filter((existing) => existing.at > slot.at - HISTORY_MS), slot].sort((a, b) => a.at - b.at).slice(-MAX_SLOTS);
      const data = { [CIRCUIT_SLOTS_KEY]: JSON.stringify(kept) };
      try {
        if (configMap) {
          // The PUT carries the resourceVersion read: if another process took a slot meanwhile, 409 and count again.
          await callApi(call('update'), signal, () =>
            api.replaceNamespacedConfigMap({ name: config.name, namespace: config.namespace, body: { ...configMap, data: { ...configMap.data, ...data } } }, opts(signal)),
          );
        } else {
          const body: V1ConfigMap = {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: config.name, namespace: config.namespace, labels: { 'app.kubernetes.io/managed-by': 'autoheal', 'app.kubernetes.io/component': 'circuit-breaker' } },
            data,
          };
          await callApi(call('create'), signal, () => api.createNamespacedConfigMap({ namespace: config.namespace, body }, opts(signal)));
        }
        return { taken: true, slots: [...inWindow, slot] };
      } catch (error) {
        // 409: another process wrote (or created) it first; count again on what it wrote.
        if (!isConflict(error) || attempt >= config.conflictRetries) throw error;
      }
    }
  }

  return { name: `kubernetes configmap ${config.namespace}/${config.name}`, read, take };
}

/**
 * Leader election on a `coordination.k8s.io/v1` Lease, following client-go's
 * `tools/leaderelection` algorithm (client-node has none), so that two autoheal replicas never act
 * on the same cluster at once.
 */
import { AutohealError, parseWithSchema, systemClock, type ActionFence, type Clock } from '@autoheal/core';
import { CoordinationV1Api, KubeConfig, V1MicroTime, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import { z } from 'zod';
import { callApi, isConflict, isNotFound, requestOptions, type CallDescription } from './api-call.js';
import { loadKubeConfig } from './kube-config.js';

const COMPONENT = 'kubernetes';
// client-go's JitterFactor: waits are stretched by up to 20% so replicas do not retry in lockstep.
const JITTER_FACTOR = 1.2;

/** Schema of {@link LeaderElectorOptions}. */
export const leaderElectorOptionsSchema = z
  .object({
    /** An already loaded `KubeConfig` (e.g. `healer.kubeConfig`). */
    kubeConfig: z.custom<KubeConfig>((value) => value instanceof KubeConfig, 'must be a KubeConfig from @kubernetes/client-node').optional(),
    /** Path of a kubeconfig file (when `kubeConfig` is not given). */
    kubeconfigPath: z.string().min(1).optional(),
    /** A kubeconfig as a YAML string. */
    kubeconfigYaml: z.string().min(1).optional(),
    /** Use the in-cluster service account. */
    inCluster: z.boolean().optional(),
    /** Context of the kubeconfig to use. */
    context: z.string().min(1).optional(),
    /** Namespace of the Lease. */
    namespace: z.string().min(1),
    /** Name of the Lease, shared by every replica that competes. */
    name: z.string().min(1),
    /** This replica's identity (unique per replica: the pod name is the usual choice). */
    identity: z.string().min(1),
    /**
     * How long a leader's claim is valid without renewal; others wait this long after the Lease last changed.
     * @default 15000
     */
    leaseDurationMs: z.number().int().min(1000).default(15_000),
    /**
     * The leader gives up leadership when it could not renew for this long.
     * @default 10000
     */
    renewDeadlineMs: z.number().int().positive().default(10_000),
    /**
     * How often to try to acquire or renew.
     * @default 2000
     */
    retryPeriodMs: z.number().int().positive().default(2_000),
    /** Time source (tests inject a fake). @default the system clock */
    clock: z.custom<Clock>((value) => typeof (value as Clock | undefined)?.now === 'function' && typeof (value as Clock).sleep === 'function').optional(),
    /**
     * Time limit of every API request, in ms.
     * @default 5000
     */
    requestTimeoutMs: z.number().int().positive().default(5_000),
    /** Called with errors of background attempts (they are retried, never thrown). */
    onError: z.custom<(error: AutohealError) => void>((value) => typeof value === 'function').optional(),
  })
  .superRefine((value, ctx) => {
    // The same constraints client-go's NewLeaderElector enforces.
    if (value.leaseDurationMs <= value.renewDeadlineMs) {
      ctx.addIssue({ code: 'custom', path: ['renewDeadlineMs'], message: 'must be less than leaseDurationMs' });
    }
    if (value.renewDeadlineMs <= JITTER_FACTOR * value.retryPeriodMs) {
      ctx.addIssue({ code: 'custom', path: ['retryPeriodMs'], message: `must be less than renewDeadlineMs / ${JITTER_FACTOR}` });
    }
  });

/** What {@link createLeaderElector} accepts. */
export type LeaderElectorOptions = z.input<typeof leaderElectorOptionsSchema>;

/** Competes for a Lease; exactly one running elector per Lease is leader at a time. */
export interface LeaderElector {
  /** This replica's identity. */
  readonly identity: string;
  /**
   * Runs the acquire/renew loop until `signal` aborts, then releases the Lease if held. Resolves
   * when the loop has stopped. Background API errors go to `onError` and are retried.
   */
  start(signal?: AbortSignal): Promise<void>;
  /** True while this replica holds the Lease and renewed it within `renewDeadlineMs`. */
  isLeader(): boolean;
  /** Calls `listener` on every change of leadership; returns a function that unsubscribes. */
  onChange(listener: (isLeader: boolean) => void): () => void;
  /**
   * Stops competing and gives the Lease up now (empty holder), so another replica takes over without
   * waiting for it to expire. `start` resolves afterwards.
   */
  release(): Promise<void>;
  /** One acquire-or-renew attempt (what the loop runs every retry period); true when this replica holds the Lease after it. */
  tryAcquireOrRenew(signal?: AbortSignal): Promise<boolean>;
  /**
   * The fence for `@autoheal/core`'s pipeline (`createPipeline({ fence })`): it lets a write through
   * only while this replica holds the Lease with at least `marginMs` of it left before another
   * replica may take it over (`leaseDurationMs` after the last renewal). The default margin,
   * `leaseDurationMs - renewDeadlineMs`, is what `isLeader()` already keeps.
   */
  fence(options?: { marginMs?: number }): ActionFence;
}

/** The fields of a Lease the algorithm compares to notice a change. */
function recordKey(spec: V1LeaseSpec | undefined): string {
  return JSON.stringify([
    spec?.holderIdentity ?? '',
    spec?.leaseDurationSeconds ?? 0,
    spec?.acquireTime ? String(spec.acquireTime instanceof Date ? spec.acquireTime.toISOString() : spec.acquireTime) : '',
    spec?.renewTime ? String(spec.renewTime instanceof Date ? spec.renewTime.toISOString() : spec.renewTime) : '',
    spec?.leaseTransitions ?? 0,
  ]);
}

/**
 * Creates a Lease-based leader elector.
 *
 * @example
 * const elector = createLeaderElector({ kubeConfig: healer.kubeConfig, namespace: 'autoheal', name: 'autoheal-leader', identity: process.env.POD_NAME ?? hostname() });
 * elector.onChange((leading) => console.log(leading ? 'leading' : 'standing by'));
 * const controller = new AbortController();
 * void elector.start(controller.signal);
 * // act only while elector.isLeader()
 */
export function createLeaderElector(options: LeaderElectorOptions): LeaderElector {
  const config = parseWithSchema(leaderElectorOptionsSchema, options, COMPONENT, 'invalid leader elector options');
  const kubeConfig = loadKubeConfig(config);
  const api = kubeConfig.makeApiClient(CoordinationV1Api);
  const clock = config.clock ?? systemClock;
  const listeners = new Set<(isLeader: boolean) => void>();
  const leaseSeconds = Math.ceil(config.leaseDurationMs / 1000);
  let leader = false;
  // When this replica last wrote the Lease successfully (acquire or renew).
  let lastRenewAt = 0;
  let observedKey = '';
  let observedTime = 0;
  let observedHolder = '';

  const call = (verb: CallDescription['verb']): CallDescription => ({
    verb,
    group: 'coordination.k8s.io',
    resource: 'leases',
    namespace: config.namespace,
    name: config.name,
  });
  const opts = (signal?: AbortSignal) => requestOptions(config.requestTimeoutMs, signal);

  const setLeader = (value: boolean) => {
    if (leader === value) return;
    leader = value;
    for (const listener of listeners) {
      try {
        listener(value);
      } catch (error) {
        reportError(error);
      }
    }
  };

  const reportError = (error: unknown) => {
    const wrapped = AutohealError.isInstance(error)
      ? error
      : new AutohealError(`leader election: ${error instanceof Error ? error.message : String(error)}`, { component: COMPONENT, code: 'ADAPTER_FAILED', cause: error });
    config.onError?.(wrapped);
  };

  const observe = (spec: V1LeaseSpec | undefined) => {
    const key = recordKey(spec);
    observedHolder = spec?.holderIdentity ?? '';
    if (key !== observedKey) {
      observedKey = key;
      // Expiry is judged on our own clock from when we saw the record change, never on the holder's renewTime (clock skew).
      observedTime = clock.now();
    }
  };

  async function tryAcquireOrRenew(signal?: AbortSignal): Promise<boolean> {
    const now = clock.now();
    let lease: V1Lease;
    try {
      lease = await callApi(call('get'), signal, () => api.readNamespacedLease({ name: config.name, namespace: config.namespace }, opts(signal)));
    } catch (error) {
      if (!isNotFound(error)) throw error;
      const body: V1Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: config.name, namespace: config.namespace },
        spec: {
          holderIdentity: config.identity,
          leaseDurationSeconds: leaseSeconds,
          acquireTime: new V1MicroTime(now),
          renewTime: new V1MicroTime(now),
          leaseTransitions: 0,
        },
      };
      try {
        const created = await callApi(call('create'), signal, () => api.createNamespacedLease({ namespace: config.namespace, body }, opts(signal)));
        observe(created.spec);
        lastRenewAt = now;
        return true;
      } catch (createError) {
        // Another replica created it first.
        if (isConflict(createError)) return false;
        throw createError;
      }
    }
    observe(lease.spec);
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder !== '' && holder !== config.identity && observedTime + (lease.spec?.leaseDurationSeconds ?? leaseSeconds) * 1000 > now) {
      return false;
    }
    const wasHolder = holder === config.identity;
    lease.spec = {
      ...lease.spec,
      holderIdentity: config.identity,
      leaseDurationSeconds: leaseSeconds,
      renewTime: new V1MicroTime(now),
      acquireTime: wasHolder && lease.spec?.acquireTime ? new V1MicroTime(new Date(lease.spec.acquireTime as unknown as string)) : new V1MicroTime(now),
      leaseTransitions: wasHolder ? (lease.spec?.leaseTransitions ?? 0) : (lease.spec?.leaseTransitions ?? 0) + 1,
    };
    try {
      // The PUT carries the resourceVersion we read: if anyone wrote in between, we get a 409 and did not win.
      const updated = await callApi(call('update'), signal, () =>
        api.replaceNamespacedLease({ name: config.name, namespace: config.namespace, body: lease }, opts(signal)),
      );
      observe(updated.spec);
      lastRenewAt = now;
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  async function attempt(signal?: AbortSignal): Promise<boolean> {
    try {
      return await tryAcquireOrRenew(signal);
    } catch (error) {
      if (signal?.aborted) return false;
      reportError(error);
      return false;
    }
  }

  const jittered = (ms: number) => ms + Math.random() * (JITTER_FACTOR - 1) * ms;

  let stopLoop: AbortController | undefined;
  let releasing: Promise<void> | undefined;

  function release(): Promise<void> {
    // Stop competing first, or the loop would take the Lease straight back.
    stopLoop?.abort();
    if (!leader) return releasing ?? Promise.resolve();
    releasing ??= giveUp().finally(() => {
      releasing = undefined;
    });
    return releasing;
  }

  async function giveUp(): Promise<void> {
    try {
      const lease = await callApi(call('get'), undefined, () => api.readNamespacedLease({ name: config.name, namespace: config.namespace }, opts()));
      if (lease.spec?.holderIdentity === config.identity) {
        const now = new V1MicroTime(clock.now());
        // What client-go writes on release: no holder, a 1 s duration, so others take over at once.
        lease.spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now };
        await callApi(call('update'), undefined, () =>
          api.replaceNamespacedLease({ name: config.name, namespace: config.namespace, body: lease }, opts()),
        );
      }
    } catch (error) {
      reportError(error);
    } finally {
      setLeader(false);
    }
  }

  let running: Promise<void> | undefined;

  function start(outer?: AbortSignal): Promise<void> {
    // One loop per elector: a second start() joins the running one instead of competing with itself.
    running ??= run(outer).finally(() => {
      running = undefined;
    });
    return running;
  }

  async function run(outer?: AbortSignal): Promise<void> {
    stopLoop = new AbortController();
    const signal = outer ? AbortSignal.any([outer, stopLoop.signal]) : stopLoop.signal;
    const sleep = async (ms: number) => {
      try {
        await clock.sleep(ms, signal);
      } catch {
        // aborted: the loop condition ends it
      }
    };
    while (!signal?.aborted) {
      // Acquire: retry every period until we hold the Lease.
      if (!(await attempt(signal))) {
        await sleep(jittered(config.retryPeriodMs));
        continue;
      }
      setLeader(true);
      let lastRenew = clock.now();
      // Renew: every period; give up when renewals keep failing past the deadline or someone else holds it.
      while (!signal?.aborted && leader) {
        await sleep(config.retryPeriodMs);
        if (signal?.aborted) break;
        if (await attempt(signal)) {
          lastRenew = clock.now();
        } else if (clock.now() - lastRenew >= config.renewDeadlineMs || JSON.parse(observedKey || '[""]')[0] !== config.identity) {
          setLeader(false);
        }
      }
    }
    await release();
  }

  return {
    identity: config.identity,
    start,
    // A replica that has not renewed within the renew deadline (stalled loop, event-loop stall) is not
    // leader any more, even before its loop notices: another may take over once the lease expires.
    isLeader: () => leader && clock.now() - lastRenewAt < config.renewDeadlineMs,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    release,
    tryAcquireOrRenew,
    fence(fenceOptions = {}) {
      const marginMs = fenceOptions.marginMs ?? config.leaseDurationMs - config.renewDeadlineMs;
      const lease = `${config.namespace}/${config.name}`;
      return {
        check() {
          if (!leader) {
            const holder = observedHolder && observedHolder !== config.identity ? `it is held by ${observedHolder}` : 'this replica does not hold it';
            return `not the leader: the Lease ${lease} is not ours (${holder})`;
          }
          const left = lastRenewAt + config.leaseDurationMs - clock.now();
          if (left < marginMs) return `not the leader with time to spare: the Lease ${lease} was last renewed ${clock.now() - lastRenewAt} ms ago, ${Math.max(0, left)} ms of it left (needs ${marginMs})`;
          return undefined;
        },
      };
    },
  };
}

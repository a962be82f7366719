/**
 * Leader election for every command that acts on the cluster (`serve`, `watch`, `run`), so that with
 * `leaderElection.enabled` only the holder of the Lease evaluates and heals, whichever command it
 * runs. One place builds the elector, logs its changes and its errors, and answers the questions the
 * commands ask: may I act now (`isLeader`, `check`), and — for `run` — can I lead within a bound
 * (`waitForLeadership`). Without leader election every answer is "yes, act".
 */
import { hostname } from 'node:os';
import type { ActionFence, Healer } from '@autoheal/core';
import type { Logger } from 'pino';
import { kubeconfigFromConfig } from './config/adapter-options.js';
import type { AutohealConfig } from './config/config-schema.js';

/** The Lease this process competes for. */
export interface LeaseRef {
  namespace: string;
  name: string;
  /** This process's identity in the Lease's `holderIdentity`. */
  identity: string;
}

/** Whether this process may act, and the Lease behind the answer. */
export interface Leadership {
  /** The Lease, when leader election is on. */
  readonly lease: LeaseRef | undefined;
  /** True while this process may act: it holds the Lease (renewed in time), or leader election is off. */
  isLeader(): boolean;
  /**
   * `undefined` while this process may act — it leads with at least {@link FENCE_MARGIN_MS} of the
   * Lease left — otherwise why not, in words. The shape of core's action fence, so that the pipeline
   * can ask it before its claim and every mutating call.
   */
  check(): string | undefined;
  /** Resolves `true` once this process leads, `false` when `withinMs` passed or `signal` aborted first. */
  waitForLeadership(withinMs: number, signal?: AbortSignal): Promise<boolean>;
  /** Calls `listener` on every change of leadership; returns a function that unsubscribes. */
  onChange(listener: (leading: boolean) => void): () => void;
  /** Stops competing and gives the Lease up at once (another process takes over without waiting for it to expire). */
  stop(): Promise<void>;
}

/** The command a Lease holder can use to see who leads, for messages. */
export function holderCommand(lease: LeaseRef): string {
  return `kubectl -n ${lease.namespace} get lease ${lease.name} -o jsonpath='{.spec.holderIdentity}'`;
}

/**
 * How much of the Lease must be left for a write to go out: the healer's request time limit (10 s),
 * so a write sent while leading lands before the Lease could pass to another process.
 */
export const FENCE_MARGIN_MS = 10_000;

/**
 * The action fence a pipeline asks before its claim and every mutating call, for a leadership that
 * starts after the pipeline is built (the elector reuses the healer's kubeconfig). `undefined`
 * without leader election: nothing to fence. Until the leadership exists, nothing may be written.
 */
export function leadershipFence(config: AutohealConfig, current: () => Leadership | undefined): ActionFence | undefined {
  if (!config.leaderElection?.enabled) return undefined;
  return {
    check() {
      const leadership = current();
      return leadership ? leadership.check() : 'leader election has not started yet';
    },
  };
}

/** Leadership without leader election: this process always acts. */
export const ALWAYS_LEADING: Leadership = {
  lease: undefined,
  isLeader: () => true,
  check: () => undefined,
  waitForLeadership: async () => true,
  onChange: () => () => undefined,
  stop: async () => undefined,
};

/**
 * Starts competing for the Lease named by `config.leaderElection` (nothing to do when it is off).
 * The elector reaches the cluster with the healer's kubeconfig when the healer has one, else with the
 * config's `kubernetes` section (the same loading rules as the healer).
 *
 * @example
 * const leadership = await startLeadership(config, autoheal.healer, logger);
 * await pipeline.watch(async () => (leadership.isLeader() ? config.targets : []), { signal });
 * await leadership.stop();
 */
export async function startLeadership(config: AutohealConfig, healer: Healer | undefined, logger: Logger): Promise<Leadership> {
  const election = config.leaderElection;
  if (!election?.enabled) return ALWAYS_LEADING;
  const { createLeaderElector } = await import('@autoheal/adapter-kubernetes');
  const kubeConfig = (healer as { kubeConfig?: unknown } | undefined)?.kubeConfig;
  const lease: LeaseRef = { namespace: election.namespace, name: election.leaseName, identity: election.identity ?? process.env.POD_NAME ?? `${hostname()}-${process.pid}` };
  const leaseText = `${lease.namespace}/${lease.name}`;
  // The elector retries every couple of seconds: a lasting problem (a missing namespace, a missing
  // permission) is logged when it first appears and when it changes, not on every attempt.
  let lastError: string | undefined;
  const elector = createLeaderElector({
    ...(kubeConfig ? { kubeConfig: kubeConfig as never } : kubeconfigFromConfig(config)),
    namespace: lease.namespace,
    name: lease.name,
    identity: lease.identity,
    onError: (error) => {
      if (error.message === lastError) return;
      lastError = error.message;
      logger.warn({ err: error, lease: leaseText }, 'leader election attempt failed (retrying; logged again only if the error changes)');
    },
  });
  logger.info({ lease: leaseText, identity: lease.identity }, 'leader election on: evaluating and healing only while holding the Lease');
  elector.onChange((leading) => {
    lastError = undefined;
    logger.info({ leading, lease: leaseText, identity: lease.identity }, leading ? 'leading: this process evaluates and heals' : 'standing by: another process holds the Lease');
  });
  const fence = elector.fence({ marginMs: FENCE_MARGIN_MS });
  const stopping = new AbortController();
  const loop = elector.start(stopping.signal).catch((error: unknown) => logger.error({ err: error, lease: leaseText }, 'leader election stopped'));

  return {
    lease,
    isLeader: () => elector.isLeader(),
    // Leading is not enough for a write: the Lease must have time to spare (FENCE_MARGIN_MS).
    check: () => {
      const refusal = fence.check();
      return refusal === undefined ? undefined : `${refusal} (${holderCommand(lease)})`;
    },
    waitForLeadership(withinMs, signal) {
      if (elector.isLeader()) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const finish = (leading: boolean) => {
          clearTimeout(timer);
          unsubscribe();
          signal?.removeEventListener('abort', onAbort);
          resolve(leading);
        };
        const onAbort = () => finish(false);
        const timer = setTimeout(() => finish(elector.isLeader()), withinMs);
        const unsubscribe = elector.onChange((leading) => {
          if (leading) finish(true);
        });
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    onChange: (listener) => elector.onChange(listener),
    async stop() {
      stopping.abort();
      // release() reports its own failures through onError (the Lease then expires by itself).
      await elector.release();
      await loop;
    },
  };
}

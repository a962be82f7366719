/**
 * `startSandbox`: the simulated cluster behind a Kubernetes-compatible API server, with
 * `/metrics` and the control API on the same port and a kubeconfig pointing at it. In real time a
 * timer steps the simulation every `tickMs`; in virtual time nothing moves until `advance()`.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createApiServer } from './api/api-server.js';
import { createRequestLog, type RequestLog } from './api/request-log.js';
import { writeKubeconfig } from './api/kubeconfig.js';
import type { MetricSample } from './metrics/metric-families.js';
import { createControlRoutes } from './sandbox-control-api.js';
import { createRealClock, createVirtualClock, defaultVirtualStartTime } from './base/sandbox-clock.js';
import {
  type DeploymentRef,
  type FaultSpec,
  type LoadSpec,
  demoWorkloads,
  parseOrThrow,
  workloadSpecSchema,
} from './sim/simulation-options.js';
import { type Simulation, createSimulation } from './sim/simulation.js';
import type { ObjectStore } from './store/types.js';
import type { SandboxClock } from './base/sandbox-clock.js';

/** Options of `startSandbox`. */
export const sandboxOptionsSchema = z.object({
  /** Port of the API server (0 = any free port). @default 0 */
  port: z.number().int().min(0, 'must be 0 (any free port) or a port number').max(65535, 'must be at most 65535').default(0),
  /** Address to listen on; keep it on loopback. @default '127.0.0.1' */
  host: z.string().min(1).default('127.0.0.1'),
  /** `real`: a timer steps the simulation; `virtual`: only `advance()` does. @default 'real' */
  time: z.enum(['real', 'virtual'], { message: 'must be "real" or "virtual"' }).default('real'),
  /** Seed of every random choice. @default 1 */
  seed: z.number().int('must be an integer').default(1),
  /** Simulated step in milliseconds. @default 1000 */
  tickMs: z.number().int().min(100, 'must be at least 100 ms').max(60_000, 'must be at most 60000 ms').default(1000),
  /** Workloads to create. @default prod/backend (3 replicas) and prod/frontend (2 replicas) */
  deployments: z.array(workloadSpecSchema).default(demoWorkloads),
  /** Where to write the kubeconfig. @default a file in a new temporary directory */
  kubeconfigPath: z.string().min(1, 'must be a file path').optional(),
  /** Bearer token written into the kubeconfig. @default 'sandbox-admin' */
  token: z.string().min(1, 'must not be empty').optional(),
  /**
   * Writes the store remembers for watches that resume from a resourceVersion; an older one gets
   * 410 Expired (clients re-list). Small values let tests see a re-list. @default 10000
   */
  historyLimit: z.number().int().min(1, 'must be at least 1').optional(),
  /** Requests the request log keeps (the newest; 0 keeps none). @default 10000 */
  requestLogLimit: z.number().int().min(0).default(10_000),
  /**
   * Create autoheal's own namespace (`autoheal`, where its Lease and circuit-breaker ConfigMap live),
   * as a cluster where autoheal is installed has it. `false` for a cluster autoheal's manifests are
   * about to be applied to (they create it). @default true
   */
  autohealNamespace: z.boolean().default(true),
});
export type SandboxOptions = z.input<typeof sandboxOptionsSchema>;

/** Callbacks of `startSandbox` that are not data, so not part of the validated options. */
export interface SandboxHooks {
  /**
   * Receives failures of the background work (real-time steps and reconciliations), which are
   * never thrown into the timer. @default logs with `console.error`
   */
  onError?: (error: unknown) => void;
}

/** A running sandbox. */
export interface Sandbox {
  /** Base URL of the Kubernetes API, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** `url + '/metrics'`. */
  readonly metricsUrl: string;
  readonly kubeconfigPath: string;
  readonly store: ObjectStore;
  readonly clock: SandboxClock;
  /** The simulation, for direct healing hooks (`restart`, `scale`, `rollback`, `exec`, `state`). */
  readonly simulation: Simulation;
  /** Virtual time only: runs the controllers and the simulation forward by `ms`. */
  advance(ms: number): void;
  injectFault(spec: FaultSpec): void;
  clearFaults(ref: DeploymentRef): void;
  setLoad(spec: LoadSpec): void;
  /**
   * Every request the API server answered (user, verb, resource, name, query, write bodies,
   * status, sandbox time), like an audit log: what reached the "cluster", whatever the client says.
   */
  readonly requestLog: RequestLog;
  /** Exactly the samples `/metrics` renders now. */
  scrape(): MetricSample[];
  renderMetrics(): string;
  /** Cuts every open watch stream (see the API server's `dropWatches`); answers how many. */
  dropWatches(mode?: 'reset' | 'end'): number;
  /** Stops the timer and the server. */
  close(): Promise<void>;
}

/**
 * Starts a sandbox.
 *
 * @example
 * const sandbox = await startSandbox({ time: 'real' });
 * // KUBECONFIG=sandbox.kubeconfigPath kubectl -n prod get deployments
 * sandbox.injectFault({ namespace: 'prod', deployment: 'backend', type: 'memory-leak' });
 * await sandbox.close();
 */
export async function startSandbox(options: SandboxOptions = {}, hooks: SandboxHooks = {}): Promise<Sandbox> {
  const resolved = parseOrThrow(sandboxOptionsSchema, options, 'sandbox options');
  const onError = hooks.onError ?? ((error: unknown) => console.error('[autoheal] [sandbox] background step failed:', error));
  /** Runs background work; a failure is reported, and the sandbox keeps running. */
  const guarded = (work: () => void) => {
    try {
      work();
    } catch (error) {
      onError(error);
    }
  };
  const virtualTime = resolved.time === 'virtual';
  const clock = virtualTime ? createVirtualClock(defaultVirtualStartTime) : createRealClock();

  // In real time, API writes (kubectl, the healer) are reconciled right away rather than at the
  // next tick, as a real controller reacts to watch events.
  let reconcileScheduled = false;
  let closed = false;
  const simulation = createSimulation(
    { seed: resolved.seed, tickMs: resolved.tickMs, deployments: resolved.deployments },
    {
      clock,
      ...(resolved.historyLimit ? { historyLimit: resolved.historyLimit } : {}),
      onChange: virtualTime
        ? undefined
        : () => {
            if (reconcileScheduled || closed) return;
            reconcileScheduled = true;
            setImmediate(() => {
              reconcileScheduled = false;
              if (!closed) guarded(() => simulation.reconcile());
            });
          },
    },
  );

  // autoheal's own namespace, as a cluster where it is installed has (its Lease and circuit-breaker ConfigMap live there).
  if (resolved.autohealNamespace && !simulation.store.get('/namespaces', undefined, 'autoheal')) {
    simulation.store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'autoheal', labels: { 'kubernetes.io/metadata.name': 'autoheal' } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  }
  const requestLog = createRequestLog({ limit: resolved.requestLogLimit });
  const apiServer = createApiServer({
    store: simulation.store,
    clock,
    exec: simulation.execHandler,
    extraRoutes: createControlRoutes({ simulation, virtualTime }),
    requestLog,
  });
  const url = await apiServer.listen(resolved.port, resolved.host);
  const kubeconfigPath = resolved.kubeconfigPath ?? join(await mkdtemp(join(tmpdir(), 'autoheal-sandbox-')), 'kubeconfig');
  await writeKubeconfig(kubeconfigPath, url, resolved.token ? { token: resolved.token } : {});

  let timer: NodeJS.Timeout | undefined;
  if (!virtualTime) {
    let lastTick = clock.now();
    timer = setInterval(() => {
      const now = clock.now();
      guarded(() => simulation.tick(now - lastTick));
      lastTick = now;
    }, resolved.tickMs);
    timer.unref();
  }

  return {
    url,
    metricsUrl: `${url}/metrics`,
    kubeconfigPath,
    store: simulation.store,
    clock,
    simulation,
    advance: (ms) => simulation.advance(ms),
    injectFault: (spec) => simulation.injectFault(spec),
    clearFaults: (ref) => simulation.clearFaults(ref),
    setLoad: (spec) => simulation.setLoad(spec),
    requestLog,
    dropWatches: (mode) => apiServer.dropWatches(mode),
    scrape: () => simulation.scrape(),
    renderMetrics: () => simulation.renderMetrics(),
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      await apiServer.close();
      simulation.close();
    },
  };
}

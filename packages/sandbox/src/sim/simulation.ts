/**
 * `createSimulation`: a whole simulated cluster without any HTTP server. It wires the object store,
 * the controllers (Deployment, ReplicaSet, HPA, sharing one event recorder), the kubelet, the
 * workload model, faults, metrics and the ground truth, and steps them in a fixed order. In virtual
 * time it is fast and deterministic (same seed → same run), which is what tests and the trainer
 * need; the sandbox server drives the same object in real time.
 */
import type { ExecHandler, ExecResult } from '../base/exec-handler.js';
import { type Deployment, type Pod, type ReplicaSet, objectKey } from '../base/kube-types.js';
import { type SandboxClock, type VirtualClock, createVirtualClock } from '../base/sandbox-clock.js';
import { createSeededRandom } from '../base/seeded-random.js';
import { notFound } from '../base/status-error.js';
import { createClusterCache } from '../controller/cluster-cache.js';
import { createDeploymentController } from '../controller/deployment-controller.js';
import { createEventRecorder } from '../controller/event-recorder.js';
import { createHpaController } from '../controller/hpa-controller.js';
import { type RollbackResult, rollbackDeployment } from '../controller/rollback.js';
import { createMetricsCollector } from '../metrics/collect-metrics.js';
import type { MetricFamily, MetricSample } from '../metrics/metric-families.js';
import { renderPrometheusText } from '../metrics/prometheus-text.js';
import { createObjectStore } from '../store/object-store.js';
import type { ObjectStore, StoreEvent } from '../store/types.js';
import { type ActiveFault, defaultSaturationRampMs, startIfDue, stepFaults } from './faults.js';
import { type WorkloadTruth, createTruthRecorder } from './ground-truth.js';
import { createKubelet } from './kubelet.js';
import { assertReplicaCount, restartDeployment, scaleDeployment, setDeploymentImage } from './kubectl-actions.js';
import { type SimulationState, simulationState } from './simulation-state.js';
import {
  type DeploymentRef,
  type FaultSpec,
  type LoadSpec,
  type SimulationOptions,
  type WorkloadSpec,
  deploymentRefSchema,
  faultSpecSchema,
  loadSpecSchema,
  parseOrThrow,
  simulationOptionsSchema,
  workloadSpecSchema,
} from './simulation-options.js';
import { createWorkloadObjects } from './workload-objects.js';
import { type Workload, createWorkload, simulateWorkload } from './workload-model.js';

const hpaSyncIntervalMs = 15_000;
const eventExpiryIntervalMs = 60_000;

export type { ActiveFault } from './faults.js';
export type { SimulationState } from './simulation-state.js';

/** The simulated cluster. */
export interface Simulation {
  readonly store: ObjectStore;
  readonly clock: SandboxClock;
  /** The simulated step in milliseconds. */
  readonly tickMs: number;
  /** The exec implementation the API server frames over WebSockets. */
  readonly execHandler: ExecHandler;
  /** Virtual time only: runs the cluster forward by `ms`, in `tickMs` steps. */
  advance(ms: number): void;
  /** Runs one step of `dtMs` ending at `clock.now()` (the real-time driver calls this). */
  tick(dtMs: number): void;
  /** Lets the controllers react to changes made since the last step, without moving time. */
  reconcile(): void;
  /** Adds a workload (namespace, Deployment, Service, optional HPA). */
  addWorkload(spec: WorkloadSpec): void;
  injectFault(spec: FaultSpec): void;
  clearFaults(ref: DeploymentRef): void;
  setLoad(spec: LoadSpec): void;
  /** Every sample `/metrics` shows now. */
  scrape(): MetricSample[];
  /** The metric families (with HELP/TYPE) `/metrics` shows now. */
  collect(): MetricFamily[];
  /** `/metrics` as Prometheus text. */
  renderMetrics(): string;
  /** `kubectl rollout restart`: sets the restartedAt annotation on the pod template. */
  restart(namespace: string, name: string): void;
  /** `kubectl scale`. */
  scale(namespace: string, name: string, replicas: number): void;
  /** `kubectl rollout undo [--to-revision]`. */
  rollback(namespace: string, name: string, toRevision?: number): RollbackResult;
  /** `kubectl set image` of the first container: a normal (good) release. */
  setImage(namespace: string, name: string, image: string): void;
  /** `kubectl exec` into a pod. */
  exec(namespace: string, pod: string, command: string[], container?: string): Promise<ExecResult>;
  /** `exec` without the Promise, for fast training loops. */
  execSync(namespace: string, pod: string, command: string[], container?: string): ExecResult;
  /** Names of a Deployment's pods, oldest first. */
  podsOf(namespace: string, name: string): string[];
  state(): SimulationState;
  /** The ground truth of every workload: every request, every failure, every breach of the objective. */
  truth(): WorkloadTruth[];
  /** The ground truth of one workload; 404 `StatusError` when the simulation has no such Deployment. */
  truthOf(namespace: string, name: string): WorkloadTruth;
  /** Stops following the store. */
  close(): void;
}

/** Internals the sandbox server passes in; not part of the validated options. */
export interface SimulationRuntimeOptions {
  /** @default a virtual clock starting at `startTime` */
  clock?: SandboxClock & { kind?: 'virtual' | 'real' };
  /** Writes kept for watches (see the store's `historyLimit`). @default 10000 */
  historyLimit?: number;
  /** Called when a store change needs the controllers (real time reconciles promptly). */
  onChange?: () => void;
}

/** Internals the sandbox server passes in; not part of the validated options. */
export interface SimulationRuntimeOptions {
  /** @default a virtual clock starting at `startTime` */
  clock?: SandboxClock & { kind?: 'virtual' | 'real' };
  /** Writes kept for watches (see the store's `historyLimit`). @default 10000 */
  historyLimit?: number;
  /** Called when a store change needs the controllers (real time reconciles promptly). */
  onChange?: () => void;
}

/**
 * Creates a simulated cluster with the given workloads.
 *
 * @example
 * const simulation = createSimulation({ seed: 7, deployments: [{ namespace: 'prod', name: 'backend', replicas: 3 }] });
 * simulation.advance(60_000);
 * simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'memory-leak', strength: 0.5 });
 * simulation.advance(10 * 60_000);
 * const samples = simulation.scrape();
 * const { failedRequests, breached } = simulation.truthOf('prod', 'backend');
 */
export function createSimulation(options: SimulationOptions = {}, runtimeOptions: SimulationRuntimeOptions = {}): Simulation {
  const resolved = parseOrThrow(simulationOptionsSchema, options, 'simulation options');
  const clock: SandboxClock & { kind?: 'virtual' | 'real' } = runtimeOptions.clock ?? createVirtualClock(resolved.startTime);
  const seedRandom = createSeededRandom(resolved.seed);
  const uidRandom = seedRandom.fork('uids');
  const store = createObjectStore({ clock, newUid: () => uidRandom.uuid(), ...(runtimeOptions.historyLimit ? { historyLimit: runtimeOptions.historyLimit } : {}) });
  const workloads = new Map<string, Workload>();
  const requestedLoad = new Map<string, number>();
  let starting = true;
  let lastHpaSync = clock.now();
  let lastEventExpiry = clock.now();

  function ensureWorkload(namespace: string, name: string): Workload {
    const key = objectKey(namespace, name);
    let workload = workloads.get(key);
    if (!workload) {
      workload = createWorkload({
        namespace,
        name,
        // Each Deployment has its own generator, so its behaviour does not depend on the others.
        random: seedRandom.fork(`workload:${key}`),
        replicas: cache.get<Deployment>('apps/deployments', namespace, name)?.spec.replicas ?? 1,
        requestsPerSecond: requestedLoad.get(key),
        truth: createTruthRecorder(namespace, name, resolved.objective),
      });
      workloads.set(key, workload);
    }
    return workload;
  }

  function deploymentKeyOfPod(pod: Pod): string {
    const owner = pod.metadata.ownerReferences?.find((reference) => reference.controller && reference.kind === 'ReplicaSet');
    if (!owner) return '';
    const replicaSet = cache.get<ReplicaSet>('apps/replicasets', pod.metadata.namespace, owner.name);
    const deploymentOwner = replicaSet?.metadata.ownerReferences?.find((reference) => reference.controller && reference.kind === 'Deployment');
    return deploymentOwner ? objectKey(pod.metadata.namespace, deploymentOwner.name) : '';
  }

  function onStoreEvent(event: StoreEvent): void {
    const { metadata } = event.object;
    if (event.resource === 'apps/deployments' && event.type === 'ADDED') {
      ensureWorkload(metadata.namespace ?? 'default', metadata.name);
    } else if (event.resource === 'apps/deployments' && event.type === 'DELETED') {
      workloads.delete(objectKey(metadata.namespace, metadata.name));
    } else if (event.resource === '/pods') {
      const key = objectKey(metadata.namespace, metadata.name);
      if (event.type === 'ADDED' && !kubelet.runtimeOf(metadata.namespace, metadata.name)) {
        const pod = event.object as Pod;
        const deploymentKey = deploymentKeyOfPod(pod);
        const workload = workloads.get(deploymentKey);
        const runtime = kubelet.admit(pod, deploymentKey, workload?.random ?? seedRandom);
        workload?.pods.set(key, runtime);
      } else if (event.type === 'DELETED') {
        const runtime = kubelet.forget(metadata.namespace, metadata.name);
        if (runtime) workloads.get(runtime.deploymentKey)?.pods.delete(key);
      }
    }
    controller.handleEvent(event);
    if (runtimeOptions.onChange && controller.hasDirty()) runtimeOptions.onChange();
  }

  const cache = createClusterCache(store, (event) => onStoreEvent(event));
  const recorder = createEventRecorder({ store, clock });
  const controller = createDeploymentController({ store, cache, clock, recorder, random: seedRandom.fork('pod-names') });
  const kubelet = createKubelet({ store, cache, recorder });
  const hpaController = createHpaController({ store, cache, clock, recorder, cpuOf: (namespace, podName) => kubelet.cpuOf(namespace, podName) });

  function requireDeployment(namespace: string, name: string): Deployment {
    const deployment = cache.get<Deployment>('apps/deployments', namespace, name);
    if (!deployment) throw notFound('deployments', 'apps', name);
    return deployment;
  }

  function addWorkload(input: WorkloadSpec): void {
    const spec = parseOrThrow(workloadSpecSchema, input, 'workload');
    const key = objectKey(spec.namespace, spec.name);
    if (spec.requestsPerSecond !== undefined) requestedLoad.set(key, spec.requestsPerSecond);
    createWorkloadObjects(store, cache, spec);
    const workload = ensureWorkload(spec.namespace, spec.name);
    if (spec.requestsPerSecond !== undefined) workload.load.meanRequestsPerSecond = spec.requestsPerSecond;
    if (!starting) controller.reconcile();
  }

  /** One step, in a fixed order: faults start, containers live, traffic flows, then the controllers react. */
  function tick(dtMs: number): void {
    const now = clock.now();
    const dtSeconds = dtMs / 1000;
    for (const workload of workloads.values()) {
      for (const fault of workload.faults) startIfDue(fault, workload, now, { store, cache });
    }
    kubelet.advance(now, (runtime) => workloads.get(runtime.deploymentKey)?.random ?? seedRandom);
    for (const workload of workloads.values()) {
      const outcome = simulateWorkload(workload, stepFaults(workload, now, dtSeconds), now, dtSeconds);
      const desired = cache.get<Deployment>('apps/deployments', workload.namespace, workload.name)?.spec.replicas ?? 1;
      workload.truth.record(outcome, desired, now - dtMs, now);
    }
    kubelet.writeStatuses();
    controller.reconcile();
    if (now - lastHpaSync >= hpaSyncIntervalMs) {
      lastHpaSync = now;
      hpaController.sync();
      controller.reconcile();
    }
    if (now - lastEventExpiry >= eventExpiryIntervalMs) {
      lastEventExpiry = now;
      recorder.expire();
    }
  }

  function execSync(namespace: string, podName: string, command: string[], container?: string): ExecResult {
    const exec = kubelet.exec(namespace, podName, command, container);
    if (exec.clearsCache) {
      const workload = workloads.get(exec.runtime.deploymentKey);
      if (workload) workload.cacheBytes = 0;
    }
    return exec.result;
  }

  const metricsCollector = createMetricsCollector();
  function collect(): MetricFamily[] {
    return metricsCollector.collect({
      deployments: cache.all<Deployment>('apps/deployments'),
      replicaSets: cache.all<ReplicaSet>('apps/replicasets'),
      pods: cache.all<Pod>('/pods'),
      runtimeOf: (namespace, name) => kubelet.runtimeOf(namespace, name),
      ingresses: [...workloads.values()].map((workload) => ({ namespace: workload.namespace, name: workload.name, responses: workload.ingressResponses })),
    });
  }

  const simulation: Simulation = {
    store,
    clock,
    tickMs: resolved.tickMs,
    execHandler: async (request) => execSync(request.namespace, request.pod, request.command, request.container),
    advance(ms) {
      const virtualClock = clock as Partial<VirtualClock>;
      if (typeof virtualClock.advanceBy !== 'function') {
        throw new Error('[autoheal] [sandbox] advance() needs virtual time: start with time: "virtual"');
      }
      let remaining = ms;
      while (remaining > 0) {
        const step = Math.min(resolved.tickMs, remaining);
        virtualClock.advanceBy(step);
        tick(step);
        remaining -= step;
      }
    },
    tick,
    reconcile: () => controller.reconcile(),
    addWorkload,
    injectFault(input) {
      const spec = parseOrThrow(faultSpecSchema, input, 'fault');
      requireDeployment(spec.namespace, spec.deployment);
      const workload = ensureWorkload(spec.namespace, spec.deployment);
      const rampMs = spec.type === 'cpu-saturation' ? (spec.rampMs ?? defaultSaturationRampMs) : 0;
      const fault: ActiveFault = { type: spec.type, strength: spec.strength, startAt: spec.startAt ?? clock.now(), rampMs, peak: spec.peak ?? 'cpu-limit', applied: false };
      workload.faults.push(fault);
      if (startIfDue(fault, workload, clock.now(), { store, cache })) controller.reconcile();
    },
    clearFaults(input) {
      const ref = parseOrThrow(deploymentRefSchema, input, 'deployment reference');
      requireDeployment(ref.namespace, ref.deployment);
      const workload = workloads.get(objectKey(ref.namespace, ref.deployment));
      if (workload) workload.faults = [];
    },
    setLoad(input) {
      const spec = parseOrThrow(loadSpecSchema, input, 'load');
      requireDeployment(spec.namespace, spec.deployment);
      ensureWorkload(spec.namespace, spec.deployment).load.meanRequestsPerSecond = spec.requestsPerSecond;
    },
    scrape() {
      const samples: MetricSample[] = [];
      for (const family of collect()) for (const sample of family.samples) samples.push(sample);
      return samples;
    },
    collect,
    renderMetrics: () => renderPrometheusText(collect()),
    restart(namespace, name) {
      restartDeployment(store, requireDeployment(namespace, name), clock.now());
      controller.reconcile();
    },
    scale(namespace, name, replicas) {
      assertReplicaCount(replicas);
      scaleDeployment(store, requireDeployment(namespace, name), replicas);
      controller.reconcile();
    },
    rollback(namespace, name, toRevision = 0) {
      requireDeployment(namespace, name);
      const result = rollbackDeployment(store, cache, namespace, name, toRevision);
      controller.reconcile();
      return result;
    },
    setImage(namespace, name, image) {
      setDeploymentImage(store, requireDeployment(namespace, name), image);
      controller.reconcile();
    },
    exec: async (namespace, pod, command, container) => execSync(namespace, pod, command, container),
    execSync,
    podsOf(namespace, name) {
      const deployment = cache.get<Deployment>('apps/deployments', namespace, name);
      if (!deployment) return [];
      const pods: Pod[] = [];
      for (const replicaSet of cache.ownedBy<ReplicaSet>('apps/replicasets', deployment.metadata.uid ?? '')) {
        pods.push(...cache.ownedBy<Pod>('/pods', replicaSet.metadata.uid ?? ''));
      }
      return pods
        .sort((left, right) => (left.metadata.creationTimestamp ?? '').localeCompare(right.metadata.creationTimestamp ?? '') || left.metadata.name.localeCompare(right.metadata.name))
        .map((pod) => pod.metadata.name);
    },
    state: () => simulationState(workloads.values(), cache, clock.now()),
    truth: () => [...workloads.values()].map((workload) => workload.truth.snapshot(clock.now())),
    truthOf(namespace, name) {
      const workload = workloads.get(objectKey(namespace, name));
      if (!workload) throw notFound('deployments', 'apps', name);
      return workload.truth.snapshot(clock.now());
    },
    close: () => cache.close(),
  };

  // Create every workload first, then reconcile once: reconciling after each would make start-up
  // quadratic in the number of Deployments.
  for (const workload of resolved.deployments) addWorkload(workload);
  starting = false;
  controller.reconcile();
  return simulation;
}

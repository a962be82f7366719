/**
 * `createSimulation`: a whole simulated cluster — store, Deployment and HPA controllers, kubelet,
 * workloads, load, faults and metrics — without any HTTP server. In virtual time it is fast and
 * deterministic (same seed → same run), which is what tests and the trainer need; the sandbox
 * server drives the same object in real time.
 */
import { badRequest, notFound } from '../api/status-error.js';
import { createClusterCache } from '../controller/cluster-cache.js';
import { createDeploymentController } from '../controller/deployment-controller.js';
import { formatKubeTime, writeDeploymentSpec } from '../controller/deployment-util.js';
import { createHpaController } from '../controller/hpa-controller.js';
import {
  type Deployment,
  type Pod,
  type ReplicaSet,
  objectKey,
  restartedAtAnnotation,
} from '../controller/kube-types.js';
import { type RollbackResult, rollbackDeployment } from '../controller/rollback.js';
import { createMetricsCollector } from '../metrics/collect-metrics.js';
import type { MetricFamily, MetricSample } from '../metrics/metric-families.js';
import { renderPrometheusText } from '../metrics/prometheus-text.js';
import { createObjectStore } from '../store/object-store.js';
import type { ExecHandler, ExecResult, ObjectStore, SandboxClock, StoreEvent } from '../store/types.js';
import { interpretCommand } from './exec-command.js';
import { type LoadGenerator, createLoadGenerator } from './load-generator.js';
import {
  type PodRuntime,
  type WorkloadProfile,
  advanceLifecycle,
  badReleaseAnnotation,
  crashContainer,
  createPodRuntime,
  drawWorkloadProfile,
  markStatusWritten,
  podStatusOf,
  statusChanged,
  updateReadiness,
} from './pod-runtime.js';
import { createVirtualClock, type VirtualClock } from './sandbox-clock.js';
import { type SeededRandom, createSeededRandom } from './seeded-random.js';
import {
  type DeploymentRef,
  type FaultSpec,
  type FaultType,
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

const mebibyte = 1024 * 1024;
/** Memory a leak adds per second at strength 1: a 512 MiB container OOMs in about 3 minutes. */
const leakBytesPerSecond = 2 * mebibyte;
/** Cache growth per second at strength 1 (the cache lives on a volume shared by the pods). */
const cacheBytesPerSecond = 0.4 * mebibyte;
/** A bloated cache stops growing here (its eviction threshold). */
const maxCacheBytes = 240 * mebibyte;
/** Extra load multiplier of a traffic spike at strength 1 (cpu-saturation). */
const spikeFactorAtFullStrength = 5;
/** How long a failed readiness probe keeps a saturated pod out of the endpoints. */
const readinessFailureMs = 10_000;
const hpaSyncIntervalMs = 15_000;

/** An injected fault as the simulation keeps it. */
export interface ActiveFault {
  type: FaultType;
  strength: number;
  startAt: number;
  /** For bad-release: whether the bad template has been rolled out. */
  applied: boolean;
}

/** Per-Deployment simulation state. */
interface WorkloadRuntime {
  key: string;
  namespace: string;
  name: string;
  profile: WorkloadProfile;
  load: LoadGenerator;
  random: SeededRandom;
  faults: ActiveFault[];
  /** Size of the application cache on the Deployment's shared cache volume. */
  cacheBytes: number;
  pods: Map<string, PodRuntime>;
}

/** A summary of the simulation, served by `GET /sandbox/state`. */
export interface SimulationState {
  time: string;
  timeMs: number;
  deployments: Array<{
    namespace: string;
    name: string;
    replicas: number;
    readyReplicas: number;
    availableReplicas: number;
    revision: string | undefined;
    image: string | undefined;
    requestsPerSecond: number;
    meanRequestsPerSecond: number;
    cacheBytes: number;
    faults: Array<{ type: FaultType; strength: number; startAt: string; active: boolean }>;
    pods: Array<{ name: string; phase: string; ready: boolean; restarts: number; cpuCores: number; memoryBytes: number }>;
  }>;
}

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
  /** Stops following the store. */
  close(): void;
}

/** Internals the sandbox server passes in; not part of the validated options. */
export interface SimulationRuntimeOptions {
  /** @default a virtual clock starting at `startTime` */
  clock?: SandboxClock & { kind?: 'virtual' | 'real' };
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
 */
export function createSimulation(options: SimulationOptions = {}, runtimeOptions: SimulationRuntimeOptions = {}): Simulation {
  const resolved = parseOrThrow(simulationOptionsSchema, options, 'simulation options');
  const clock: SandboxClock & { kind?: 'virtual' | 'real' } = runtimeOptions.clock ?? createVirtualClock(resolved.startTime);
  const seedRandom = createSeededRandom(resolved.seed);
  const uidRandom = seedRandom.fork('uids');
  const store = createObjectStore({ clock, newUid: () => uidRandom.uuid() });
  const workloads = new Map<string, WorkloadRuntime>();
  const podRuntimes = new Map<string, PodRuntime>();
  const requestedLoad = new Map<string, number>();
  let podCounter = 0;
  let starting = true;
  let lastHpaSync = clock.now();
  let lastEventExpiry = clock.now();

  function workloadOf(key: string): WorkloadRuntime | undefined {
    return workloads.get(key);
  }

  function ensureWorkload(namespace: string, name: string): WorkloadRuntime {
    const key = objectKey(namespace, name);
    let workload = workloads.get(key);
    if (!workload) {
      // Each Deployment has its own generator, so its behaviour does not depend on the others.
      const random = seedRandom.fork(`workload:${key}`);
      const heavy = !/front|web|ui|static/.test(name);
      const profile = drawWorkloadProfile(random, heavy);
      // Unspecified load: log-uniform between 0.05 and 150 requests/s, so quiet services exist
      // too, but no more than keeps its pods under about 45% of a core: a healthy workload is
      // sized for its traffic.
      const replicas = cache.get<Deployment>('apps/deployments', namespace, name)?.spec.replicas ?? 1;
      const drawn = Math.exp(random.between(Math.log(0.05), Math.log(150)));
      const mean = requestedLoad.get(key) ?? Math.min(drawn, (0.45 * Math.max(1, replicas)) / profile.cpuSecondsPerRequest);
      workload = { key, namespace, name, profile, load: createLoadGenerator(mean, random), random, faults: [], cacheBytes: 0, pods: new Map() };
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
      if (event.type === 'ADDED' && !podRuntimes.has(key)) {
        const pod = event.object as Pod;
        const deploymentKey = deploymentKeyOfPod(pod);
        const workload = workloadOf(deploymentKey);
        const runtime = createPodRuntime(pod, deploymentKey, workload?.random ?? seedRandom, podCounter);
        podCounter += 1;
        podRuntimes.set(key, runtime);
        workload?.pods.set(key, runtime);
      } else if (event.type === 'DELETED') {
        const runtime = podRuntimes.get(key);
        podRuntimes.delete(key);
        if (runtime) workloadOf(runtime.deploymentKey)?.pods.delete(key);
      }
    }
    controller.handleEvent(event);
    if (runtimeOptions.onChange && controller.hasDirty()) runtimeOptions.onChange();
  }

  const cache = createClusterCache(store, (event) => onStoreEvent(event));
  const controller = createDeploymentController({ store, cache, clock, random: seedRandom.fork('pod-names') });
  const hpaController = createHpaController({
    store,
    cache,
    clock,
    cpuOf(namespace, podName) {
      const runtime = podRuntimes.get(objectKey(namespace, podName));
      return runtime && runtime.phase === 'running' ? { usageCores: runtime.cpuCores, requestCores: runtime.cpuRequestCores } : undefined;
    },
  });

  function requireDeployment(namespace: string, name: string): Deployment {
    const deployment = cache.get<Deployment>('apps/deployments', namespace, name);
    if (!deployment) throw notFound('deployments', 'apps', name);
    return deployment;
  }

  function addWorkload(input: WorkloadSpec): void {
    const spec = parseOrThrow(workloadSpecSchema, input, 'workload');
    const key = objectKey(spec.namespace, spec.name);
    if (spec.requestsPerSecond !== undefined) requestedLoad.set(key, spec.requestsPerSecond);
    if (!cache.get('/namespaces', undefined, spec.namespace)) {
      store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: spec.namespace, labels: { 'kubernetes.io/metadata.name': spec.namespace } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    }
    const labels = { app: spec.name };
    store.create('apps/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: spec.name, namespace: spec.namespace, labels },
      spec: {
        replicas: spec.replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels: { ...spec.labels, ...labels } },
          spec: {
            containers: [
              {
                name: spec.name,
                image: spec.image ?? `registry.local/${spec.name}:1.0.0`,
                ports: [{ name: 'http', containerPort: 5000, protocol: 'TCP' }],
                resources: { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
              },
            ],
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
    });
    if (!store.get('/services', spec.namespace, spec.name)) {
      store.create('/services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: spec.name, namespace: spec.namespace, labels },
        spec: { type: 'ClusterIP', selector: labels, ports: [{ name: 'http', port: 5000, targetPort: 'http', protocol: 'TCP' }] },
      });
    }
    if (spec.hpa) {
      store.create('autoscaling/horizontalpodautoscalers', {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: spec.name, namespace: spec.namespace },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: spec.name },
          minReplicas: spec.hpa.minReplicas,
          maxReplicas: spec.hpa.maxReplicas,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.hpa.targetCpuUtilization } } }],
        },
      });
    }
    const workload = ensureWorkload(spec.namespace, spec.name);
    if (spec.requestsPerSecond !== undefined) workload.load.meanRequestsPerSecond = spec.requestsPerSecond;
    if (!starting) controller.reconcile();
  }

  /** Rolls out `<image>:bad` with the fault's strength: a real new revision. */
  function rollOutBadRelease(workload: WorkloadRuntime, strength: number): void {
    const deployment = cache.get<Deployment>('apps/deployments', workload.namespace, workload.name);
    const template = deployment?.spec.template;
    const container = template?.spec?.containers?.[0];
    if (!deployment || !template || !container) return;
    const image = `${(container.image ?? `registry.local/${workload.name}`).replace(/:[^:/]*$/, '')}:bad`;
    const next = structuredClone(deployment);
    const nextTemplate = next.spec.template ?? {};
    nextTemplate.metadata = { ...nextTemplate.metadata, annotations: { ...nextTemplate.metadata?.annotations, [badReleaseAnnotation]: String(strength) } };
    const containers = nextTemplate.spec?.containers ?? [];
    if (containers[0]) containers[0] = { ...containers[0], image };
    writeDeploymentSpec(store, deployment, next);
  }

  function isActive(fault: ActiveFault, now: number): boolean {
    return now >= fault.startAt;
  }

  /** Distributes load and computes every pod's usage and counters for one step. */
  function simulateWorkload(workload: WorkloadRuntime, now: number, dtSeconds: number): void {
    let spikeFactor = 1;
    let leakStrength = 0;
    for (const fault of workload.faults) {
      if (!isActive(fault, now)) continue;
      if (fault.type === 'cpu-saturation') spikeFactor = Math.max(spikeFactor, 1 + (spikeFactorAtFullStrength - 1) * fault.strength);
      if (fault.type === 'memory-leak') leakStrength = Math.max(leakStrength, fault.strength);
      if (fault.type === 'cache-bloat') {
        workload.cacheBytes = Math.min(maxCacheBytes, workload.cacheBytes + cacheBytesPerSecond * fault.strength * dtSeconds);
      }
    }
    const requestsPerSecond = workload.load.step(now, dtSeconds, spikeFactor);
    const random = workload.random;
    const profile = workload.profile;
    let readyPods = 0;
    for (const runtime of workload.pods.values()) if (runtime.ready) readyPods += 1;
    const share = readyPods > 0 ? requestsPerSecond / readyPods : 0;
    // A bloated cache slows every request (more CPU) and makes some fail.
    const cacheLoad = workload.cacheBytes / (256 * mebibyte);
    const cacheErrorFraction = Math.min(0.4, 0.35 * cacheLoad * cacheLoad);

    for (const runtime of workload.pods.values()) {
      runtime.memoryNoiseBytes = Math.max(
        -0.05 * profile.baseMemoryBytes,
        Math.min(0.05 * profile.baseMemoryBytes, runtime.memoryNoiseBytes + random.between(-0.5, 0.5) * mebibyte * Math.sqrt(dtSeconds)),
      );
      if (runtime.phase !== 'running') {
        runtime.requestsPerSecond = 0;
        continue;
      }
      const podRequests = runtime.ready ? share * random.between(0.93, 1.07) : 0;
      runtime.requestsPerSecond = podRequests;
      const demandCores = profile.idleCpuCores + podRequests * profile.cpuSecondsPerRequest * (1 + 0.3 * cacheLoad);
      const saturation = demandCores / runtime.cpuLimitCores;
      runtime.cpuCores = Math.min(demandCores, runtime.cpuLimitCores) * random.between(0.97, 1.03);
      runtime.cpuSecondsTotal += runtime.cpuCores * dtSeconds;
      runtime.networkReceiveBytesTotal += (profile.backgroundBytesPerSecond + podRequests * profile.bytesPerRequest) * dtSeconds;

      // Requests: a saturated pod sheds the excess as 503; bad code and a bloated cache answer 500.
      const served = podRequests * dtSeconds;
      const unavailableFraction = saturation > 1 ? 1 - 1 / saturation : 0;
      const badFraction = runtime.badReleaseStrength > 0 ? 0.3 + 0.7 * runtime.badReleaseStrength : 0;
      const errorFraction = Math.min(1, 0.0005 + cacheErrorFraction + badFraction);
      const shed = served * unavailableFraction;
      const failed = (served - shed) * errorFraction;
      runtime.responses503 += shed;
      runtime.responses500 += failed;
      runtime.responses200 += served - shed - failed;

      if (leakStrength > 0) runtime.leakedBytes += leakBytesPerSecond * leakStrength * dtSeconds;
      runtime.memoryBytes =
        profile.baseMemoryBytes * runtime.memoryJitter +
        runtime.memoryNoiseBytes +
        podRequests * profile.memoryBytesPerRequestPerSecond +
        runtime.leakedBytes +
        workload.cacheBytes;
      if (runtime.memoryBytes >= runtime.memoryLimitBytes) {
        crashContainer(runtime, now, 'OOMKilled', 137);
      } else if (saturation > 1 && runtime.ready) {
        // Probes time out on a pegged CPU: the pod flaps out of the endpoints for a while.
        const failureChancePerSecond = Math.min(0.1, 0.01 + 0.03 * (saturation - 1));
        if (random.next() < 1 - (1 - failureChancePerSecond) ** dtSeconds) runtime.notReadyUntil = now + readinessFailureMs;
      }
      updateReadiness(runtime, now);
    }
  }

  /** The kubelet's `BackOff` Event per pod, aggregated like the real recorder (count, lastTimestamp). */
  const backOffEvents = new Map<string, { namespace: string; name: string; count: number; last: number }>();

  function recordBackOff(runtime: PodRuntime, pod: Pod): void {
    const now = clock.now();
    const key = objectKey(runtime.namespace, runtime.name);
    const existing = backOffEvents.get(key);
    const stored = existing ? store.get('/events', existing.namespace, existing.name) : undefined;
    if (existing && stored) {
      existing.count += 1;
      existing.last = now;
      store.update('/events', { ...stored, count: existing.count, lastTimestamp: formatKubeTime(now) });
      return;
    }
    const name = `${runtime.name}.${(BigInt(now) * 1_000_000n + BigInt(podCounter % 1_000_000)).toString(16)}`;
    store.create('/events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: runtime.namespace },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: runtime.name, namespace: runtime.namespace, uid: pod.metadata.uid, fieldPath: `spec.containers{${runtime.containerName}}` },
      type: 'Warning',
      reason: 'BackOff',
      message: `Back-off restarting failed container ${runtime.containerName} in pod ${runtime.name}_${runtime.namespace}(${pod.metadata.uid ?? ''})`,
      source: { component: 'kubelet', host: 'sandbox-node-1' },
      reportingComponent: 'kubelet',
      reportingInstance: 'sandbox-node-1',
      firstTimestamp: formatKubeTime(now),
      lastTimestamp: formatKubeTime(now),
      count: 1,
    });
    backOffEvents.set(key, { namespace: runtime.namespace, name, count: 1, last: now });
  }

  function expirePodEvents(): void {
    const cutoff = clock.now() - 60 * 60_000;
    for (const [key, event] of backOffEvents) {
      if (event.last >= cutoff) continue;
      backOffEvents.delete(key);
      if (store.get('/events', event.namespace, event.name)) store.delete('/events', event.namespace, event.name);
    }
  }

  function writePodStatuses(): void {
    for (const [key, runtime] of podRuntimes) {
      if (!statusChanged(runtime)) continue;
      const pod = cache.get<Pod>('/pods', runtime.namespace, runtime.name);
      const crashed = runtime.restartCount > runtime.written.restartCount;
      markStatusWritten(runtime);
      if (pod && crashed) recordBackOff(runtime, pod);
      if (!pod) {
        podRuntimes.delete(key);
        continue;
      }
      store.update('/pods', { ...pod, status: podStatusOf(runtime) });
    }
  }

  function tick(dtMs: number): void {
    const now = clock.now();
    const dtSeconds = dtMs / 1000;
    for (const workload of workloads.values()) {
      for (const fault of workload.faults) {
        if (fault.type === 'bad-release' && !fault.applied && isActive(fault, now)) {
          fault.applied = true;
          rollOutBadRelease(workload, fault.strength);
        }
      }
    }
    for (const runtime of podRuntimes.values()) {
      advanceLifecycle(runtime, now, workloadOf(runtime.deploymentKey)?.random ?? seedRandom);
    }
    for (const workload of workloads.values()) simulateWorkload(workload, now, dtSeconds);
    writePodStatuses();
    controller.reconcile();
    if (now - lastHpaSync >= hpaSyncIntervalMs) {
      lastHpaSync = now;
      hpaController.sync();
      controller.reconcile();
    }
    if (now - lastEventExpiry >= 60_000) {
      lastEventExpiry = now;
      controller.expireEvents();
      expirePodEvents();
    }
  }

  function execSync(namespace: string, podName: string, command: string[], container?: string): ExecResult {
    const runtime = podRuntimes.get(objectKey(namespace, podName));
    if (!runtime || !cache.get('/pods', namespace, podName)) throw notFound('pods', '', podName);
    if (container !== undefined && container !== '' && container !== runtime.containerName) {
      throw badRequest(`container ${container} is not valid for pod ${podName}`);
    }
    if (runtime.phase !== 'running') {
      throw badRequest(`unable to upgrade connection: container not found ("${runtime.containerName}")`);
    }
    if (command.length === 0) throw badRequest('you must specify at least one command for the container');
    const interpreted = interpretCommand(command);
    if (interpreted.clearsCache) {
      const workload = workloadOf(runtime.deploymentKey);
      if (workload) workload.cacheBytes = 0;
    }
    return interpreted.result;
  }

  const metricsCollector = createMetricsCollector();
  function collect(): MetricFamily[] {
    return metricsCollector.collect({
      deployments: cache.all<Deployment>('apps/deployments'),
      replicaSets: cache.all<ReplicaSet>('apps/replicasets'),
      pods: cache.all<Pod>('/pods'),
      runtimeOf: (namespace, name) => podRuntimes.get(objectKey(namespace, name)),
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
      const fault: ActiveFault = { type: spec.type, strength: spec.strength, startAt: spec.startAt ?? clock.now(), applied: false };
      workload.faults.push(fault);
      if (fault.type === 'bad-release' && isActive(fault, clock.now())) {
        fault.applied = true;
        rollOutBadRelease(workload, fault.strength);
        controller.reconcile();
      }
    },
    clearFaults(input) {
      const ref = parseOrThrow(deploymentRefSchema, input, 'deployment reference');
      requireDeployment(ref.namespace, ref.deployment);
      const workload = workloadOf(objectKey(ref.namespace, ref.deployment));
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
      const deployment = requireDeployment(namespace, name);
      if (deployment.spec.paused) throw new Error("can't restart paused deployment (run rollout resume first)");
      const next = structuredClone(deployment);
      const template = next.spec.template ?? {};
      template.metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, [restartedAtAnnotation]: formatKubeTime(clock.now()) } };
      next.spec.template = template;
      writeDeploymentSpec(store, deployment, next);
      controller.reconcile();
    },
    scale(namespace, name, replicas) {
      if (!Number.isInteger(replicas) || replicas < 0) throw new RangeError('[autoheal] [sandbox] replicas must be an integer ≥ 0');
      const deployment = requireDeployment(namespace, name);
      writeDeploymentSpec(store, deployment, { ...deployment, spec: { ...deployment.spec, replicas } });
      controller.reconcile();
    },
    rollback(namespace, name, toRevision = 0) {
      requireDeployment(namespace, name);
      const result = rollbackDeployment(store, cache, namespace, name, toRevision);
      controller.reconcile();
      return result;
    },
    setImage(namespace, name, image) {
      const deployment = requireDeployment(namespace, name);
      const next = structuredClone(deployment);
      const template = next.spec.template ?? {};
      const annotations = { ...template.metadata?.annotations };
      delete annotations[badReleaseAnnotation];
      template.metadata = { ...template.metadata, annotations };
      const container = template.spec?.containers?.[0];
      if (container) container.image = image;
      writeDeploymentSpec(store, deployment, next);
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
    state() {
      const now = clock.now();
      return {
        time: new Date(now).toISOString(),
        timeMs: now,
        deployments: [...workloads.values()].map((workload) => {
          const deployment = cache.get<Deployment>('apps/deployments', workload.namespace, workload.name);
          return {
            namespace: workload.namespace,
            name: workload.name,
            replicas: deployment?.spec.replicas ?? 0,
            readyReplicas: deployment?.status?.readyReplicas ?? 0,
            availableReplicas: deployment?.status?.availableReplicas ?? 0,
            revision: deployment?.metadata.annotations?.['deployment.kubernetes.io/revision'],
            image: deployment?.spec.template?.spec?.containers?.[0]?.image,
            requestsPerSecond: workload.load.current,
            meanRequestsPerSecond: workload.load.meanRequestsPerSecond,
            cacheBytes: Math.round(workload.cacheBytes),
            faults: workload.faults.map((fault) => ({ type: fault.type, strength: fault.strength, startAt: new Date(fault.startAt).toISOString(), active: isActive(fault, now) })),
            pods: [...workload.pods.values()].map((runtime) => ({
              name: runtime.name,
              phase: runtime.phase,
              ready: runtime.ready,
              restarts: runtime.restartCount,
              cpuCores: runtime.cpuCores,
              memoryBytes: Math.round(runtime.memoryBytes),
            })),
          };
        }),
      };
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

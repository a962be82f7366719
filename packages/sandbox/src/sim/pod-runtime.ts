/**
 * What the kubelet and the container runtime know about one simulated pod: its container's life
 * (creating → running → crashed and backing off → running ...), readiness, and the resource and
 * request counters that `/metrics` exposes. The Kubernetes-visible part is written back to the
 * store as `pod.status` only when it changes, like a kubelet's status manager.
 */
import { createHash } from 'node:crypto';
import type { Pod } from '../base/kube-types.js';
import { formatKubeTime } from '../base/kube-time.js';
import { parseCpuCores, parseMemoryBytes } from '../base/resource-quantity.js';
import type { SeededRandom } from '../base/seeded-random.js';
import type { PodMetricLabels, PodMetricsReading } from '../metrics/collect-metrics.js';
import { type RequestMetricPreset, type ResponseCounts, emptyResponseCounts, requestMetricPresetOf, requestMetricsAnnotation } from '../metrics/request-metrics.js';
import { badConfigAnnotation, badReleaseAnnotation, oomCrashLoopAnnotation } from './faults.js';

const mebibyte = 1024 * 1024;

export type ContainerPhase = 'creating' | 'running' | 'backoff';

/** Runtime state of one pod (one container plus its sandbox); the metrics collector reads it as a `PodMetricsReading`. */
export interface PodRuntime extends PodMetricsReading {
  namespace: string;
  name: string;
  uid: string;
  deploymentKey: string;
  containerName: string;
  image: string;
  imageId: string;
  containerId: string;
  sandboxId: string;
  podIp: string;
  createdAt: number;
  cpuLimitCores: number;
  cpuRequestCores: number;
  memoryLimitBytes: number;
  /** Per-pod variation of the Deployment's base memory. */
  memoryJitter: number;
  /** > 0 for pods of a bad release: the container crashes soon after every start. */
  badReleaseStrength: number;
  /** > 0 for pods of a bad config: the container exits with an error soon after every start. */
  badConfigStrength: number;
  /** > 0 for pods of a release that needs more memory than its limit: OOMKilled soon after every start. */
  oomCrashLoopStrength: number;

  phase: ContainerPhase;
  startAt: number;
  containerStartedAt: number;
  readyAt: number;
  notReadyUntil: number;
  backoffUntil: number;
  ready: boolean;
  readyChangedAt: number;
  restartCount: number;
  consecutiveCrashes: number;
  lastTermination: { reason: string; exitCode: number; startedAt: number; finishedAt: number } | undefined;

  /** Bytes leaked since the container started (memory-leak fault). */
  leakedBytes: number;
  /** Slow random wander of the working set, in bytes. */
  memoryNoiseBytes: number;
  memoryBytes: number;
  cpuCores: number;
  requestsPerSecond: number;
  cpuSecondsTotal: number;
  /** CFS enforcement periods (100 ms) elapsed while running, and those in which the container was throttled. */
  cfsPeriodsTotal: number;
  cfsThrottledPeriodsTotal: number;
  networkReceiveBytesTotal: number;
  /** How the workload's application counts its requests (from the pod's annotation; `undefined`: none). */
  requestMetrics: RequestMetricPreset | undefined;
  /** Responses the application answered, by HTTP status. */
  responses: ResponseCounts;
  /** What the store's pod status last showed, to write only changes. */
  written: { phase: ContainerPhase | undefined; ready: boolean; restartCount: number };
  /** Frozen label sets of this pod's series, built once by the collector (metrics are rendered often). */
  metricLabels: PodMetricLabels | undefined;
}

function hex(random: SeededRandom, length: number): string {
  return random.characters('0123456789abcdef', length);
}

/** Creates the runtime of a pod the controller just created. */
export function createPodRuntime(pod: Pod, deploymentKey: string, random: SeededRandom, podIndex: number): PodRuntime {
  const container = pod.spec.containers[0] ?? { name: 'app', image: 'registry.local/app:1.0.0' };
  const image = container.image ?? 'registry.local/app:1.0.0';
  const now = Date.parse(pod.metadata.creationTimestamp ?? '');
  const badStrengthAnnotation = pod.metadata.annotations?.[badReleaseAnnotation];
  const badReleaseStrength = badStrengthAnnotation !== undefined
    ? Number(badStrengthAnnotation) || 1
    : image.endsWith(':bad') ? 1 : 0;
  const annotations = pod.metadata.annotations ?? {};
  return {
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name,
    uid: pod.metadata.uid ?? '',
    deploymentKey,
    containerName: container.name,
    image,
    imageId: `${image.split(':')[0]}@sha256:${createHash('sha256').update(image).digest('hex')}`,
    containerId: hex(random, 64),
    sandboxId: hex(random, 64),
    podIp: `10.244.${Math.floor(podIndex / 250) % 250}.${(podIndex % 250) + 2}`,
    createdAt: now,
    cpuLimitCores: parseCpuCores(container.resources?.limits?.cpu, 1),
    cpuRequestCores: parseCpuCores(container.resources?.requests?.cpu, 0.25),
    memoryLimitBytes: parseMemoryBytes(container.resources?.limits?.memory, 512 * mebibyte),
    memoryJitter: random.between(0.9, 1.1),
    badReleaseStrength,
    badConfigStrength: strengthOf(annotations[badConfigAnnotation]),
    oomCrashLoopStrength: strengthOf(annotations[oomCrashLoopAnnotation]),
    phase: 'creating',
    startAt: now + random.between(1000, 3000),
    containerStartedAt: 0,
    readyAt: Infinity,
    notReadyUntil: 0,
    backoffUntil: 0,
    ready: false,
    readyChangedAt: now,
    restartCount: 0,
    consecutiveCrashes: 0,
    lastTermination: undefined,
    leakedBytes: 0,
    memoryNoiseBytes: 0,
    memoryBytes: 0,
    cpuCores: 0,
    requestsPerSecond: 0,
    cpuSecondsTotal: 0,
    cfsPeriodsTotal: 0,
    cfsThrottledPeriodsTotal: 0,
    networkReceiveBytesTotal: 0,
    requestMetrics: requestMetricPresetOf(pod.metadata.annotations?.[requestMetricsAnnotation]),
    responses: emptyResponseCounts(),
    written: { phase: undefined, ready: false, restartCount: 0 },
    metricLabels: undefined,
  };
}

/** A fault annotation's strength: 0 when absent, 1 when present but unreadable. */
function strengthOf(annotation: string | undefined): number {
  return annotation === undefined ? 0 : Number(annotation) || 1;
}

/** Seconds a bad-release container runs before it crashes: 2 s at strength 1 (never ready). */
export function badReleaseRunSeconds(strength: number): number {
  return 2 + 40 * (1 - strength);
}

/**
 * Seconds a bad-config container runs before it exits with an error: 1 s at strength 1 (it fails
 * at start-up and never becomes ready, so the rollout stalls), up to a minute when the bad value is
 * read only later (the pods pass readiness, the rollout completes, then every pod crash-loops).
 */
export function badConfigRunSeconds(strength: number): number {
  return 1 + 59 * (1 - strength);
}

/** Seconds until an `oom-crash-loop` container's working set reaches its limit: 5 s at strength 1, 60 s near 0. */
export function oomCrashLoopSeconds(strength: number): number {
  return 5 + 55 * (1 - strength);
}

/** Starts (or restarts) the container: readiness passes 3–5 s later. */
function startContainer(runtime: PodRuntime, now: number, random: SeededRandom): void {
  runtime.phase = 'running';
  runtime.containerStartedAt = now;
  runtime.readyAt = now + random.between(3000, 5000);
  runtime.leakedBytes = 0;
}

/** The container exits; the kubelet restarts it after the CrashLoopBackOff delay (10 s doubling to 5 min). */
export function crashContainer(runtime: PodRuntime, now: number, reason: 'OOMKilled' | 'Error', exitCode: number): void {
  runtime.lastTermination = { reason, exitCode, startedAt: runtime.containerStartedAt, finishedAt: now };
  runtime.restartCount += 1;
  runtime.consecutiveCrashes += 1;
  runtime.phase = 'backoff';
  runtime.backoffUntil = now + Math.min(300, 10 * 2 ** (runtime.consecutiveCrashes - 1)) * 1000;
  runtime.leakedBytes = 0;
  runtime.memoryBytes = 0;
  runtime.cpuCores = 0;
}

/**
 * Moves the container through its life up to `now`: start, crash of a bad release or a bad config,
 * restart after back-off, readiness. (OOM kills are decided by the simulation after memory is computed.)
 */
export function advanceLifecycle(runtime: PodRuntime, now: number, random: SeededRandom): void {
  if (runtime.phase === 'creating' && now >= runtime.startAt) startContainer(runtime, now, random);
  if (runtime.phase === 'backoff' && now >= runtime.backoffUntil) startContainer(runtime, now, random);
  if (runtime.phase === 'running') {
    const ranFor = now - runtime.containerStartedAt;
    if (runtime.badReleaseStrength > 0 && ranFor >= badReleaseRunSeconds(runtime.badReleaseStrength) * 1000) {
      crashContainer(runtime, now, 'Error', 1);
    } else if (runtime.badConfigStrength > 0 && ranFor >= badConfigRunSeconds(runtime.badConfigStrength) * 1000) {
      crashContainer(runtime, now, 'Error', 1);
    } else if (ranFor >= 10 * 60_000) {
      // The kubelet forgets the back-off after ten minutes of healthy running.
      runtime.consecutiveCrashes = 0;
    }
  }
  updateReadiness(runtime, now);
}

/** Recomputes readiness (running, past the initial delay, no failing probe) and notes changes. */
export function updateReadiness(runtime: PodRuntime, now: number): void {
  const ready = runtime.phase === 'running' && now >= runtime.readyAt && now >= runtime.notReadyUntil;
  if (ready !== runtime.ready) {
    runtime.ready = ready;
    runtime.readyChangedAt = now;
  }
}

/** True when the store's pod status no longer shows this runtime's phase, readiness or restarts. */
export function statusChanged(runtime: PodRuntime): boolean {
  const { written } = runtime;
  return written.phase !== runtime.phase || written.ready !== runtime.ready || written.restartCount !== runtime.restartCount;
}

/** Notes that the store now shows the runtime's state. */
export function markStatusWritten(runtime: PodRuntime): void {
  runtime.written = { phase: runtime.phase, ready: runtime.ready, restartCount: runtime.restartCount };
}

/** The `status` of the pod as the kubelet reports it. */
export function podStatusOf(runtime: PodRuntime): NonNullable<Pod["status"]> {
  const created = formatKubeTime(runtime.createdAt);
  const readyStatus = runtime.ready ? 'True' : 'False';
  const readyTime = formatKubeTime(runtime.readyChangedAt);
  const started = runtime.phase === 'running';
  const state =
    runtime.phase === 'creating'
      ? { waiting: { reason: 'ContainerCreating' } }
      : runtime.phase === 'backoff'
        ? {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: `back-off ${Math.round((runtime.backoffUntil - (runtime.lastTermination?.finishedAt ?? 0)) / 1000)}s restarting failed container=${runtime.containerName} pod=${runtime.name}_${runtime.namespace}(${runtime.uid})`,
            },
          }
        : { running: { startedAt: formatKubeTime(runtime.containerStartedAt) } };
  const lastState = runtime.lastTermination
    ? {
        terminated: {
          exitCode: runtime.lastTermination.exitCode,
          reason: runtime.lastTermination.reason,
          startedAt: formatKubeTime(runtime.lastTermination.startedAt),
          finishedAt: formatKubeTime(runtime.lastTermination.finishedAt),
          containerID: `containerd://${runtime.containerId}`,
        },
      }
    : {};
  return {
    phase: runtime.phase === 'creating' ? 'Pending' : 'Running',
    conditions: [
      { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: created },
      { type: 'Ready', status: readyStatus, lastProbeTime: null, lastTransitionTime: readyTime },
      { type: 'ContainersReady', status: readyStatus, lastProbeTime: null, lastTransitionTime: readyTime },
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: created },
    ],
    hostIP: '10.0.0.10',
    podIP: runtime.podIp,
    ...(runtime.phase === 'creating' ? {} : { startTime: created }),
    qosClass: 'Burstable',
    containerStatuses: [
      {
        name: runtime.containerName,
        image: runtime.image,
        imageID: runtime.phase === 'creating' ? '' : runtime.imageId,
        ...(runtime.phase === 'creating' ? {} : { containerID: `containerd://${runtime.containerId}` }),
        ready: runtime.ready,
        started,
        restartCount: runtime.restartCount,
        state,
        lastState,
      },
    ],
  };
}

/**
 * The workload model: how a Deployment's application behaves under load. Each Deployment draws a
 * profile (CPU, memory and bytes per request) and a mean load from its own seeded generator; every
 * step the load is shared by the ready pods, which turn it into CPU, memory, network bytes and
 * responses (200, 500 from bad code, a bloated cache or a failing dependency, 503 shed by a
 * saturated pod). Requests
 * that arrive while no pod is ready are answered 503 by the ingress. Memory past the limit is an
 * OOM kill; a saturated pod fails its readiness probe now and then.
 *
 * The order of random draws is part of the contract: the shipped model is rebuilt byte for byte
 * from a simulation, so a change here that draws differently changes `models/risk-v1.onnx`.
 */
import type { SeededRandom } from '../base/seeded-random.js';
import { type ResponseCounts, emptyResponseCounts } from '../metrics/request-metrics.js';
import type { ActiveFault, FaultEffects, FaultedWorkload } from './faults.js';
import type { StepOutcome, TruthRecorder } from './ground-truth.js';
import { type LoadGenerator, createLoadGenerator } from './load-generator.js';
import { type PodRuntime, crashContainer, oomCrashLoopSeconds, updateReadiness } from './pod-runtime.js';

const mebibyte = 1024 * 1024;
/** How long a failed readiness probe keeps a saturated pod out of the endpoints. */
const readinessFailureMs = 10_000;

/** How a Deployment's code behaves; drawn once per Deployment from the seed. */
export interface WorkloadProfile {
  /** CPU seconds one request costs. */
  cpuSecondsPerRequest: number;
  /** CPU cores used with no traffic (health checks, metrics, runtime). */
  idleCpuCores: number;
  /** Working set with no traffic. */
  baseMemoryBytes: number;
  /** Extra working set per request per second in flight. */
  memoryBytesPerRequestPerSecond: number;
  /** Bytes received per request. */
  bytesPerRequest: number;
  /** Bytes received per second with no traffic (probes, scrapes). */
  backgroundBytesPerSecond: number;
}

/** Draws a profile; `heavy` workloads (backends) cost more CPU per request than frontends. */
export function drawWorkloadProfile(random: SeededRandom, heavy: boolean): WorkloadProfile {
  return {
    cpuSecondsPerRequest: heavy ? random.between(0.006, 0.01) : random.between(0.002, 0.005),
    idleCpuCores: random.between(0.002, 0.01),
    baseMemoryBytes: random.between(90, 200) * mebibyte,
    memoryBytesPerRequestPerSecond: random.between(0.15, 0.4) * mebibyte,
    bytesPerRequest: random.between(400, 1600),
    backgroundBytesPerSecond: random.between(60, 120),
  };
}

/** Per-Deployment simulation state. */
export interface Workload extends FaultedWorkload {
  /** `namespace/name`. */
  key: string;
  profile: WorkloadProfile;
  load: LoadGenerator;
  /** The Deployment's own generator: its behaviour does not depend on the other Deployments. */
  random: SeededRandom;
  faults: ActiveFault[];
  /** The Deployment's pods, by `namespace/name`, in creation order. */
  pods: Map<string, PodRuntime>;
  /** Every request the ingress in front of the Deployment's Service answered, by status. */
  ingressResponses: ResponseCounts;
  truth: TruthRecorder;
}

/** What `createWorkload` needs besides the Deployment's name. */
export interface NewWorkload {
  namespace: string;
  name: string;
  random: SeededRandom;
  /** The Deployment's replicas when the workload is created (caps a drawn load). */
  replicas: number;
  /** The requested mean load, when the spec gives one. */
  requestsPerSecond: number | undefined;
  truth: TruthRecorder;
}

/** Creates a workload: draws its profile and its mean load, then its load generator. */
export function createWorkload(spec: NewWorkload): Workload {
  const { namespace, name, random } = spec;
  const heavy = !/front|web|ui|static/.test(name);
  const profile = drawWorkloadProfile(random, heavy);
  // Unspecified load: log-uniform between 0.05 and 150 requests/s, so quiet services exist
  // too, but no more than keeps its pods under about 45% of a core: a healthy workload is
  // sized for its traffic. (Drawn even when the load is given, so the draws stay in step.)
  const drawn = Math.exp(random.between(Math.log(0.05), Math.log(150)));
  const mean = spec.requestsPerSecond ?? Math.min(drawn, (0.45 * Math.max(1, spec.replicas)) / profile.cpuSecondsPerRequest);
  return {
    key: `${namespace}/${name}`,
    namespace,
    name,
    profile,
    load: createLoadGenerator(mean, random),
    random,
    faults: [],
    cacheBytes: 0,
    pods: new Map(),
    ingressResponses: emptyResponseCounts(),
    truth: spec.truth,
  };
}

/**
 * The working set of an `oom-crash-loop` pod: it climbs from its normal size to the memory limit
 * over `oomCrashLoopSeconds` after the container starts (a heap or start-up cache too big for the
 * limit), so the OOM kill comes after the pod has passed readiness and taken traffic.
 */
function outgrownWorkingSet(runtime: PodRuntime, now: number): number {
  const grown = Math.min(1, (now - runtime.containerStartedAt) / 1000 / oomCrashLoopSeconds(runtime.oomCrashLoopStrength));
  return runtime.memoryBytes + Math.max(0, runtime.memoryLimitBytes - runtime.memoryBytes) * grown;
}

/** Distributes load and computes every pod's usage and counters for one step. */
export function simulateWorkload(workload: Workload, effects: FaultEffects, now: number, dtSeconds: number): StepOutcome {
  const requestsPerSecond = workload.load.step(now, dtSeconds, effects.loadFactor, effects.extraRequestsPerSecond);
  const random = workload.random;
  const profile = workload.profile;
  let readyPods = 0;
  for (const runtime of workload.pods.values()) if (runtime.ready) readyPods += 1;
  const share = readyPods > 0 ? requestsPerSecond / readyPods : 0;
  // A bloated cache slows every request (more CPU) and makes some fail.
  const cacheLoad = workload.cacheBytes / (256 * mebibyte);
  const cacheErrorFraction = Math.min(0.4, 0.35 * cacheLoad * cacheLoad);
  const outcome: StepOutcome = { requests: 0, answered: emptyResponseCounts(), unrouted: 0, readyPods };

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
    // CFS: ten 100 ms periods a second; bursts hit the quota before the average does, so some periods
    // are throttled from 70% of the limit on and every one at the limit (a model, not a scheduler).
    runtime.cfsPeriodsTotal += 10 * dtSeconds;
    runtime.cfsThrottledPeriodsTotal += 10 * dtSeconds * Math.min(1, Math.max(0, (saturation - 0.7) / 0.3));
    runtime.networkReceiveBytesTotal += (profile.backgroundBytesPerSecond + podRequests * profile.bytesPerRequest) * dtSeconds;

    // Requests: a saturated pod sheds the excess as 503; bad code and a bloated cache answer 500.
    const served = podRequests * dtSeconds;
    const unavailableFraction = saturation > 1 ? 1 - 1 / saturation : 0;
    const badFraction = runtime.badReleaseStrength > 0 ? 0.3 + 0.7 * runtime.badReleaseStrength : 0;
    const errorFraction = Math.min(1, 0.0005 + cacheErrorFraction + badFraction + effects.dependencyErrorFraction);
    const shed = served * unavailableFraction;
    const failed = (served - shed) * errorFraction;
    runtime.responses['503'] += shed;
    runtime.responses['500'] += failed;
    runtime.responses['200'] += served - shed - failed;
    outcome.requests += served;
    outcome.answered['503'] += shed;
    outcome.answered['500'] += failed;
    outcome.answered['200'] += served - shed - failed;

    if (effects.leakBytesPerSecond > 0) runtime.leakedBytes += effects.leakBytesPerSecond * dtSeconds;
    runtime.memoryBytes =
      profile.baseMemoryBytes * runtime.memoryJitter +
      runtime.memoryNoiseBytes +
      podRequests * profile.memoryBytesPerRequestPerSecond +
      runtime.leakedBytes +
      workload.cacheBytes;
    if (runtime.oomCrashLoopStrength > 0) runtime.memoryBytes = outgrownWorkingSet(runtime, now);
    if (runtime.memoryBytes >= runtime.memoryLimitBytes) {
      crashContainer(runtime, now, 'OOMKilled', 137);
    } else if (saturation > 1 && runtime.ready) {
      // Probes time out on a pegged CPU: the pod flaps out of the endpoints for a while.
      const failureChancePerSecond = Math.min(0.1, 0.01 + 0.03 * (saturation - 1));
      if (random.next() < 1 - (1 - failureChancePerSecond) ** dtSeconds) runtime.notReadyUntil = now + readinessFailureMs;
    }
    updateReadiness(runtime, now);
  }

  // No ready endpoint: the ingress answers every request 503 itself (ingress-nginx with an empty
  // upstream), and the application's own counter never sees them.
  if (readyPods === 0) {
    outcome.unrouted = requestsPerSecond * dtSeconds;
    outcome.requests += outcome.unrouted;
  }
  const ingress = workload.ingressResponses;
  ingress['200'] += outcome.answered['200'];
  ingress['500'] += outcome.answered['500'];
  ingress['503'] += outcome.answered['503'] + outcome.unrouted;
  return outcome;
}

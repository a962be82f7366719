/**
 * The injectable faults, one model per type. A model may do something once when the fault becomes
 * active (`start`: a bad release, a bad config or a release that needs more memory than its limit
 * rolls out a new template) and something every step while it is active (`step`: add to the step's
 * `FaultEffects`, or change the workload's state, as the cache growth does). A new fault type is a
 * new entry in `faultTypes` (`simulation-options.ts`) and here.
 *
 * The three faults that come with a release mark their template with an annotation carrying the
 * strength; the pod runtime reads it when the kubelet admits a pod (`pod-runtime.ts`), so exactly
 * the pods of that template misbehave, and a rollback (an older template without the mark) heals.
 */
import type { Deployment } from '../base/kube-types.js';
import { parseCpuCores } from '../base/resource-quantity.js';
import type { ClusterCache } from '../controller/cluster-cache.js';
import { writeDeploymentSpec } from '../controller/deployment-util.js';
import type { ObjectStore } from '../store/types.js';
import type { FaultType, SaturationPeak } from './simulation-options.js';

const mebibyte = 1024 * 1024;
/** Memory a leak adds per second at strength 1: a 512 MiB container OOMs in about 3 minutes. */
const leakBytesPerSecondAtFullStrength = 2 * mebibyte;
/** Cache growth per second at strength 1 (the cache lives on a volume shared by the pods). */
const cacheBytesPerSecond = 0.4 * mebibyte;
/** A bloated cache stops growing here (its eviction threshold). */
export const maxCacheBytes = 240 * mebibyte;
/** Load multiplier of a traffic spike at its peak, at strength 1 (cpu-saturation with `peak: 'load-multiplier'`). */
const spikeFactorAtFullStrength = 5;
/**
 * How long a traffic surge takes to reach its peak (cpu-saturation), unless the fault says otherwise.
 * Real surges build: a sale or a campaign opening, a peak hour arriving, clients retrying harder as
 * latency grows; traffic climbs for minutes before it overwhelms a service, and that climb is what an
 * early warning (and an HPA) can act on. A step to the peak in one scrape is not saturation but an
 * outage-sized spike, which no model of the workload's signals can lead. Ten minutes is a surge, not
 * a diurnal swing (hours): short enough that a service sized for its normal traffic breaches within
 * one incident, long enough that CPU and throttling climb visibly first.
 */
export const defaultSaturationRampMs = 10 * 60_000;

/** Pod annotation carrying a bad release's strength (set by the `bad-release` fault). */
export const badReleaseAnnotation = 'sandbox.autoheal.dev/bad-release-strength';
/** Pod annotation carrying a bad config's strength (set by the `bad-config` fault). */
export const badConfigAnnotation = 'sandbox.autoheal.dev/bad-config-strength';
/** Pod annotation carrying the strength of a release that needs more memory than its limit (`oom-crash-loop`). */
export const oomCrashLoopAnnotation = 'sandbox.autoheal.dev/oom-crash-loop-strength';
/** Every annotation that marks a faulty template: a normal release (`setImage`) removes them all. */
export const faultyTemplateAnnotations = [badReleaseAnnotation, badConfigAnnotation, oomCrashLoopAnnotation] as const;

/** An injected fault as the simulation keeps it. */
export interface ActiveFault {
  type: FaultType;
  strength: number;
  startAt: number;
  /** Time from `startAt` to the fault's full strength (cpu-saturation's traffic ramp); 0 is a step. */
  rampMs: number;
  /** What a cpu-saturation's strength sizes (`saturationPeaks`); the other types ignore it. */
  peak: SaturationPeak;
  /**
   * A `cpu-limit` surge's own traffic at its peak, in requests per second, on top of the workload's
   * organic traffic: sized once, when the fault starts ({@link saturationSurgeRequestsPerSecond}).
   */
  surgeRequestsPerSecond?: number;
  /** Whether its start action has run (bad-release: the bad template has been rolled out). */
  applied: boolean;
}

/** The part of a workload the faults read and change. */
export interface FaultedWorkload {
  namespace: string;
  name: string;
  faults: ActiveFault[];
  /** Size of the application cache on the Deployment's shared cache volume. */
  cacheBytes: number;
  /** What the workload's requests cost its pods (from its profile): sizes a `cpu-limit` surge. */
  profile: { cpuSecondsPerRequest: number; idleCpuCores: number };
  /** Its traffic: `current` is the requests per second of the last step. */
  load: { readonly current: number };
}

/** What the active faults do to one step of a workload. */
export interface FaultEffects {
  /** Multiplies the Deployment's load (a `load-multiplier` traffic spike). */
  loadFactor: number;
  /** Requests per second added to the Deployment's load (a `cpu-limit` traffic surge). */
  extraRequestsPerSecond: number;
  /** Memory every running container leaks per second. */
  leakBytesPerSecond: number;
  /** Share of the requests a pod serves that fail because a dependency fails (answered 500). */
  dependencyErrorFraction: number;
}

/** What a fault's start action may write through. */
export interface FaultStartContext {
  store: ObjectStore;
  cache: ClusterCache;
}

interface FaultModel {
  /** Runs once, at the first step (or injection) at which the fault is active. */
  start?(fault: ActiveFault, workload: FaultedWorkload, context: FaultStartContext): void;
  /** Runs every step while the fault is active, in injection order. */
  step?(fault: ActiveFault, workload: FaultedWorkload, effects: FaultEffects, dtSeconds: number, now: number): void;
}

const faultModels: Record<FaultType, FaultModel> = {
  'memory-leak': {
    step(fault, _workload, effects) {
      effects.leakBytesPerSecond = Math.max(effects.leakBytesPerSecond, leakBytesPerSecondAtFullStrength * fault.strength);
    },
  },
  'cache-bloat': {
    step(fault, workload, _effects, dtSeconds) {
      workload.cacheBytes = Math.min(maxCacheBytes, workload.cacheBytes + cacheBytesPerSecond * fault.strength * dtSeconds);
    },
  },
  'cpu-saturation': {
    // A cpu-limit surge is sized against the Deployment as it is when the surge begins: its replicas
    // and its pods' CPU limit then (an HPA that scales out later spreads the same traffic thinner).
    start(fault, workload, context) {
      if (fault.peak !== 'cpu-limit') return;
      const deployment = context.cache.get<Deployment>('apps/deployments', workload.namespace, workload.name);
      fault.surgeRequestsPerSecond = saturationSurgeRequestsPerSecond({
        strength: fault.strength,
        // A Deployment scaled to zero fails every request already; size the surge as for one replica.
        replicas: Math.max(1, deployment?.spec.replicas ?? 1),
        // The pod runtime's own fallback: a container without a CPU limit gets one core.
        cpuLimitCores: parseCpuCores(deployment?.spec.template?.spec?.containers?.[0]?.resources?.limits?.cpu, 1),
        profile: workload.profile,
        baselineRequestsPerSecond: workload.load.current,
      });
    },
    // The extra load grows linearly from nothing at the start to its peak after the ramp, then holds.
    step(fault, _workload, effects, _dtSeconds, now) {
      const share = rampShare(fault, now);
      if (fault.peak === 'load-multiplier') {
        effects.loadFactor = Math.max(effects.loadFactor, 1 + (spikeFactorAtFullStrength - 1) * fault.strength * share);
      } else {
        effects.extraRequestsPerSecond = Math.max(effects.extraRequestsPerSecond, (fault.surgeRequestsPerSecond ?? 0) * share);
      }
    },
  },
  'bad-release': {
    start(fault, workload, context) {
      rollOutFaultyTemplate(context, workload, { annotation: badReleaseAnnotation, strength: fault.strength, imageTag: 'bad' });
    },
  },
  'bad-config': {
    // A config change rolled out the way Helm and kustomize do it: the template's config checksum
    // changes, the image does not. The containers exit with an error once they read the bad value.
    start(fault, workload, context) {
      rollOutFaultyTemplate(context, workload, { annotation: badConfigAnnotation, strength: fault.strength, templateAnnotations: { 'checksum/config': `bad-${fault.strength}` } });
    },
  },
  'oom-crash-loop': {
    // A release whose working set outgrows the container's memory limit within a minute of start.
    start(fault, workload, context) {
      rollOutFaultyTemplate(context, workload, { annotation: oomCrashLoopAnnotation, strength: fault.strength, imageTag: 'heavy' });
    },
  },
  'failing-dependency': {
    // Errors without restarts: the pods stay up and ready, their dependency answers errors.
    step(fault, _workload, effects) {
      effects.dependencyErrorFraction = Math.max(effects.dependencyErrorFraction, fault.strength);
    },
  },
};

/** How a fault's release differs from the live template. */
interface FaultyTemplate {
  /** The marker annotation the pod runtime reads, set to the fault's strength. */
  annotation: string;
  strength: number;
  /** A new image tag (same repository), when the release ships new code. */
  imageTag?: string;
  /** Other pod-template annotations the release changes (e.g. a config checksum). */
  templateAnnotations?: Record<string, string>;
}

/** Rolls out the faulty template: a real new revision, as a `kubectl apply` of the release would. */
function rollOutFaultyTemplate(context: FaultStartContext, workload: FaultedWorkload, faulty: FaultyTemplate): void {
  const deployment = context.cache.get<Deployment>('apps/deployments', workload.namespace, workload.name);
  const template = deployment?.spec.template;
  const container = template?.spec?.containers?.[0];
  if (!deployment || !template || !container) return;
  const next = structuredClone(deployment);
  const nextTemplate = next.spec.template ?? {};
  nextTemplate.metadata = {
    ...nextTemplate.metadata,
    annotations: { ...nextTemplate.metadata?.annotations, ...faulty.templateAnnotations, [faulty.annotation]: String(faulty.strength) },
  };
  const containers = nextTemplate.spec?.containers ?? [];
  if (containers[0] && faulty.imageTag) {
    const image = `${(container.image ?? `registry.local/${workload.name}`).replace(/:[^:/]*$/, '')}:${faulty.imageTag}`;
    containers[0] = { ...containers[0], image };
  }
  writeDeploymentSpec(context.store, deployment, next);
}

/** What {@link saturationSurgeRequestsPerSecond} sizes a surge from. */
export interface SurgeSizing {
  /** The fault's strength, in (0, 1]. */
  strength: number;
  /** The Deployment's replicas when the surge begins. */
  replicas: number;
  /** CPU limit of one pod, in cores. */
  cpuLimitCores: number;
  profile: { cpuSecondsPerRequest: number; idleCpuCores: number };
  /** The workload's traffic when the surge begins, in requests per second. */
  baselineRequestsPerSecond: number;
}

/**
 * The traffic a `cpu-limit` surge adds at its peak: enough that the workload's traffic then (the
 * baseline plus this) asks each of the replicas it had at onset for (1 + strength) × its CPU limit.
 *
 * Why relative to the workload's own CPU: a "cpu-saturation" fault must saturate. A multiple of the
 * traffic does not say whether it does: a service sized at 25 req/s a replica uses 5–25% of its
 * core, so even ×4.6 traffic rarely reached the limit (on model v2's catalogue 2 of 30 training
 * surges breached the objective). Sized this way, every strength in (0, 1] takes the pods past their
 * limit, by 30% at strength 0.3 (23% of the requests shed as 503, against the objective's 5%) and by
 * 90% at 0.9, for every workload shape; what saves a workload is capacity added in time (an HPA, a
 * scale-out), as in a real surge. The surge comes on top of the organic traffic, which keeps its own
 * swings; it is never negative (a workload already past the peak gets no more).
 */
export function saturationSurgeRequestsPerSecond(sizing: SurgeSizing): number {
  const { strength, replicas, cpuLimitCores, profile, baselineRequestsPerSecond } = sizing;
  const peakRequestsPerSecond = (replicas * ((1 + strength) * cpuLimitCores - profile.idleCpuCores)) / profile.cpuSecondsPerRequest;
  return Math.max(0, peakRequestsPerSecond - baselineRequestsPerSecond);
}

/** How far the fault is through its ramp at `now`: 0 at the start, 1 from the end of the ramp on. */
export function rampShare(fault: Pick<ActiveFault, 'startAt' | 'rampMs'>, now: number): number {
  if (fault.rampMs <= 0) return now >= fault.startAt ? 1 : 0;
  return Math.min(1, Math.max(0, (now - fault.startAt) / fault.rampMs));
}

/** Whether the fault has started by `now`. */
export function isActive(fault: ActiveFault, now: number): boolean {
  return now >= fault.startAt;
}

/** Runs the fault's start action if it is active and has one that has not run; true when it ran. */
export function startIfDue(fault: ActiveFault, workload: FaultedWorkload, now: number, context: FaultStartContext): boolean {
  const model = faultModels[fault.type];
  if (!model.start || fault.applied || !isActive(fault, now)) return false;
  fault.applied = true;
  model.start(fault, workload, context);
  return true;
}

/** The effects of the workload's active faults on one step; changes the workload's state as they do. */
export function stepFaults(workload: FaultedWorkload, now: number, dtSeconds: number): FaultEffects {
  const effects: FaultEffects = { loadFactor: 1, extraRequestsPerSecond: 0, leakBytesPerSecond: 0, dependencyErrorFraction: 0 };
  for (const fault of workload.faults) {
    if (!isActive(fault, now)) continue;
    faultModels[fault.type].step?.(fault, workload, effects, dtSeconds, now);
  }
  return effects;
}

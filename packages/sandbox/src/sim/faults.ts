/**
 * The injectable faults, one model per type. A model may do something once when the fault becomes
 * active (`start`: the bad release rolls out a bad template) and something every step while it is
 * active (`step`: add to the step's `FaultEffects`, or change the workload's state, as the cache
 * growth does). A new fault type is a new entry in `faultTypes` (`simulation-options.ts`) and here.
 */
import type { Deployment } from '../base/kube-types.js';
import type { ClusterCache } from '../controller/cluster-cache.js';
import { writeDeploymentSpec } from '../controller/deployment-util.js';
import type { ObjectStore } from '../store/types.js';
import type { FaultType } from './simulation-options.js';

const mebibyte = 1024 * 1024;
/** Memory a leak adds per second at strength 1: a 512 MiB container OOMs in about 3 minutes. */
const leakBytesPerSecondAtFullStrength = 2 * mebibyte;
/** Cache growth per second at strength 1 (the cache lives on a volume shared by the pods). */
const cacheBytesPerSecond = 0.4 * mebibyte;
/** A bloated cache stops growing here (its eviction threshold). */
export const maxCacheBytes = 240 * mebibyte;
/** Extra load multiplier of a traffic spike at strength 1 (cpu-saturation). */
const spikeFactorAtFullStrength = 5;

/** Pod annotation carrying a bad release's strength (set by the `bad-release` fault). */
export const badReleaseAnnotation = 'sandbox.autoheal.dev/bad-release-strength';

/** An injected fault as the simulation keeps it. */
export interface ActiveFault {
  type: FaultType;
  strength: number;
  startAt: number;
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
}

/** What the active faults do to one step of a workload. */
export interface FaultEffects {
  /** Multiplies the Deployment's load (a traffic spike). */
  loadFactor: number;
  /** Memory every running container leaks per second. */
  leakBytesPerSecond: number;
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
  step?(fault: ActiveFault, workload: FaultedWorkload, effects: FaultEffects, dtSeconds: number): void;
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
    step(fault, _workload, effects) {
      effects.loadFactor = Math.max(effects.loadFactor, 1 + (spikeFactorAtFullStrength - 1) * fault.strength);
    },
  },
  'bad-release': {
    start(fault, workload, context) {
      rollOutBadRelease(context, workload, fault.strength);
    },
  },
};

/** Rolls out `<image>:bad` with the fault's strength: a real new revision. */
function rollOutBadRelease(context: FaultStartContext, workload: FaultedWorkload, strength: number): void {
  const deployment = context.cache.get<Deployment>('apps/deployments', workload.namespace, workload.name);
  const template = deployment?.spec.template;
  const container = template?.spec?.containers?.[0];
  if (!deployment || !template || !container) return;
  const image = `${(container.image ?? `registry.local/${workload.name}`).replace(/:[^:/]*$/, '')}:bad`;
  const next = structuredClone(deployment);
  const nextTemplate = next.spec.template ?? {};
  nextTemplate.metadata = { ...nextTemplate.metadata, annotations: { ...nextTemplate.metadata?.annotations, [badReleaseAnnotation]: String(strength) } };
  const containers = nextTemplate.spec?.containers ?? [];
  if (containers[0]) containers[0] = { ...containers[0], image };
  writeDeploymentSpec(context.store, deployment, next);
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
  const effects: FaultEffects = { loadFactor: 1, leakBytesPerSecond: 0 };
  for (const fault of workload.faults) {
    if (!isActive(fault, now)) continue;
    faultModels[fault.type].step?.(fault, workload, effects, dtSeconds);
  }
  return effects;
}

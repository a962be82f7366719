/**
 * What can fix each fault, and whether its cause is still in place: the sandbox's ground truth about
 * healing, which the fault table in the package README states in words. The outcome benchmark judges
 * a healing step with it (a step none of whose actions is a remedy of a cause in place could not
 * help), and the trainer's recovery scenarios pick their right and wrong actions from it.
 */
import type { Deployment } from '../base/kube-types.js';
import { badConfigAnnotation, badReleaseAnnotation, oomCrashLoopAnnotation } from '../sim/faults.js';
import type { FaultType } from '../sim/simulation-options.js';
import type { Simulation } from '../sim/simulation.js';

/** What a healing step does to a workload, in the terms of the fault table. */
export type Remedy = 'restart' | 'scale-out' | 'clear-cache' | 'rollback';

/** Every remedy, in the order of the original project's ladder (restart and scale, clear the cache, roll back). */
export const remedies: readonly Remedy[] = ['restart', 'scale-out', 'clear-cache', 'rollback'];

/**
 * The remedies that remove each fault's cause (or its damage, for a leak: new containers start
 * empty). A failing dependency has none: nothing done to the workload fixes its dependency, so the
 * right move is to tell a human.
 */
export const faultRemedies: Readonly<Record<FaultType, readonly Remedy[]>> = {
  'memory-leak': ['restart'],
  'cache-bloat': ['clear-cache'],
  'cpu-saturation': ['scale-out'],
  'bad-release': ['rollback'],
  'bad-config': ['rollback'],
  'oom-crash-loop': ['rollback'],
  'failing-dependency': [],
};

/**
 * How a fault arrives: `gradual` faults build up over minutes before users feel them (what a
 * prediction can get ahead of), `sudden` ones hurt within seconds of their onset.
 */
export const faultPace: Readonly<Record<FaultType, 'gradual' | 'sudden'>> = {
  'memory-leak': 'gradual',
  'cache-bloat': 'gradual',
  'cpu-saturation': 'gradual',
  'bad-release': 'sudden',
  'bad-config': 'sudden',
  'oom-crash-loop': 'sudden',
  'failing-dependency': 'sudden',
};

/** The faults whose cause comes with a release: their marker sits on the pod template. */
const releaseFaults: Partial<Record<FaultType, string>> = {
  'bad-release': badReleaseAnnotation,
  'bad-config': badConfigAnnotation,
  'oom-crash-loop': oomCrashLoopAnnotation,
};

/**
 * The faults whose cause is in place on a workload now: injected and started, not cleared, and for
 * a fault that came with a release, its template still live (a rollback or a new release removes
 * the cause; a restart does not).
 */
export function faultCausesPresent(simulation: Pick<Simulation, 'state' | 'store'>, namespace: string, name: string): FaultType[] {
  const workload = simulation.state().deployments.find((d) => d.namespace === namespace && d.name === name);
  if (!workload) return [];
  const deployment = simulation.store.get('apps/deployments', namespace, name) as Deployment | undefined;
  const templateAnnotations = deployment?.spec.template?.metadata?.annotations ?? {};
  const present = new Set<FaultType>();
  for (const fault of workload.faults) {
    if (!fault.active) continue;
    const marker = releaseFaults[fault.type];
    if (marker === undefined || templateAnnotations[marker] !== undefined) present.add(fault.type);
  }
  return [...present];
}

/**
 * The summary of the simulation that `GET /sandbox/state` serves: time, and per Deployment its
 * replicas, revision, load, cache, faults, pods and ground truth.
 */
import type { Deployment } from '../base/kube-types.js';
import type { ClusterCache } from '../controller/cluster-cache.js';
import { isActive } from './faults.js';
import type { WorkloadTruth } from './ground-truth.js';
import type { FaultType } from './simulation-options.js';
import type { Workload } from './workload-model.js';

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
    /** What its users experienced (see `Simulation.truth`). */
    truth: WorkloadTruth;
  }>;
}

/** Summarises the workloads at `now`. */
export function simulationState(workloads: Iterable<Workload>, cache: ClusterCache, now: number): SimulationState {
  return {
    time: new Date(now).toISOString(),
    timeMs: now,
    deployments: [...workloads].map((workload) => {
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
        truth: workload.truth.snapshot(now),
      };
    }),
  };
}

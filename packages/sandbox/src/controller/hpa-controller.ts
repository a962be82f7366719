/**
 * A HorizontalPodAutoscaler (autoscaling/v2) controller for CPU utilisation targets, like the
 * real one in its essentials: every sync it keeps the target Deployment's replicas within
 * [minReplicas, maxReplicas] (undoing outside writes), scales by
 * `ceil(readyPods × utilisation / target)` outside a 10% tolerance, limits scale-up to
 * max(double, +4) per sync, and only scales down to the highest recommendation of the last five
 * minutes (the default stabilisation window).
 */
import type { ObjectStore } from '../store/types.js';
import type { SandboxClock } from '../base/sandbox-clock.js';
import type { ClusterCache } from './cluster-cache.js';
import type { EventRecorder } from './event-recorder.js';
import { formatKubeTime } from '../base/kube-time.js';
import { writeDeploymentSpec } from './deployment-util.js';
import type { Deployment, HorizontalPodAutoscaler, Pod, ReplicaSet } from '../base/kube-types.js';

const tolerance = 0.1;
const scaleDownWindowMs = 5 * 60_000;

/** CPU figures of a running pod: cores used now, and the container's CPU request in cores. */
export type PodCpuReader = (namespace: string, podName: string) => { usageCores: number; requestCores: number } | undefined;

export interface HpaControllerOptions {
  store: ObjectStore;
  cache: ClusterCache;
  clock: SandboxClock;
  cpuOf: PodCpuReader;
  /** Where `SuccessfulRescale` Events go. */
  recorder: EventRecorder;
}

export interface HpaController {
  /** Runs one sync of every HPA (the real controller syncs every 15 s). */
  sync(): void;
}

/** Creates the HPA controller. */
export function createHpaController(options: HpaControllerOptions): HpaController {
  const { store, cache, clock, cpuOf, recorder } = options;
  /** HPA key → recent recommendations, for the scale-down stabilisation window. */
  const recommendations = new Map<string, Array<{ at: number; replicas: number }>>();

  function podsOf(deployment: Deployment): Pod[] {
    const pods: Pod[] = [];
    for (const replicaSet of cache.ownedBy<ReplicaSet>('apps/replicasets', deployment.metadata.uid ?? '')) {
      pods.push(...cache.ownedBy<Pod>('/pods', replicaSet.metadata.uid ?? ''));
    }
    return pods;
  }

  function syncOne(hpa: HorizontalPodAutoscaler): void {
    const namespace = hpa.metadata.namespace ?? 'default';
    const key = `${namespace}/${hpa.metadata.name}`;
    const target = hpa.spec.scaleTargetRef;
    if (target.kind !== 'Deployment') return;
    const deployment = cache.get<Deployment>('apps/deployments', namespace, target.name);
    if (!deployment) return;
    const current = deployment.spec.replicas ?? 1;
    if (current === 0) return; // A Deployment scaled to zero disables autoscaling.
    const minReplicas = hpa.spec.minReplicas ?? 1;
    const maxReplicas = hpa.spec.maxReplicas;
    const targetUtilization = hpa.spec.metrics?.find((metric) => metric.type === 'Resource' && metric.resource?.name === 'cpu')
      ?.resource?.target.averageUtilization;

    let utilization: number | undefined;
    let desired = current;
    if (current > maxReplicas) {
      // Outside the range the HPA goes straight to the bound, without looking at metrics.
      desired = maxReplicas;
    } else if (current < minReplicas) {
      desired = minReplicas;
    } else if (targetUtilization !== undefined) {
      let recommended = current;
      let usage = 0;
      let requests = 0;
      let readyPods = 0;
      for (const pod of podsOf(deployment)) {
        const ready = pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True');
        const cpu = cpuOf(namespace, pod.metadata.name);
        if (!ready || !cpu) continue;
        usage += cpu.usageCores;
        requests += cpu.requestCores;
        readyPods += 1;
      }
      if (readyPods > 0 && requests > 0) {
        utilization = Math.round((100 * usage) / requests);
        const ratio = utilization / targetUtilization;
        if (Math.abs(ratio - 1) > tolerance) recommended = Math.ceil(ratio * readyPods);
      }
      const now = clock.now();
      const history = (recommendations.get(key) ?? []).filter((entry) => entry.at > now - scaleDownWindowMs);
      history.push({ at: now, replicas: recommended });
      recommendations.set(key, history);
      desired = recommended;
      if (desired < current) desired = Math.min(current, Math.max(...history.map((entry) => entry.replicas)));
      if (desired > current) desired = Math.min(desired, Math.max(current * 2, current + 4));
      desired = Math.min(maxReplicas, Math.max(minReplicas, desired));
    }

    const now = clock.now();
    let lastScaleTime = hpa.status?.['lastScaleTime'] as string | undefined;
    if (desired !== current) {
      writeDeploymentSpec(store, deployment, { ...deployment, spec: { ...deployment.spec, replicas: desired } });
      lastScaleTime = formatKubeTime(now);
      const reason = current > maxReplicas ? 'Current number of replicas above Spec.MaxReplicas'
        : current < minReplicas ? 'Current number of replicas below Spec.MinReplicas'
        : `cpu resource utilization (percentage of request) ${desired > current ? 'above' : 'below'} target`;
      recorder.record({
        involvedObject: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: hpa.metadata.name, namespace, uid: hpa.metadata.uid },
        type: 'Normal',
        reason: 'SuccessfulRescale',
        message: `New size: ${desired}; reason: ${reason}`,
        component: 'horizontal-pod-autoscaler',
      });
    }
    const status = {
      observedGeneration: hpa.metadata.generation ?? 1,
      currentReplicas: current,
      desiredReplicas: desired,
      ...(lastScaleTime ? { lastScaleTime } : {}),
      ...(utilization !== undefined
        ? { currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: utilization } } }] }
        : {}),
    };
    const latest = cache.get<HorizontalPodAutoscaler>('autoscaling/horizontalpodautoscalers', namespace, hpa.metadata.name);
    if (latest) store.update('autoscaling/horizontalpodautoscalers', { ...latest, status });
  }

  return {
    sync() {
      for (const hpa of [...cache.all<HorizontalPodAutoscaler>('autoscaling/horizontalpodautoscalers')]) syncOne(hpa);
    },
  };
}

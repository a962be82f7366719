/**
 * autoscaling/v1 HorizontalPodAutoscalers as a view of the stored autoscaling/v2 objects, as the API
 * server converts between versions of one storage. v1 knows only a CPU utilization target; other v2
 * metrics are not visible through v1 and are dropped when an HPA is written through v1.
 */
import type { KubeObject } from '../base/kube-types.js';

type Loose = Record<string, any>;

function isCpuUtilization(metric: Loose | undefined, field: 'resource'): boolean {
  return metric?.type === 'Resource' && metric[field]?.name === 'cpu';
}

/** Stored (v2) → autoscaling/v1. */
export function hpaV2ToV1(object: KubeObject): KubeObject {
  const spec = (object.spec ?? {}) as Loose;
  const status = object.status as Loose | undefined;
  const cpuTarget = ((spec.metrics ?? []) as Loose[]).find((metric) => isCpuUtilization(metric, 'resource'))?.resource?.target;
  const cpuCurrent = ((status?.currentMetrics ?? []) as Loose[]).find((metric) => isCpuUtilization(metric, 'resource'))?.resource?.current;
  const converted: KubeObject = {
    ...object,
    apiVersion: 'autoscaling/v1',
    spec: {
      scaleTargetRef: spec.scaleTargetRef,
      ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec.maxReplicas,
      ...(cpuTarget?.averageUtilization !== undefined ? { targetCPUUtilizationPercentage: cpuTarget.averageUtilization } : {}),
    },
  };
  if (status) {
    converted.status = {
      ...(status.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
      ...(status.lastScaleTime !== undefined ? { lastScaleTime: status.lastScaleTime } : {}),
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas ?? 0,
      ...(cpuCurrent?.averageUtilization !== undefined ? { currentCPUUtilizationPercentage: cpuCurrent.averageUtilization } : {}),
    };
  }
  return converted;
}

/** autoscaling/v1 → stored (v2). */
export function hpaV1ToV2(object: KubeObject): KubeObject {
  const spec = (object.spec ?? {}) as Loose;
  const status = object.status as Loose | undefined;
  const { targetCPUUtilizationPercentage, ...restOfSpec } = spec;
  const converted: KubeObject = {
    ...object,
    apiVersion: 'autoscaling/v2',
    spec: {
      ...restOfSpec,
      ...(targetCPUUtilizationPercentage !== undefined
        ? { metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: targetCPUUtilizationPercentage } } }] }
        : {}),
    },
  };
  if (status) {
    const { currentCPUUtilizationPercentage, ...restOfStatus } = status;
    converted.status = {
      ...restOfStatus,
      ...(currentCPUUtilizationPercentage !== undefined
        ? { currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: currentCPUUtilizationPercentage } } }] }
        : {}),
    };
  }
  return converted;
}

/**
 * Builds the metric families from the cluster state (kube-state-metrics style series) and from the
 * pods' runtimes (cAdvisor and application series). Counters of a restarted container keep
 * counting: unlike cAdvisor, which starts a new series per container id, the sandbox keeps one
 * container id per pod, so every counter is monotonic per pod.
 */
import type { Deployment, Pod, ReplicaSet } from '../controller/kube-types.js';
import type { PodMetricLabels, PodRuntime } from '../sim/pod-runtime.js';
import { type MetricFamily, type MetricName, type MetricSample, metricFamilyDefinitions } from './metric-families.js';

/** What the collector reads. */
export interface MetricsSource {
  deployments: Iterable<Deployment>;
  replicaSets: Iterable<ReplicaSet>;
  pods: Iterable<Pod>;
  /** The runtime of a pod by `namespace/name`, when the simulation knows it. */
  runtimeOf(namespace: string, name: string): PodRuntime | undefined;
}

/** The pause image of pod sandboxes, which own the pod's network interface. */
const pauseImage = 'registry.k8s.io/pause:3.9';

/** Builds (once per pod) the frozen label sets of its cAdvisor and application series. */
function podMetricLabels(runtime: PodRuntime, namespace: string, pod: string, uid: string): PodMetricLabels {
  const cgroup = `/kubepods/burstable/pod${uid}`;
  const container = {
    namespace,
    pod,
    container: runtime.containerName,
    image: runtime.image,
    id: `${cgroup}/${runtime.containerId}`,
    name: runtime.containerId,
  };
  const responseLabels = (status: string) => Object.freeze({ namespace, pod, method: 'GET', status });
  return {
    cpu: Object.freeze({ ...container, cpu: 'total' }),
    memory: Object.freeze(container),
    network: Object.freeze({ namespace, pod, container: '', image: pauseImage, id: `${cgroup}/${runtime.sandboxId}`, name: runtime.sandboxId, interface: 'eth0' }),
    responses: Object.freeze({ '200': responseLabels('200'), '500': responseLabels('500'), '503': responseLabels('503') }),
  };
}

/**
 * Collects every family, in `metricFamilyDefinitions` order. Label objects of samples are shared
 * between collections and frozen: treat samples as read-only.
 */
export function collectMetricFamilies(source: MetricsSource): MetricFamily[] {
  const families = new Map<MetricName, MetricSample[]>(
    (Object.keys(metricFamilyDefinitions) as MetricName[]).map((name) => [name, []]),
  );
  const add = (name: MetricName, labels: Readonly<Record<string, string>>, value: number) => {
    families.get(name)?.push({ name, labels, value });
  };

  for (const pod of source.pods) {
    const namespace = pod.metadata.namespace ?? '';
    const podName = pod.metadata.name;
    const uid = pod.metadata.uid ?? '';
    const runtime = source.runtimeOf(namespace, podName);
    const owner = pod.metadata.ownerReferences?.find((reference) => reference.controller);
    if (owner) {
      add('kube_pod_owner', { namespace, pod: podName, uid, owner_kind: owner.kind, owner_name: owner.name, owner_is_controller: 'true' }, 1);
    }
    const readyCondition = pod.status?.conditions?.find((condition) => condition.type === 'Ready');
    const readyStatus = readyCondition?.status ?? 'Unknown';
    for (const condition of ['true', 'false', 'unknown']) {
      add('kube_pod_status_ready', { namespace, pod: podName, uid, condition }, readyStatus.toLowerCase() === condition ? 1 : 0);
    }
    for (const status of pod.status?.containerStatuses ?? []) {
      const containerLabels = { namespace, pod: podName, uid, container: status.name };
      add('kube_pod_container_status_restarts_total', containerLabels, status.restartCount);
      add('kube_pod_container_status_ready', containerLabels, status.ready ? 1 : 0);
      if (status.state.waiting) {
        add('kube_pod_container_status_waiting_reason', { ...containerLabels, reason: status.state.waiting.reason }, 1);
      }
      if (status.lastState.terminated) {
        add('kube_pod_container_status_last_terminated_reason', { ...containerLabels, reason: status.lastState.terminated.reason }, 1);
      }
    }

    if (!runtime) continue;
    const labels = runtime.metricLabels ?? (runtime.metricLabels = podMetricLabels(runtime, namespace, podName, uid));
    if (runtime.phase === 'running') {
      add('container_cpu_usage_seconds_total', labels.cpu, runtime.cpuSecondsTotal);
      add('container_memory_working_set_bytes', labels.memory, Math.round(runtime.memoryBytes));
    }
    if (runtime.containerStartedAt > 0) {
      add('container_network_receive_bytes_total', labels.network, Math.floor(runtime.networkReceiveBytesTotal));
      add('flask_http_request_total', labels.responses['200'], Math.floor(runtime.responses200));
      add('flask_http_request_total', labels.responses['500'], Math.floor(runtime.responses500));
      add('flask_http_request_total', labels.responses['503'], Math.floor(runtime.responses503));
    }
  }

  for (const replicaSet of source.replicaSets) {
    const owner = replicaSet.metadata.ownerReferences?.find((reference) => reference.controller);
    if (!owner) continue;
    add('kube_replicaset_owner', {
      namespace: replicaSet.metadata.namespace ?? '',
      replicaset: replicaSet.metadata.name,
      owner_kind: owner.kind,
      owner_name: owner.name,
      owner_is_controller: 'true',
    }, 1);
  }

  for (const deployment of source.deployments) {
    const labels = { namespace: deployment.metadata.namespace ?? '', deployment: deployment.metadata.name };
    const status = deployment.status ?? {};
    add('kube_deployment_spec_replicas', labels, deployment.spec.replicas ?? 1);
    add('kube_deployment_status_replicas', labels, status.replicas ?? 0);
    add('kube_deployment_status_replicas_ready', labels, status.readyReplicas ?? 0);
    add('kube_deployment_status_replicas_available', labels, status.availableReplicas ?? 0);
    add('kube_deployment_status_replicas_unavailable', labels, status.unavailableReplicas ?? 0);
    add('kube_deployment_status_replicas_updated', labels, status.updatedReplicas ?? 0);
    add('kube_deployment_status_observed_generation', labels, status.observedGeneration ?? 0);
    add('kube_deployment_metadata_generation', labels, deployment.metadata.generation ?? 1);
    add('kube_deployment_spec_paused', labels, deployment.spec.paused ? 1 : 0);
    for (const condition of status.conditions ?? []) {
      for (const value of ['true', 'false', 'unknown']) {
        add('kube_deployment_status_condition', { ...labels, condition: condition.type, reason: condition.reason ?? '', status: value }, condition.status.toLowerCase() === value ? 1 : 0);
      }
    }
  }

  return (Object.keys(metricFamilyDefinitions) as MetricName[]).map((name) => {
    const [type, help] = metricFamilyDefinitions[name];
    return { name, type, help, samples: families.get(name) ?? [] };
  });
}

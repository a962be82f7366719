/**
 * Builds the metric families from the cluster state (kube-state-metrics style series: replicas,
 * rollout state, strategy, creation times, container requests and limits) and from the pods'
 * runtimes (cAdvisor series, CFS throttling, the application's request counter in the workload's
 * preset) and the ingress (ingress-nginx series). Counters of a restarted container keep
 * counting: unlike cAdvisor, which starts a new series per container id, the sandbox keeps one
 * container id per pod, so every counter is monotonic per pod.
 *
 * Label sets are built once per pod / Deployment / ReplicaSet / Ingress, frozen and shared between
 * collections (so rendering can memoise their text): treat samples as read-only.
 */
import type { Deployment, Pod, ReplicaSet } from '../base/kube-types.js';
import { type MetricFamily, type MetricName, type MetricSample, metricFamilyDefinitions } from './metric-families.js';
import { parseCpuCores, parseMemoryBytes } from '../base/resource-quantity.js';
import { type RequestMetricPreset, type ResponseCounts, ingressRequestLabels, responseStatuses } from './request-metrics.js';

/** What cAdvisor and the application's exporter know about one pod's simulated container. */
export interface PodMetricsReading {
  readonly phase: 'creating' | 'running' | 'backoff';
  /** When the container first started (0 before): network and request series exist from then on. */
  readonly containerStartedAt: number;
  readonly containerName: string;
  readonly image: string;
  readonly containerId: string;
  readonly sandboxId: string;
  readonly cpuSecondsTotal: number;
  readonly cfsPeriodsTotal: number;
  readonly cfsThrottledPeriodsTotal: number;
  readonly memoryBytes: number;
  readonly networkReceiveBytesTotal: number;
  /** Responses the application answered, by status. */
  readonly responses: ResponseCounts;
  /** How the application exposes its request counter; `undefined`: it does not. */
  readonly requestMetrics: RequestMetricPreset | undefined;
  /** The pod's label sets, kept on the reading by the collector (rendering memoises by identity). */
  metricLabels: PodMetricLabels | undefined;
}

/** What the ingress in front of one Deployment's Service counted. */
export interface IngressMetricsReading {
  readonly namespace: string;
  /** The Deployment, its Service and its Ingress share this name. */
  readonly name: string;
  /** Every request that reached the ingress, by the status the client got. */
  readonly responses: ResponseCounts;
}

/** What the collector reads. */
export interface MetricsSource {
  deployments: Iterable<Deployment>;
  replicaSets: Iterable<ReplicaSet>;
  pods: Iterable<Pod>;
  /** The runtime of a pod by `namespace/name`, when the simulation knows it. */
  runtimeOf(namespace: string, name: string): PodMetricsReading | undefined;
  /** One entry per simulated Deployment. */
  ingresses: Iterable<IngressMetricsReading>;
}

/** The label sets of one pod's series, built once per pod. */
export interface PodMetricLabels {
  owner: Readonly<Record<string, string>> | undefined;
  ready: Readonly<Record<'true' | 'false' | 'unknown', Readonly<Record<string, string>>>>;
  /** Per container name: `{namespace, pod, uid, container}`. */
  containers: ReadonlyMap<string, Readonly<Record<string, string>>>;
  cpu: Readonly<Record<string, string>>;
  memory: Readonly<Record<string, string>>;
  network: Readonly<Record<string, string>>;
  /** The application's request counter series, by status (empty without request metrics). */
  responses: Partial<Readonly<Record<keyof ResponseCounts, Readonly<Record<string, string>>>>>;
  /** kube-state-metrics' requests and limits of each container: label sets and values. */
  resources: ReadonlyArray<{ family: 'kube_pod_container_resource_requests' | 'kube_pod_container_resource_limits'; labels: Readonly<Record<string, string>>; value: number }>;
}

/** The pause image of pod sandboxes, which own the pod's network interface. */
const pauseImage = 'registry.k8s.io/pause:3.9';

type Labels = Readonly<Record<string, string>>;
const conditionValues = ['true', 'false', 'unknown'] as const;

/** Builds the frozen label sets of a pod's series. */
function podMetricLabels(pod: Pod, runtime: PodMetricsReading | undefined): PodMetricLabels {
  const namespace = pod.metadata.namespace ?? '';
  const name = pod.metadata.name;
  const uid = pod.metadata.uid ?? '';
  const owner = pod.metadata.ownerReferences?.find((reference) => reference.controller);
  const cgroup = `/kubepods/burstable/pod${uid}`;
  const containerId = runtime?.containerId ?? '';
  const sandboxId = runtime?.sandboxId ?? '';
  const container = Object.freeze({
    namespace,
    pod: name,
    container: runtime?.containerName ?? '',
    image: runtime?.image ?? '',
    id: `${cgroup}/${containerId}`,
    name: containerId,
  });
  const preset = runtime?.requestMetrics;
  // The pod's Deployment (for the mesh presets' workload labels), from its ReplicaSet's name.
  const deployment = owner?.kind === 'ReplicaSet' ? owner.name.replace(/-[^-]+$/, '') : name;
  const responseLabels = (status: keyof ResponseCounts) => Object.freeze(preset?.labels(namespace, name, status, deployment) ?? {});
  const resources: PodMetricLabels['resources'][number][] = [];
  for (const spec of pod.spec.containers) {
    for (const [family, quantities] of [['kube_pod_container_resource_requests', spec.resources?.requests], ['kube_pod_container_resource_limits', spec.resources?.limits]] as const) {
      if (quantities?.cpu !== undefined) resources.push({ family, labels: Object.freeze({ namespace, pod: name, uid, container: spec.name, node: 'sandbox-node', resource: 'cpu', unit: 'core' }), value: parseCpuCores(quantities.cpu, 0) });
      if (quantities?.memory !== undefined) resources.push({ family, labels: Object.freeze({ namespace, pod: name, uid, container: spec.name, node: 'sandbox-node', resource: 'memory', unit: 'byte' }), value: parseMemoryBytes(quantities.memory, 0) });
    }
  }
  return {
    owner: owner
      ? Object.freeze({ namespace, pod: name, uid, owner_kind: owner.kind, owner_name: owner.name, owner_is_controller: 'true' })
      : undefined,
    ready: Object.freeze({
      true: Object.freeze({ namespace, pod: name, uid, condition: 'true' }),
      false: Object.freeze({ namespace, pod: name, uid, condition: 'false' }),
      unknown: Object.freeze({ namespace, pod: name, uid, condition: 'unknown' }),
    }),
    containers: new Map(pod.spec.containers.map((spec) => [spec.name, Object.freeze({ namespace, pod: name, uid, container: spec.name })])),
    cpu: Object.freeze({ ...container, cpu: 'total' }),
    memory: container,
    network: Object.freeze({ namespace, pod: name, container: '', image: pauseImage, id: `${cgroup}/${sandboxId}`, name: sandboxId, interface: 'eth0' }),
    responses: preset ? Object.freeze({ '200': responseLabels('200'), '500': responseLabels('500'), '503': responseLabels('503') }) : {},
    resources,
  };
}

/** kube-state-metrics' creation timestamps: whole Unix seconds. */
function createdSeconds(timestamp: string | undefined): number {
  const ms = Date.parse(timestamp ?? '');
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

/**
 * kube-state-metrics' `maxUnavailable` of a RollingUpdate Deployment: the int-or-percent scaled to the
 * desired replicas, rounded down (no fencepost adjustment); `undefined` for Recreate (no series).
 */
function rollingUpdateMaxUnavailable(deployment: Deployment): number | undefined {
  const strategy = deployment.spec.strategy;
  if (strategy?.type === 'Recreate') return undefined;
  const value = strategy?.rollingUpdate?.maxUnavailable ?? '25%';
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(value);
  return percent ? Math.floor((Number(percent[1]) * (deployment.spec.replicas ?? 1)) / 100) : Number.parseInt(value, 10) || 0;
}

/** A metrics collector; it keeps the label sets of Deployments and ReplicaSets between calls. */
export interface MetricsCollector {
  /** Collects every family, in `metricFamilyDefinitions` order. */
  collect(source: MetricsSource): MetricFamily[];
}

/** Creates a collector. */
export function createMetricsCollector(): MetricsCollector {
  let ownerLabels = new Map<string, Labels>();
  let replicaSetLabels = new Map<string, Labels>();
  let deploymentLabels = new Map<string, Labels>();
  let ingressLabels = new Map<string, Readonly<Record<keyof ResponseCounts, Labels>>>();

  return {
    collect(source) {
      const families = new Map<MetricName, MetricSample[]>(
        (Object.keys(metricFamilyDefinitions) as MetricName[]).map((name) => [name, []]),
      );
      const add = (name: MetricName, labels: Labels, value: number) => {
        families.get(name)?.push({ name, labels, value });
      };

      for (const pod of source.pods) {
        const namespace = pod.metadata.namespace ?? '';
        const runtime = source.runtimeOf(namespace, pod.metadata.name);
        const labels = runtime?.metricLabels ?? podMetricLabels(pod, runtime);
        if (runtime && !runtime.metricLabels) runtime.metricLabels = labels;

        if (labels.owner) add('kube_pod_owner', labels.owner, 1);
        const readyStatus = (pod.status?.conditions?.find((condition) => condition.type === 'Ready')?.status ?? 'Unknown').toLowerCase();
        for (const condition of conditionValues) add('kube_pod_status_ready', labels.ready[condition], readyStatus === condition ? 1 : 0);
        for (const status of pod.status?.containerStatuses ?? []) {
          const containerLabels = labels.containers.get(status.name) ?? { namespace, pod: pod.metadata.name, uid: pod.metadata.uid ?? '', container: status.name };
          add('kube_pod_container_status_restarts_total', containerLabels, status.restartCount);
          add('kube_pod_container_status_ready', containerLabels, status.ready ? 1 : 0);
          if (status.state.waiting) {
            add('kube_pod_container_status_waiting_reason', { ...containerLabels, reason: status.state.waiting.reason }, 1);
          }
          if (status.lastState.terminated) {
            add('kube_pod_container_status_last_terminated_reason', { ...containerLabels, reason: status.lastState.terminated.reason }, 1);
          }
        }

        for (const resource of labels.resources) add(resource.family, resource.labels, resource.value);

        if (!runtime) continue;
        if (runtime.phase === 'running') {
          add('container_cpu_usage_seconds_total', labels.cpu, runtime.cpuSecondsTotal);
          add('container_memory_working_set_bytes', labels.memory, Math.round(runtime.memoryBytes));
          // cAdvisor counts CFS periods only for a container with a CPU quota (a limit).
          if (labels.resources.some((resource) => resource.family === 'kube_pod_container_resource_limits' && resource.labels.resource === 'cpu')) {
            add('container_cpu_cfs_periods_total', labels.memory, Math.floor(runtime.cfsPeriodsTotal));
            add('container_cpu_cfs_throttled_periods_total', labels.memory, Math.floor(runtime.cfsThrottledPeriodsTotal));
          }
        }
        if (runtime.containerStartedAt > 0) {
          add('container_network_receive_bytes_total', labels.network, Math.floor(runtime.networkReceiveBytesTotal));
          if (runtime.requestMetrics) {
            for (const status of responseStatuses) add(runtime.requestMetrics.family, labels.responses[status] as Labels, Math.floor(runtime.responses[status]));
          }
        }
      }

      const nextOwnerLabels = new Map<string, Labels>();
      const nextReplicaSetLabels = new Map<string, Labels>();
      for (const replicaSet of source.replicaSets) {
        const rsKey = `${replicaSet.metadata.namespace}/${replicaSet.metadata.name}`;
        const rsLabels = replicaSetLabels.get(rsKey) ?? Object.freeze({ namespace: replicaSet.metadata.namespace ?? '', replicaset: replicaSet.metadata.name });
        nextReplicaSetLabels.set(rsKey, rsLabels);
        add('kube_replicaset_created', rsLabels, createdSeconds(replicaSet.metadata.creationTimestamp));
        add('kube_replicaset_spec_replicas', rsLabels, replicaSet.spec.replicas ?? 0);
        const owner = replicaSet.metadata.ownerReferences?.find((reference) => reference.controller);
        if (!owner) continue;
        const key = `${replicaSet.metadata.namespace}/${replicaSet.metadata.name}/${owner.kind}/${owner.name}`;
        const labels = ownerLabels.get(key) ?? Object.freeze({
          namespace: replicaSet.metadata.namespace ?? '',
          replicaset: replicaSet.metadata.name,
          owner_kind: owner.kind,
          owner_name: owner.name,
          owner_is_controller: 'true',
        });
        nextOwnerLabels.set(key, labels);
        add('kube_replicaset_owner', labels, 1);
      }
      ownerLabels = nextOwnerLabels;

      replicaSetLabels = nextReplicaSetLabels;

      const nextDeploymentLabels = new Map<string, Labels>();
      for (const deployment of source.deployments) {
        const key = `${deployment.metadata.namespace}/${deployment.metadata.name}`;
        const labels = deploymentLabels.get(key) ?? Object.freeze({ namespace: deployment.metadata.namespace ?? '', deployment: deployment.metadata.name });
        nextDeploymentLabels.set(key, labels);
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
        add('kube_deployment_created', labels, createdSeconds(deployment.metadata.creationTimestamp));
        const maxUnavailable = rollingUpdateMaxUnavailable(deployment);
        if (maxUnavailable !== undefined) add('kube_deployment_spec_strategy_rollingupdate_max_unavailable', labels, maxUnavailable);
        for (const condition of status.conditions ?? []) {
          for (const value of conditionValues) {
            add('kube_deployment_status_condition', { ...labels, condition: condition.type, reason: condition.reason ?? '', status: value }, condition.status.toLowerCase() === value ? 1 : 0);
          }
        }
      }
      deploymentLabels = nextDeploymentLabels;

      const nextIngressLabels = new Map<string, Readonly<Record<keyof ResponseCounts, Labels>>>();
      for (const ingress of source.ingresses) {
        const key = `${ingress.namespace}/${ingress.name}`;
        const labels = ingressLabels.get(key) ?? Object.freeze({
          '200': Object.freeze(ingressRequestLabels(ingress.namespace, ingress.name, '200')),
          '500': Object.freeze(ingressRequestLabels(ingress.namespace, ingress.name, '500')),
          '503': Object.freeze(ingressRequestLabels(ingress.namespace, ingress.name, '503')),
        });
        nextIngressLabels.set(key, labels);
        for (const status of responseStatuses) add('nginx_ingress_controller_requests', labels[status], Math.floor(ingress.responses[status]));
      }
      ingressLabels = nextIngressLabels;

      return (Object.keys(metricFamilyDefinitions) as MetricName[]).map((name) => {
        const [type, help] = metricFamilyDefinitions[name];
        return { name, type, help, samples: families.get(name) ?? [] };
      });
    },
  };
}

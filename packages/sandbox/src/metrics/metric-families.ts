/**
 * The metric families the sandbox exposes, with the HELP texts of the exporters they imitate
 * (cAdvisor via the kubelet, kube-state-metrics, prometheus_flask_exporter and the other request
 * presets, ingress-nginx). The
 * Prometheus adapter and the trainer rely on these names, labels and units exactly. A new family
 * goes at the end, so the order of the existing ones (and so every scrape) stays the same.
 */

/** One sample: what one line of `/metrics` says. */
export interface MetricSample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** A metric family: its samples share the name, HELP and TYPE. */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: MetricSample[];
}

/** Name → [type, HELP] of every family, in exposition order. */
export const metricFamilyDefinitions = {
  container_cpu_usage_seconds_total: ['counter', 'Cumulative cpu time consumed in seconds.'],
  container_memory_working_set_bytes: ['gauge', 'Current working set in bytes.'],
  container_network_receive_bytes_total: ['counter', 'Cumulative count of bytes received'],
  kube_pod_container_status_restarts_total: ['counter', '[STABLE] The number of container restarts per container.'],
  kube_pod_container_status_ready: ['gauge', '[STABLE] Describes whether the containers readiness check succeeded.'],
  kube_pod_container_status_waiting_reason: ['gauge', '[STABLE] Describes the reason the container is currently in waiting state.'],
  kube_pod_container_status_last_terminated_reason: ['gauge', 'Describes the last reason the container was in terminated state.'],
  kube_pod_status_ready: ['gauge', '[STABLE] Describes whether the pod is ready to serve requests.'],
  kube_pod_owner: ['gauge', "[STABLE] Information about the Pod's owner."],
  kube_replicaset_owner: ['gauge', "[STABLE] Information about the ReplicaSet's owner."],
  kube_deployment_spec_replicas: ['gauge', '[STABLE] Number of desired pods for a deployment.'],
  kube_deployment_status_replicas: ['gauge', '[STABLE] The number of replicas per deployment.'],
  kube_deployment_status_replicas_ready: ['gauge', '[STABLE] The number of ready replicas per deployment.'],
  kube_deployment_status_replicas_available: ['gauge', '[STABLE] The number of available replicas per deployment.'],
  kube_deployment_status_replicas_unavailable: ['gauge', '[STABLE] The number of unavailable replicas per deployment.'],
  kube_deployment_status_replicas_updated: ['gauge', '[STABLE] The number of updated replicas per deployment.'],
  kube_deployment_status_observed_generation: ['gauge', '[STABLE] The generation observed by the deployment controller.'],
  kube_deployment_status_condition: ['gauge', '[STABLE] The current status conditions of a deployment.'],
  kube_deployment_metadata_generation: ['gauge', '[STABLE] Sequence number representing a specific generation of the desired state.'],
  kube_deployment_spec_paused: ['gauge', '[STABLE] Whether the deployment is paused and will not be processed by the deployment controller.'],
  flask_http_request_total: ['counter', 'Total number of HTTP requests'],
  nginx_ingress_controller_requests: ['counter', 'The total number of client requests'],
  // Feature set v2 and the request presets (appended: the order of the earlier families stays).
  container_cpu_cfs_periods_total: ['counter', 'Number of elapsed enforcement period intervals.'],
  container_cpu_cfs_throttled_periods_total: ['counter', 'Number of throttled period intervals.'],
  kube_pod_container_resource_requests: ['gauge', 'The number of requested request resource by a container. It is recommended to use the kube_pod_resource_requests metric exposed by kube-scheduler instead, as it is more precise.'],
  kube_pod_container_resource_limits: ['gauge', 'The number of requested limit resource by a container. It is recommended to use the kube_pod_resource_limits metric exposed by kube-scheduler instead, as it is more precise.'],
  kube_replicaset_created: ['gauge', '[STABLE] Unix creation timestamp'],
  kube_replicaset_spec_replicas: ['gauge', '[STABLE] Number of desired pods for a ReplicaSet.'],
  kube_deployment_created: ['gauge', '[STABLE] Unix creation timestamp'],
  kube_deployment_spec_strategy_rollingupdate_max_unavailable: ['gauge', '[STABLE] Maximum number of unavailable replicas during a rolling update of a deployment.'],
  http_requests_total: ['counter', 'Total number of HTTP requests by status code, handler and method.'],
  http_server_request_duration_seconds_count: ['counter', 'Duration of HTTP server requests.'],
  istio_requests_total: ['counter', 'Total requests.'],
  response_total: ['counter', 'Total count of HTTP responses.'],
} as const satisfies Record<string, readonly ['counter' | 'gauge', string]>;

export type MetricName = keyof typeof metricFamilyDefinitions;

/**
 * How requests are counted and labelled. The simulation counts responses by HTTP status; a
 * preset says how an application framework's exporter (or a mesh sidecar) names and labels that
 * counter — the seed project's Flask exporter by default, or the Prometheus client convention,
 * OpenTelemetry, Istio or Linkerd, chosen per workload — and the ingress series says what the
 * ingress in front of the pods saw, including the requests that never reached a pod. The label sets
 * follow the request presets of `@autoheal/core` (the Prometheus adapter's README lists them).
 */
import type { MetricName } from './metric-families.js';

/** The HTTP statuses the simulation answers with. */
export const responseStatuses = ['200', '500', '503'] as const;
export type ResponseStatus = (typeof responseStatuses)[number];

/**
 * Responses by status since the start. Fractional: the simulation counts expected values, and the
 * exporters show them rounded down.
 */
export type ResponseCounts = Record<ResponseStatus, number>;

/** A new zeroed `ResponseCounts`. */
export function emptyResponseCounts(): ResponseCounts {
  return { '200': 0, '500': 0, '503': 0 };
}

type Labels = Readonly<Record<string, string>>;

/** How an application's own exporter exposes its request counter, per pod. */
export interface RequestMetricPreset {
  /** The counter's family. */
  family: MetricName;
  /** The labels of one pod's series for one status. */
  labels(namespace: string, pod: string, status: ResponseStatus, deployment: string): Labels;
}

/** prometheus_flask_exporter, as the seed project's app exposes it: `flask_http_request_total{method, status}`. */
export const flaskRequestMetrics: RequestMetricPreset = {
  family: 'flask_http_request_total',
  labels: (namespace, pod, status) => ({ namespace, pod, method: 'GET', status }),
};

/** The request metrics a simulated workload can expose (`none`: no request counter at all). */
export const sandboxRequestMetrics = ['flask', 'prometheus-client', 'opentelemetry', 'istio', 'linkerd', 'none'] as const;
export type SandboxRequestMetrics = (typeof sandboxRequestMetrics)[number];

/** The pod-template annotation that names a workload's request metrics (absent: flask). */
export const requestMetricsAnnotation = 'sandbox.autoheal.dev/request-metrics';

/** The presets by name; `none` exposes no request counter. */
export const requestMetricPresets: Readonly<Record<Exclude<SandboxRequestMetrics, 'none'>, RequestMetricPreset>> = {
  flask: flaskRequestMetrics,
  // The Prometheus client libraries' convention (e.g. promhttp): `http_requests_total{code, handler, method}`.
  'prometheus-client': {
    family: 'http_requests_total',
    labels: (namespace, pod, status) => ({ namespace, pod, code: status, handler: '/', method: 'get' }),
  },
  // OpenTelemetry HTTP server semantic conventions, exported to Prometheus.
  opentelemetry: {
    family: 'http_server_request_duration_seconds_count',
    labels: (namespace, pod, status) => ({ namespace, pod, http_request_method: 'GET', http_response_status_code: status, http_route: '/' }),
  },
  // The Istio sidecar of each pod, reporting as the destination.
  istio: {
    family: 'istio_requests_total',
    labels: (namespace, pod, status, deployment) => ({
      namespace,
      pod,
      reporter: 'destination',
      destination_workload: deployment,
      destination_workload_namespace: namespace,
      destination_service: `${deployment}.${namespace}.svc.cluster.local`,
      response_code: status,
      source_workload: 'unknown',
    }),
  },
  // The Linkerd proxy of each pod, inbound; 5xx are classified as failures.
  linkerd: {
    family: 'response_total',
    labels: (namespace, pod, status, deployment) => ({
      namespace,
      pod,
      deployment,
      direction: 'inbound',
      status_code: status,
      classification: status.startsWith('5') ? 'failure' : 'success',
      tls: 'true',
    }),
  },
};

/** The preset a pod's annotation names (flask when absent or unknown), `undefined` for `none`. */
export function requestMetricPresetOf(annotation: string | undefined): RequestMetricPreset | undefined {
  if (annotation === 'none') return undefined;
  return requestMetricPresets[annotation as Exclude<SandboxRequestMetrics, 'none'>] ?? flaskRequestMetrics;
}

/** Where the sandbox's one ingress-nginx controller runs (its constant labels). */
export const ingressController = {
  class: 'k8s.io/ingress-nginx',
  namespace: 'ingress-nginx',
  pod: 'ingress-nginx-controller-sandbox',
} as const;

/**
 * The labels of `nginx_ingress_controller_requests` for one Deployment's Ingress: the Ingress and
 * the Service it routes to are named after the Deployment (the sandbox creates the Service with
 * the Deployment's name and `app: <name>` selector), so `{namespace, service}` joins a
 * Deployment's requests. Label names sorted, as client_golang writes them.
 */
export function ingressRequestLabels(namespace: string, deployment: string, status: ResponseStatus): Labels {
  return {
    canary: '',
    controller_class: ingressController.class,
    controller_namespace: ingressController.namespace,
    controller_pod: ingressController.pod,
    host: `${deployment}.${namespace}.sandbox.local`,
    ingress: deployment,
    method: 'GET',
    namespace,
    path: '/',
    service: deployment,
    status,
  };
}

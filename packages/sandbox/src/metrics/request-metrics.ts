/**
 * How requests are counted and labelled. The simulation counts responses by HTTP status; a
 * preset says how an application framework's exporter names and labels that counter (today the
 * seed project's Flask exporter; other frameworks' presets go here), and the ingress series says
 * what the ingress in front of the pods saw, including the requests that never reached a pod.
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
  labels(namespace: string, pod: string, status: ResponseStatus): Labels;
}

/** prometheus_flask_exporter, as the seed project's app exposes it: `flask_http_request_total{method, status}`. */
export const flaskRequestMetrics: RequestMetricPreset = {
  family: 'flask_http_request_total',
  labels: (namespace, pod, status) => ({ namespace, pod, method: 'GET', status }),
};

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

/**
 * Where the request and error signals come from: named presets for the metrics real applications
 * expose (the Flask exporter of the original project, the Prometheus client convention,
 * OpenTelemetry, ingress-nginx, Istio, Linkerd) and a custom pair. Each preset says which counter
 * counts requests, which label values mark a 5xx (error) response, and which labels name the
 * workload. The Prometheus adapter turns them into PromQL; the trainer and the sandbox feature source
 * read the same series from recorded samples; the same definition feeds the v2 error ratio, the
 * request rate, the previous-release error ratio and the seed `http_5xx_error_rate`.
 */
import { z } from 'zod';

/** The names of the built-in presets. `none`: the workload exposes no request metrics. */
export const REQUEST_PRESET_NAMES = ['flask', 'prometheus-client', 'opentelemetry', 'ingress-nginx', 'istio', 'linkerd', 'none'] as const;
export type RequestPresetName = (typeof REQUEST_PRESET_NAMES)[number];

/** How a preset's series are read. */
export interface RequestPreset {
  description: string;
  /** The counter of requests (one increment per request). */
  metric: string;
  /** Extra label matchers, e.g. `reporter="destination"`. */
  matchers: string;
  /** A response is an error when any of these labels matches its regex (fully anchored, RE2). */
  errorWhen: ReadonlyArray<{ label: string; regex: string }>;
  /**
   * Where the Deployment comes from: `pod` (the `pod` label, mapped like every pod-level series) or
   * labels that name the namespace and the workload directly.
   */
  workload: { from: 'pod' } | { from: 'labels'; namespace: string; deployment: string };
}

/** The built-in presets (`none` has no metric). */
export const REQUEST_PRESETS: Readonly<Record<Exclude<RequestPresetName, 'none'>, RequestPreset>> = Object.freeze({
  flask: {
    description: 'prometheus_flask_exporter (the original project): flask_http_request_total{status}',
    metric: 'flask_http_request_total',
    matchers: '',
    errorWhen: [{ label: 'status', regex: '5..' }],
    workload: { from: 'pod' },
  },
  'prometheus-client': {
    description: 'the Prometheus client convention: http_requests_total with a code (or status) label',
    metric: 'http_requests_total',
    matchers: '',
    errorWhen: [{ label: 'code', regex: '5..' }, { label: 'status', regex: '5..' }],
    workload: { from: 'pod' },
  },
  opentelemetry: {
    description: 'OpenTelemetry HTTP server semantic conventions, exported to Prometheus: http_server_request_duration_seconds_count{http_response_status_code}',
    metric: 'http_server_request_duration_seconds_count',
    matchers: '',
    errorWhen: [{ label: 'http_response_status_code', regex: '5..' }],
    workload: { from: 'pod' },
  },
  'ingress-nginx': {
    description: 'ingress-nginx: nginx_ingress_controller_requests{namespace, service, status}; the backend Service is taken to be named like its Deployment. Counts requests that reached no pod (502/503) too.',
    metric: 'nginx_ingress_controller_requests',
    matchers: '',
    errorWhen: [{ label: 'status', regex: '5..' }],
    workload: { from: 'labels', namespace: 'namespace', deployment: 'service' },
  },
  istio: {
    description: 'Istio/Envoy: istio_requests_total{reporter="destination", destination_workload_namespace, destination_workload, response_code}',
    metric: 'istio_requests_total',
    matchers: 'reporter="destination"',
    errorWhen: [{ label: 'response_code', regex: '5..' }],
    workload: { from: 'labels', namespace: 'destination_workload_namespace', deployment: 'destination_workload' },
  },
  linkerd: {
    description: 'Linkerd: response_total{direction="inbound", namespace, deployment, classification}; an error is classification="failure" (5xx, and gRPC errors)',
    metric: 'response_total',
    matchers: 'direction="inbound"',
    errorWhen: [{ label: 'classification', regex: 'failure' }],
    workload: { from: 'labels', namespace: 'namespace', deployment: 'deployment' },
  },
});

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus label name');

const REQUEST_METRICS_CHOICES = `must be a request preset (${REQUEST_PRESET_NAMES.join(', ')}), { preset, labels: { namespace?, deployment? } }, or a custom pair { requests, errors } of PromQL with {{range}}`;

/**
 * A request-metrics choice: a preset name; a preset with its workload labels renamed (e.g. ingress-nginx
 * scraped through a ServiceMonitor, where the metric's own labels become `exported_namespace` and
 * `exported_service`); or a custom pair of grouped PromQL templates.
 */
export const requestMetricsSchema = z.union([
  z.enum(REQUEST_PRESET_NAMES),
  z.strictObject({
    preset: z.enum(REQUEST_PRESET_NAMES.filter((name) => name !== 'none') as [Exclude<RequestPresetName, 'none'>, ...Array<Exclude<RequestPresetName, 'none'>>]),
    /** Rename the labels that carry the namespace and the Deployment (presets that read them from labels). */
    labels: z.strictObject({ namespace: labelName.optional(), deployment: labelName.optional() }).optional(),
  }),
  z.strictObject({
    /**
     * Requests per second per Deployment: a grouped query returning series labelled `namespace` and
     * `deployment`, with `{{selector}}` (namespace matchers) and `{{range}}` (the range selector, e.g.
     * `[2m]` or `[15m] offset 15m`), e.g. `sum by (namespace, deployment) (rate(my_requests_total{ {{selector}} }{{range}}))`.
     */
    requests: z.string().refine((query) => query.includes('{{range}}'), 'must contain {{range}} where the range selector goes, e.g. rate(my_requests_total{ {{selector}} }{{range}})'),
    /** 5xx responses per second per Deployment, the same shape as `requests`. */
    errors: z.string().refine((query) => query.includes('{{range}}'), 'must contain {{range}} where the range selector goes'),
  }),
], { error: REQUEST_METRICS_CHOICES });
export type RequestMetrics = z.input<typeof requestMetricsSchema>;

/** A resolved choice: `none`, a preset (with its final labels), or a custom pair. */
export type ResolvedRequestMetrics =
  | { kind: 'none'; id: 'none' }
  | { kind: 'preset'; id: string; preset: RequestPreset }
  | { kind: 'custom'; id: string; requests: string; errors: string };

/** Resolves a choice; `id` names it in queries (the `preset` label) and in reasons. */
export function resolveRequestMetrics(choice: RequestMetrics): ResolvedRequestMetrics {
  if (choice === 'none') return { kind: 'none', id: 'none' };
  if (typeof choice === 'string') return { kind: 'preset', id: choice, preset: REQUEST_PRESETS[choice] };
  if ('preset' in choice) {
    const base = REQUEST_PRESETS[choice.preset];
    const labels = choice.labels ?? {};
    if (base.workload.from === 'pod' || (labels.namespace === undefined && labels.deployment === undefined)) return { kind: 'preset', id: choice.preset, preset: base };
    const workload = { from: 'labels' as const, namespace: labels.namespace ?? base.workload.namespace, deployment: labels.deployment ?? base.workload.deployment };
    return { kind: 'preset', id: `${choice.preset}(${workload.namespace},${workload.deployment})`, preset: { ...base, workload } };
  }
  return { kind: 'custom', id: `custom(${hash(`${choice.requests}\n${choice.errors}`)})`, requests: choice.requests, errors: choice.errors };
}

function hash(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}

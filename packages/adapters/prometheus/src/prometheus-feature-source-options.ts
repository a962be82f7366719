/**
 * The options of `createPrometheusFeatureSource`: where Prometheus is, which features, how they are
 * queried (windows, request presets, overrides), and the HTTP behaviour. Exported as a zod schema so
 * a server config can validate the same shape.
 */
import type { Clock, TargetRef } from '@autoheal/core';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { kubernetesServiceReferenceSchema } from './kubernetes-service-proxy.js';
import { requestMetricsSchema } from './request-presets.js';

const duration = (what: string) => z.string().regex(/^([0-9]+(ms|s|m|h|d|w|y))+$/, `must be a PromQL duration such as "2m" or "30s" (${what})`);

export const featureQuerySchema = z.union([
  z.string().min(1, 'must be a PromQL query'),
  z.object({
    query: z.string().min(1, 'must be a PromQL query'),
    mode: z.enum(['grouped', 'per-target']).default('grouped'),
    requiresRequestVolume: z.boolean().default(false),
  }),
]);

const authSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('bearer'), token: z.string().min(1, 'must not be empty') }),
  z.object({ type: z.literal('basic'), username: z.string().min(1, 'must not be empty'), password: z.string() }),
]);

/** Schema of {@link PrometheusFeatureSourceOptions}. */
export const prometheusFeatureSourceOptionsSchema = z.object({
  /** Base URL of the Prometheus HTTP API, e.g. `http://prometheus-operated.monitoring:9090`. Give this or `service`. */
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as "http://127.0.0.1:9090"' }).optional(),
  /**
   * An in-cluster Prometheus Service read through the Kubernetes API's service proxy, instead of
   * `url`: `{ namespace, name, port, scheme? }`. Uses the kubeconfig options below; needs `get` on
   * `services/proxy` for `name:port` in that namespace.
   */
  service: kubernetesServiceReferenceSchema.optional(),
  /** With `service`: path of the kubeconfig file. @default the default rules (KUBECONFIG, ~/.kube/config, in-cluster) */
  kubeconfigPath: z.string().min(1).optional(),
  /** With `service`: the kubeconfig as YAML text. */
  kubeconfigYaml: z.string().min(1).optional(),
  /** With `service`: a loaded client-node `KubeConfig`. */
  // Duck-typed rather than instanceof: the caller's client-node may be another copy of the package.
  kubeConfig: z.custom<KubeConfig>((value) => typeof value === 'object' && value !== null && typeof (value as KubeConfig).getCurrentCluster === 'function', 'must be a KubeConfig from @kubernetes/client-node').optional(),
  /** With `service`: use the pod's service account. @default false */
  inCluster: z.boolean().optional(),
  /** With `service`: kubeconfig context to use instead of the current one. */
  context: z.string().min(1).optional(),
  /** Path prefix before `/api/v1` (Mimir: `/prometheus`; Prometheus with `--web.route-prefix`). @default '' */
  pathPrefix: z.string().default(''),
  /**
   * Feature names this source provides, in order: any of the seven seed features and of feature set v2
   * (computed from the grouped signal queries), or your own with a query in `queries`.
   * @default DEFAULT_FEATURE_NAMES (the seven seed features)
   */
  featureNames: z.array(z.string().min(1)).min(1).optional(),
  /**
   * Per-feature query overrides: a PromQL string (grouped mode; a traffic-dependent seed feature such as
   * `http_5xx_error_rate` keeps its request-volume rule) or `{ query, mode, requiresRequestVolume }`.
   * Features not listed are computed from the grouped signal queries. @default {}
   */
  queries: z.record(z.string(), featureQuerySchema).default({}),
  /** How pod-level series get their Deployment: by pod name (regex) or owner references. @default 'pod-name' */
  deploymentFrom: z.enum(['pod-name', 'owner']).default('pod-name'),
  /**
   * Below this many requests in the rate window, guarded features (the 5xx rate) are missing:
   * with little traffic one error is a huge ratio, and healing on it is noise. `0` accepts any
   * traffic (the 5xx rate is still missing when there is no request count at all).
   * @default 5
   */
  minRequests: z.number().min(0).default(5),
  /**
   * Range of the default `rate()`/`increase()` queries (CPU, network, 5xx, request volume), a PromQL
   * duration. `rate()` divides by the whole window, so rates read low until a series is this old;
   * shorten it only with a short scrape interval (sandbox, tests). @default '2m'
   */
  rateWindow: duration('the range of rate()').default('2m'),
  /**
   * Range of the least-squares slope of the memory working set (`memory_minutes_to_limit`). Shorter
   * reacts faster to a leak and is noisier. @default '10m'
   */
  trendWindow: duration('the range of deriv()').default('10m'),
  /** Length of the previous-release window (`previous_release_*`). @default '15m' */
  priorWindow: duration('the previous-release window').default('15m'),
  /**
   * How long before the evaluation the previous-release window ends: those features measure the
   * previous release only while the current one is younger than this. @default '15m'
   */
  priorOffset: duration('the previous-release offset').default('15m'),
  /**
   * Where the request and error signals come from: a preset name (`flask`, `prometheus-client`,
   * `opentelemetry`, `ingress-nginx`, `istio`, `linkerd`, or `none` for workloads without request
   * metrics), `{ preset, labels }` to rename a preset's workload labels, or a custom pair
   * `{ requests, errors }` of grouped PromQL templates with `{{selector}}` and `{{range}}`.
   * @default 'flask'
   */
  requestMetrics: requestMetricsSchema.default('flask'),
  /**
   * Where the signal bundles come from: `queries` computes them at every collection; `recording-rules`
   * reads the series recorded by the rules of `signalRecordingRules(...)` (generated with the same
   * windows, presets and mapping), for very large fleets. @default 'queries'
   */
  signalSource: z.enum(['queries', 'recording-rules']).default('queries'),
  /** Per-target choice of request metrics, keyed by `namespace/name`; others use `requestMetrics`. @default {} */
  targetRequestMetrics: z.record(z.string().regex(/^[^/]+\/[^/]+$/, 'keys must be namespace/name'), requestMetricsSchema).default({}),
  /**
   * A grouped query counting requests per Deployment for the guard of overridden traffic-dependent
   * queries. @default the requests of the target's request preset, over the rate window
   */
  requestVolumeQuery: z.string().min(1).optional(),
  /** Per-request time limit in ms. @default 10000 */
  timeoutMs: z.number().int().positive().default(10_000),
  /** Retries after a 5xx or network error (not after a 4xx). @default 2 */
  retries: z.number().int().min(0).max(10).default(2),
  /** First backoff delay in ms; doubles each retry, with jitter. @default 200 */
  retryBaseDelayMs: z.number().int().min(0).default(200),
  /** Queries in flight at once. @default 4 */
  concurrency: z.number().int().min(1).max(64).default(4),
  /**
   * HTTP method for queries; POST keeps long queries out of URLs. Through the service proxy GET is
   * the default, because RBAC checks a POST as `create` on services/proxy. @default 'POST' ('GET' with `service`)
   */
  method: z.enum(['GET', 'POST']).optional(),
  /** Bearer token or basic credentials. Never logged. */
  auth: authSchema.optional(),
  /** Extra headers on every request, e.g. `{ 'X-Scope-OrgID': 'tenant-1' }` for Mimir. @default {} */
  headers: z.record(z.string(), z.string()).default({}),
  /** An undici dispatcher to use instead of the source's own Agent (tests, proxies, custom TLS). */
  dispatcher: z.custom<Dispatcher>((value) => typeof value === 'object' && value !== null && typeof (value as Dispatcher).dispatch === 'function', 'must be an undici Dispatcher').optional(),
  /** Injectable clock (evaluation time and backoff sleeps). @default systemClock */
  clock: z.custom<Clock>((value) => typeof value === 'object' && value !== null && typeof (value as Clock).now === 'function', 'must be a Clock').optional(),
}).superRefine((options, ctx) => {
  if ((options.url === undefined) === (options.service === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['url'], message: 'give exactly one of url (Prometheus reachable directly) and service (an in-cluster Service read through the Kubernetes API)' });
  }
  const kubeOptions = (['kubeconfigPath', 'kubeconfigYaml', 'kubeConfig', 'inCluster', 'context'] as const).filter((key) => options[key] !== undefined);
  if (options.url !== undefined && kubeOptions.length > 0) {
    ctx.addIssue({ code: 'custom', path: [kubeOptions[0] as string], message: 'is only used with service; remove it, or replace url with service' });
  }
  if (options.service !== undefined && options.auth !== undefined) {
    // The API server authenticates the caller with Authorization and does not pass it on to the pod.
    ctx.addIssue({ code: 'custom', path: ['auth'], message: 'cannot be used with service: the Kubernetes API server consumes the Authorization header; the kubeconfig credentials are used instead' });
  }
  if (options.service !== undefined && options.dispatcher !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['dispatcher'], message: 'cannot be used with service: the connection (TLS and credentials) to the Kubernetes API comes from the kubeconfig' });
  }
});

/** Options of {@link createPrometheusFeatureSource} (input form: defaults optional). */
export type PrometheusFeatureSourceOptions = z.input<typeof prometheusFeatureSourceOptionsSchema>;

/** One feature of one target over time, from {@link PrometheusFeatureSource.collectRange}. */
export interface FeatureRange {
  target: TargetRef;
  start: number;
  end: number;
  stepSeconds: number;
  /** Per feature, `[epoch ms, value | null]` at every step; `null` where the feature was missing. */
  series: Record<string, Array<[number, number | null]>>;
  /** Features with no usable point at all, with why. */
  missing: Array<{ feature: string; reason: string }>;
}

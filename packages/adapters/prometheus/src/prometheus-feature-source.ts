/**
 * `createPrometheusFeatureSource`: the FeatureSource that reads the seven seed signals and feature set
 * v2 from the Prometheus HTTP API. The features are derived from a fixed number of grouped queries
 * (ten at most, see `signal-queries.ts`) whatever the number of targets; features given their own
 * query keep it (one grouped query each, or one per target).
 */
import { parseWithSchema, type FeatureObservation, type FeatureSource, type TargetRef } from '@autoheal/core';
import { collectInstant, collectRange, renderCollectionQueries, type CollectionContext, type FeatureRange } from './collect-features.js';
import { planCollection, type CollectionPlan } from './collection-plan.js';
import type { FeatureQuery } from './default-queries.js';
import { createKubernetesServiceProxy } from './kubernetes-service-proxy.js';
import { prometheusFeatureSourceOptionsSchema, type PrometheusFeatureSourceOptions } from './prometheus-feature-source-options.js';
import { PrometheusHttpClient, type RangeSeries } from './prometheus-http-client.js';

const COMPONENT = 'prometheus';

export { prometheusFeatureSourceOptionsSchema, type PrometheusFeatureSourceOptions, type FeatureRange };

/** The FeatureSource returned by {@link createPrometheusFeatureSource}, plus history helpers. */
export interface PrometheusFeatureSource extends FeatureSource {
  readonly name: 'prometheus';
  /** The features given their own query (`queries` option), resolved (templates, before placeholders are filled). */
  readonly queries: Readonly<Record<string, FeatureQuery>>;
  /** What a collection asks: derived features, their signal bundles, overridden queries, windows. */
  readonly plan: CollectionPlan;
  /** The HTTP client, for raw PromQL with the same auth and retries. */
  readonly client: PrometheusHttpClient;
  /** The queries a collection of `targets` sends, rendered (name, PromQL), e.g. for `autoheal doctor`. */
  renderQueries(targets: readonly TargetRef[]): Array<{ kind: 'bundle' | 'classic' | 'guard'; name: string; promql: string }>;
  collect(target: TargetRef, options?: { signal?: AbortSignal }): Promise<FeatureObservation>;
  collectMany(targets: readonly TargetRef[], options?: { signal?: AbortSignal }): Promise<FeatureObservation[]>;
  ping(options?: { signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
  /** Raw range query: the matrix of `promql` from `start` to `end` (epoch ms) every `stepSeconds`. */
  queryRange(promql: string, range: { start: number; end: number; stepSeconds: number }, options?: { signal?: AbortSignal }): Promise<RangeSeries[]>;
  /** Every feature of one target over a time range (for building training datasets). */
  collectRange(target: TargetRef, start: number, end: number, stepSeconds: number, options?: { signal?: AbortSignal }): Promise<FeatureRange>;
  /** {@link collectRange} for many targets at the cost of one range query per bundle (and per overridden feature). */
  collectRangeMany(targets: readonly TargetRef[], start: number, end: number, stepSeconds: number, options?: { signal?: AbortSignal }): Promise<FeatureRange[]>;
}

/**
 * Creates a FeatureSource reading the seed and v2 features (or your own queries) from Prometheus.
 *
 * @example
 * const source = createPrometheusFeatureSource({
 *   url: 'http://127.0.0.1:9090',
 *   featureNames: [...DEFAULT_FEATURE_NAMES, ...FEATURE_SET_V2_NAMES],
 *   requestMetrics: 'prometheus-client',
 * });
 * const [backend, frontend] = await source.collectMany([
 *   { namespace: 'prod', kind: 'Deployment', name: 'backend' },
 *   { namespace: 'prod', kind: 'Deployment', name: 'frontend' },
 * ]);
 * await source.close();
 */
export function createPrometheusFeatureSource(input: PrometheusFeatureSourceOptions): PrometheusFeatureSource {
  const options = parseWithSchema(prometheusFeatureSourceOptionsSchema, input, COMPONENT, 'invalid Prometheus feature source options');
  const plan = planCollection(options);

  // Through the service proxy the URL, connection and credentials come from the kubeconfig.
  const proxy = options.service
    ? createKubernetesServiceProxy({
        service: options.service,
        kubeconfigPath: options.kubeconfigPath,
        kubeconfigYaml: options.kubeconfigYaml,
        kubeConfig: options.kubeConfig,
        inCluster: options.inCluster,
        context: options.context,
      })
    : undefined;
  const client = new PrometheusHttpClient({
    url: proxy ? proxy.url : (options.url as string),
    pathPrefix: options.pathPrefix,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    retryBaseDelayMs: options.retryBaseDelayMs,
    method: options.method ?? (proxy ? 'GET' : 'POST'),
    auth: options.auth,
    headers: proxy ? { ...proxy.headers, ...options.headers } : options.headers,
    dispatcher: options.dispatcher ?? proxy?.dispatcher,
    clock: options.clock,
    explainFailure: proxy?.explainFailure,
  });
  const now = () => (options.clock ? options.clock.now() : Date.now());
  const checkHint = proxy
    ? `Check the service reference (${proxy.serviceName}, port ${options.service?.port}) and the kubeconfig's cluster and credentials.`
    : `Is Prometheus running at ${client.baseUrl}, and are url, pathPrefix and auth right?`;

  const context: CollectionContext = {
    plan,
    client,
    minRequests: options.minRequests,
    concurrency: options.concurrency,
    requestVolumeQuery: options.requestVolumeQuery,
    checkHint,
    viaServiceProxy: proxy !== undefined,
  };
  const collectMany = (targets: readonly TargetRef[], callOptions: { signal?: AbortSignal } = {}) => collectInstant(context, targets, now(), callOptions.signal);
  const collectRangeMany = (targets: readonly TargetRef[], start: number, end: number, stepSeconds: number, callOptions: { signal?: AbortSignal } = {}) =>
    collectRange(context, targets, start, end, stepSeconds, callOptions.signal);

  return {
    name: COMPONENT,
    featureNames: plan.featureNames,
    queries: plan.classic,
    plan,
    client,
    renderQueries: (targets) => renderCollectionQueries(context, targets).map(({ kind, name, promql }) => ({ kind, name, promql })),
    collectMany,
    async collect(target, callOptions) {
      const [observation] = await collectMany([target], callOptions);
      return observation as FeatureObservation;
    },
    ping: (callOptions) => client.ping(callOptions),
    async close() {
      await client.close();
      await proxy?.close();
    },
    queryRange: (promql, range, callOptions) => client.queryRange(promql, range, callOptions),
    async collectRange(target, start, end, stepSeconds, callOptions) {
      const [range] = await collectRangeMany([target], start, end, stepSeconds, callOptions);
      return range as FeatureRange;
    },
    collectRangeMany,
  };
}

/**
 * @autoheal/adapter-prometheus: FeatureSource that reads the seven signals from the Prometheus HTTP
 * API, one grouped query per feature whatever the number of targets.
 */
export {
  createPrometheusFeatureSource,
  prometheusFeatureSourceOptionsSchema,
  type FeatureRange,
  type PrometheusFeatureSource,
  type PrometheusFeatureSourceOptions,
} from './prometheus-feature-source.js';
export {
  DEFAULT_QUERIES,
  defaultQueries,
  defaultRequestVolumeQuery,
  renderQuery,
  type DeploymentFrom,
  type FeatureQuery,
  type QueryMode,
  type QueryPlaceholders,
} from './default-queries.js';
export {
  PrometheusHttpClient,
  PrometheusRequestError,
  type InstantResult,
  type InstantSample,
  type PrometheusAuth,
  type RangeSeries,
} from './prometheus-http-client.js';
export {
  createKubernetesServiceProxy,
  kubernetesServiceReferenceSchema,
  type KubeconfigSource,
  type KubernetesServiceProxy,
  type KubernetesServiceProxyOptions,
  type KubernetesServiceReference,
} from './kubernetes-service-proxy.js';

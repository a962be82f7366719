/**
 * @autoheal/adapter-prometheus: FeatureSource that reads the seven seed signals and feature set v2
 * from the Prometheus HTTP API, with a fixed number of grouped queries whatever the number of targets.
 */
export {
  createPrometheusFeatureSource,
  prometheusFeatureSourceOptionsSchema,
  type FeatureRange,
  type PrometheusFeatureSource,
  type PrometheusFeatureSourceOptions,
} from './prometheus-feature-source.js';
export { featureQuerySchema } from './prometheus-feature-source-options.js';
export {
  REQUEST_PRESETS,
  REQUEST_PRESET_NAMES,
  classifiedRequestRates,
  requestMetricsSchema,
  requestPairOf,
  resolveRequestMetrics,
  type RequestMetrics,
  type RequestPreset,
  type RequestPresetName,
  type ResolvedRequestMetrics,
} from './request-presets.js';
export {
  SIGNAL_BUNDLE_NAMES,
  SIGNAL_BUNDLE_OF,
  buildSignalBundles,
  durationSeconds,
  promDuration,
  type SignalBundle,
  type SignalBundleName,
  type SignalQueryOptions,
} from './signal-queries.js';
export type { CollectionPlan } from './collection-plan.js';
export {
  recordedSignalMetric,
  recordingRulesYaml,
  signalRecordingRules,
  signalRecordingRulesOptionsSchema,
  type RecordingRuleFile,
  type SignalRecordingRulesOptions,
} from './recording-rules.js';
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

/**
 * The request presets (defined in @autoheal/core) as PromQL: each preset's documented pair —
 * requests and 5xx errors per second per Deployment — and the one-pass form the adapter sends, where
 * the error responses get a label (`ah_class="error"`) and the rates are summed per Deployment and
 * class, so requests (all classes) and errors (the error class) come from one query.
 */
import { REQUEST_PRESETS, type RequestPreset } from '@autoheal/core';
import { withDeploymentLabel, type DeploymentFrom } from './default-queries.js';

export {
  REQUEST_PRESETS,
  REQUEST_PRESET_NAMES,
  requestMetricsSchema,
  resolveRequestMetrics,
  type RequestMetrics,
  type RequestPreset,
  type RequestPresetName,
  type ResolvedRequestMetrics,
} from '@autoheal/core';

/** The label the preset's namespace lives in (`namespace` for pod-level presets). */
export function namespaceLabelOf(preset: RequestPreset): string {
  return preset.workload.from === 'labels' ? preset.workload.namespace : 'namespace';
}

/**
 * The documented pair of a preset: requests and 5xx errors per second per Deployment, as two
 * grouped PromQL queries (`{{selector}}` = the namespace matchers, `range` e.g. `[2m]`).
 *
 * @example
 * requestPairOf(REQUEST_PRESETS.istio, '[2m]').errors
 * // sum by (namespace, deployment) (label_replace(label_replace(sum by (destination_workload_namespace, destination_workload) (rate(istio_requests_total{reporter="destination",response_code=~"5..",...}[2m])), ...
 */
export function requestPairOf(preset: RequestPreset, range: string, deploymentFrom: DeploymentFrom = 'pod-name'): { requests: string; errors: string } {
  const selector = (extra: string) => [preset.matchers, extra, `{{selector}}`].filter(Boolean).join(',');
  const perDeployment = (matchers: string) => groupByDeployment(preset, `rate(${preset.metric}{${matchers}}${range})`, [], deploymentFrom);
  const errors = preset.errorWhen.map(({ label, regex }) => perDeployment(selector(`${label}=~"${regex}"`)));
  return {
    requests: perDeployment(selector('')),
    // Several error labels (code or status): a series matching both is counted once by `or`.
    errors: errors.length === 1 ? (errors[0] as string) : `(${errors.join(' or ')})`,
  };
}

/**
 * One pass over a preset's request series: rates per second summed `by (namespace, deployment,
 * ah_class)`, where `ah_class="error"` marks the error responses and no `ah_class` the others.
 */
export function classifiedRequestRates(preset: RequestPreset, range: string, deploymentFrom: DeploymentFrom): string {
  const matchers = [preset.matchers, '{{selector}}'].filter(Boolean).join(',');
  let classified = `rate(${preset.metric}{${matchers}}${range})`;
  for (const { label, regex } of preset.errorWhen) classified = `label_replace(${classified}, "ah_class", "error", "${label}", "${regex}")`;
  return groupByDeployment(preset, classified, ['ah_class'], deploymentFrom);
}

/** `sum by (namespace, deployment, ...extra)` of a preset-level expression, mapping its workload labels. */
function groupByDeployment(preset: RequestPreset, expression: string, extra: readonly string[], deploymentFrom: DeploymentFrom): string {
  const by = ['namespace', 'deployment', ...extra].join(', ');
  if (preset.workload.from === 'pod') {
    // Aggregate to the pod first: fewer, smaller label sets go through the Deployment mapping.
    const perPod = `sum by (${['namespace', 'pod', ...extra].join(', ')}) (${expression})`;
    return `sum by (${by}) (${withDeploymentLabel(perPod, deploymentFrom)})`;
  }
  const { namespace, deployment } = preset.workload;
  let grouped = `sum by (${[namespace, deployment, ...extra].join(', ')}) (${expression})`;
  if (namespace !== 'namespace') grouped = `label_replace(${grouped}, "namespace", "$1", "${namespace}", "(.+)")`;
  if (deployment !== 'deployment') grouped = `label_replace(${grouped}, "deployment", "$1", "${deployment}", "(.+)")`;
  return namespace === 'namespace' && deployment === 'deployment' ? grouped : `sum by (${by}) (${grouped})`;
}

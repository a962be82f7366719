/**
 * The grouped queries behind the seed and v2 features: each query ("bundle") returns several base
 * signals (see `BASE_SIGNALS` in @autoheal/core) for every Deployment at once, told apart by an `s`
 * label, so a collection costs a fixed number of queries whatever the number of targets — ten at most
 * with every feature, fewer when only some are needed.
 *
 * Why bundles by source series: the expensive part of a grouped query is mapping every pod-level series
 * to its Deployment; a bundle reads one family of series (CPU, memory, restarts, requests, ...) and the
 * queries run in parallel, so Prometheus can use more than one core. Pod-level series are aggregated
 * to `(namespace, pod, container)` before the Deployment mapping wherever the definition allows it
 * (ratios and maxima); the seed averages and sums keep the seed's exact per-series definition.
 */
import { cpuSlopeSeconds, RESTART_WINDOW_SECONDS, type BaseSignalName, type FeatureWindows } from '@autoheal/core';
import { withDeploymentLabel, type DeploymentFrom } from './default-queries.js';
import { classifiedRequestRates, namespaceLabelOf, type ResolvedRequestMetrics } from './request-presets.js';

/** The names of the bundles, in the order they are sent. */
export const SIGNAL_BUNDLE_NAMES = ['ksm', 'release', 'http', 'prior', 'cpu', 'cpu-limits', 'memory', 'memory-trend', 'restarts', 'network'] as const;
export type SignalBundleName = (typeof SIGNAL_BUNDLE_NAMES)[number];

/** Which bundle returns each base signal. */
export const SIGNAL_BUNDLE_OF: Readonly<Record<BaseSignalName, SignalBundleName>> = Object.freeze({
  spec_replicas: 'ksm',
  ready_replicas: 'ksm',
  unavailable_replicas: 'ksm',
  available_replicas: 'ksm',
  max_unavailable: 'ksm',
  rollout_in_progress: 'ksm',
  progress_stalled: 'ksm',
  deployment_created: 'release',
  release_created: 'release',
  requests_per_second: 'http',
  errors_per_second: 'http',
  prior_requests_per_second: 'prior',
  prior_errors_per_second: 'prior',
  prior_ready_ratio: 'prior',
  cpu_usage_pct_avg: 'cpu',
  cpu_limit_ratio_max: 'cpu-limits',
  cpu_request_ratio_max: 'cpu-limits',
  cpu_throttled_ratio_max: 'cpu-limits',
  cpu_limit_ratio_max_earlier: 'cpu-limits',
  cpu_request_ratio_max_earlier: 'cpu-limits',
  memory_working_set_avg: 'memory',
  memory_limit_ratio_max: 'memory',
  memory_seconds_to_limit_min: 'memory-trend',
  restarts_sum: 'restarts',
  restarts_current_sum: 'restarts',
  oomkilled_restarted_pods: 'restarts',
  error_restarted_pods: 'restarts',
  network_receive_rate_sum: 'network',
});

/** A PromQL duration for a number of seconds (`120` → `2m`, `90` → `90s`). */
export function promDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** Parses a PromQL duration (`2m`, `90s`, `1h30m`) to seconds. */
export function durationSeconds(duration: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(amount) * (units[unit as string] as number);
  return total;
}

/** What the bundles are built for. */
export interface SignalQueryOptions {
  deploymentFrom: DeploymentFrom;
  windows: FeatureWindows;
  /**
   * Build the bundles as Prometheus recording rules: every series must then differ by labels other
   * than its metric name, so the kube-state-metrics signals are named by an `s` label too. @default false
   */
  forRecordingRules?: boolean;
}

/** One query of a collection, ready to render for a set of namespaces. */
export interface SignalBundle {
  name: SignalBundleName;
  /** The base signals it returns. */
  signals: readonly BaseSignalName[];
  /** The PromQL for these namespaces (and these request presets, for `http` and `prior`). */
  render(namespaces: Iterable<string>, presets: ReadonlyMap<string, { metrics: ResolvedRequestMetrics; namespaces: ReadonlySet<string> }>): string;
}

const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';

/** `namespace="a"` or `namespace=~"a|b"` on the given label; no namespaces means all (`namespace!=""`). */
export function selectorOn(label: string, namespaces: Iterable<string>): string {
  const unique = [...new Set(namespaces)].sort();
  if (unique.length === 0) return `${label}!=""`;
  const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  if (unique.length === 1) return `${label}=${quote(unique[0] as string)}`;
  return `${label}=~${quote(unique.map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'))}`;
}

/** Tags an expression's series with the signal name. */
const tag = (signal: string, expression: string) => `label_replace(${expression}, "s", "${signal}", "", "")`;

/** `a or b or c` as a balanced tree: `or` hashes its left side, so a long left-deep chain costs quadratically. */
function orAll(expressions: readonly string[]): string {
  if (expressions.length === 1) return expressions[0] as string;
  const middle = Math.ceil(expressions.length / 2);
  return `(${orAll(expressions.slice(0, middle))}) or (${orAll(expressions.slice(middle))})`;
}

/**
 * Builds the bundles that return `signals` (and nothing else).
 *
 * @example
 * buildSignalBundles(['spec_replicas', 'ready_replicas'], { deploymentFrom: 'pod-name', windows: DEFAULT_FEATURE_WINDOWS })
 * // one bundle, "ksm"
 */
export function buildSignalBundles(signals: Iterable<BaseSignalName>, options: SignalQueryOptions): SignalBundle[] {
  const wanted = new Set(signals);
  const { deploymentFrom, windows } = options;
  const W = `[${promDuration(windows.rateWindowSeconds)}]`;
  const T = `[${promDuration(windows.trendWindowSeconds)}]`;
  const R = `[${promDuration(RESTART_WINDOW_SECONDS)}]`;
  const PRIOR = `[${promDuration(windows.priorWindowSeconds)}] offset ${promDuration(windows.priorOffsetSeconds)}`;
  const byDeployment = (expression: string) => withDeploymentLabel(expression, deploymentFrom);
  const perContainer = (expression: string) => `max by (namespace, pod, container) (${expression})`;
  const C = 'container!="",container!="POD",{{selector}}';

  const definitions: Record<SignalBundleName, Partial<Record<BaseSignalName, string>>> = {
    ksm: {},
    release: {
      release_created:
        deploymentFrom === 'pod-name'
          ? `max by (namespace, deployment) (label_replace(kube_replicaset_created{{{selector}}} and on (namespace, replicaset) (kube_replicaset_spec_replicas{{{selector}}} > 0), "deployment", "$1", "replicaset", "^(.+)-${SAFE}{1,10}$"))`
          : `max by (namespace, deployment) ((kube_replicaset_created{{{selector}}} and on (namespace, replicaset) (kube_replicaset_spec_replicas{{{selector}}} > 0)) * on (namespace, replicaset) group_left (deployment) max by (namespace, replicaset, deployment) (label_replace(kube_replicaset_owner{owner_kind="Deployment",{{selector}}}, "deployment", "$1", "owner_name", "(.+)")))`,
      // Sparse: only Deployments younger than the previous-release look-back.
      deployment_created: `max by (namespace, deployment) (kube_deployment_created{{{selector}}}) > time() - ${windows.priorOffsetSeconds + windows.priorWindowSeconds}`,
    },
    http: {},
    prior: {
      prior_ready_ratio: `max by (namespace, deployment) (avg_over_time(kube_deployment_status_replicas_ready{{{selector}}}${PRIOR})) / (max by (namespace, deployment) (avg_over_time(kube_deployment_spec_replicas{{{selector}}}${PRIOR})) > 0)`,
    },
    cpu: {
      cpu_usage_pct_avg: `avg by (namespace, deployment) (${byDeployment(`rate(container_cpu_usage_seconds_total{${C}}${W}) * 100`)})`,
    },
    'cpu-limits': {
      cpu_throttled_ratio_max: `max by (namespace, deployment) (${byDeployment(
        `sum by (namespace, pod, container) (rate(container_cpu_cfs_throttled_periods_total{${C}}${W})) / on (namespace, pod, container) clamp_min(sum by (namespace, pod, container) (rate(container_cpu_cfs_periods_total{${C}}${W})), 1e-9)`,
      )})`,
    },
    memory: {
      memory_working_set_avg: `avg by (namespace, deployment) (${byDeployment(`container_memory_working_set_bytes{${C}}`)})`,
      memory_limit_ratio_max: `max by (namespace, deployment) (${byDeployment(
        `${perContainer(`container_memory_working_set_bytes{${C}}`)} / on (namespace, pod, container) (${perContainer('kube_pod_container_resource_limits{resource="memory",{{selector}}}')} > 0)`,
      )})`,
    },
    'memory-trend': {
      // Sparse: only containers whose working set grows. (limit - working set) / slope, the idea of predict_linear.
      memory_seconds_to_limit_min: `min by (namespace, deployment) (${byDeployment(
        `clamp_min(${perContainer('kube_pod_container_resource_limits{resource="memory",{{selector}}}')} - on (namespace, pod, container) ${perContainer(`container_memory_working_set_bytes{${C}}`)}, 0) / on (namespace, pod, container) (${perContainer(`deriv(container_memory_working_set_bytes{${C}}${T})`)} > 0)`,
      )})`,
    },
    restarts: {
      restarts_sum: `sum by (namespace, deployment) (${byDeployment(`increase(kube_pod_container_status_restarts_total{{{selector}}}${R})`)})`,
      // Only the containers that exist now (`and` their instant series): the pods of a ReplicaSet a
      // rollback or a rollout replaced are gone, and so are their restarts.
      restarts_current_sum: `sum by (namespace, deployment) (${byDeployment(`(increase(kube_pod_container_status_restarts_total{{{selector}}}${R}) and on (namespace, pod, container) kube_pod_container_status_restarts_total{{{selector}}})`)})`,
    },
    network: {
      network_receive_rate_sum: `sum by (namespace, deployment) (${byDeployment(`rate(container_network_receive_bytes_total{{{selector}}}${W})`)})`,
    },
  };

  const bundles: SignalBundle[] = [];
  for (const name of SIGNAL_BUNDLE_NAMES) {
    const signals = (Object.keys(SIGNAL_BUNDLE_OF) as BaseSignalName[]).filter((signal) => SIGNAL_BUNDLE_OF[signal] === name && wanted.has(signal));
    if (signals.length === 0) continue;
    const plain = Object.entries(definitions[name]).filter(([signal]) => signals.includes(signal as BaseSignalName)) as Array<[BaseSignalName, string]>;
    const parts: Array<(namespaces: Iterable<string>, presets: Parameters<SignalBundle['render']>[1]) => string> = plain.map(([signal, promql]) => (namespaces) => tag(signal, promql.replaceAll('{{selector}}', selectorOn('namespace', namespaces))));

    if (name === 'ksm') parts.push(...ksmParts(signals, options.forRecordingRules ?? false));
    if (name === 'http' || (name === 'prior' && signals.some((signal) => signal !== 'prior_ready_ratio'))) {
      const range = name === 'http' ? W : PRIOR;
      parts.push((_namespaces, presets) => requestParts(name === 'http' ? 'http' : 'prior_http', range, presets, deploymentFrom));
    }
    // One pass per moment: each container's usage over its limit, or its request when it has no limit;
    // `basis` says which. The earlier moment (offset on the usage and on the limits, so a container
    // gone since still counts) gives cpu_minutes_to_limit its slope.
    const cpuRatio = (offset: string, suffix: string) => {
      const limits = `label_replace(${perContainer(`kube_pod_container_resource_limits{resource="cpu",{{selector}}}${offset}`)} > 0, "basis", "limit", "", "")`;
      const requests = `label_replace(${perContainer(`kube_pod_container_resource_requests{resource="cpu",{{selector}}}${offset}`)} > 0, "basis", "request", "", "")`;
      const ratio = `max by (namespace, deployment, basis) (${byDeployment(
        `sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{${C}}${W}${offset})) / on (namespace, pod, container) group_left (basis) (${limits} or on (namespace, pod, container) ${requests})`,
      )})`;
      return (namespaces: Iterable<string>) => `label_replace(${ratio}, "s", "cpu_\${1}_ratio_max${suffix}", "basis", "(.+)")`.replaceAll('{{selector}}', selectorOn('namespace', namespaces));
    };
    if (name === 'cpu-limits' && (signals.includes('cpu_limit_ratio_max') || signals.includes('cpu_request_ratio_max'))) parts.push(cpuRatio('', ''));
    if (name === 'cpu-limits' && (signals.includes('cpu_limit_ratio_max_earlier') || signals.includes('cpu_request_ratio_max_earlier'))) {
      parts.push(cpuRatio(` offset ${promDuration(cpuSlopeSeconds(windows))}`, '_earlier'));
    }
    if (name === 'restarts' && (signals.includes('oomkilled_restarted_pods') || signals.includes('error_restarted_pods'))) {
      // Pods with a container restarted in the window whose last termination was OOMKilled / Error.
      const restarted = `kube_pod_container_status_last_terminated_reason{reason=~"OOMKilled|Error",{{selector}}} > 0 and on (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{{{selector}}}${R}) > 0)`;
      const counted = `count by (namespace, deployment, reason) (${byDeployment(`max by (namespace, pod, reason) (${restarted})`)})`;
      const named = `label_replace(label_replace(${counted}, "s", "oomkilled_restarted_pods", "reason", "OOMKilled"), "s", "error_restarted_pods", "reason", "Error")`;
      parts.push((namespaces) => named.replaceAll('{{selector}}', selectorOn('namespace', namespaces)));
    }
    bundles.push({ name, signals, render: (namespaces, presets) => orAll(parts.map((part) => part(namespaces, presets))) });
  }
  return bundles;
}

/** The kube-state-metrics metric of each plain Deployment-level signal. */
const KSM_METRIC_OF: Partial<Record<BaseSignalName, string>> = {
  spec_replicas: 'kube_deployment_spec_replicas',
  ready_replicas: 'kube_deployment_status_replicas_ready',
  unavailable_replicas: 'kube_deployment_status_replicas_unavailable',
  available_replicas: 'kube_deployment_status_replicas_available',
  max_unavailable: 'kube_deployment_spec_strategy_rollingupdate_max_unavailable',
};

/** The signal a series of the `ksm` bundle carries when it has a metric name instead of an `s` label. */
export const KSM_SIGNAL_OF: Readonly<Record<string, BaseSignalName>> = Object.freeze(
  Object.fromEntries(Object.entries(KSM_METRIC_OF).map(([signal, metric]) => [metric, signal as BaseSignalName])),
);

/** The Deployment-level kube-state-metrics signals. */
function ksmParts(signals: readonly BaseSignalName[], forRecordingRules: boolean): Array<(namespaces: Iterable<string>) => string> {
  const metric = KSM_METRIC_OF;
  const parts: Array<(namespaces: Iterable<string>) => string> = [];
  const plain = signals.filter((signal) => metric[signal] !== undefined);
  if (plain.length > 0) {
    // One aggregation over all of them, grouped by metric name too: the reader maps `__name__` to the
    // signal (KSM_SIGNAL_OF). Cheaper than renaming every raw series with label_replace first.
    const names = plain.map((signal) => metric[signal] as string);
    const grouped = (namespaces: Iterable<string>) => `max by (__name__, namespace, deployment) ({__name__=~"${names.join('|')}",${selectorOn('namespace', namespaces)}})`;
    // A recording rule replaces the metric name: the signal must be in a label.
    const named = (namespaces: Iterable<string>) => `label_replace(${grouped(namespaces)}, "s", "$1", "__name__", "(.+)")`;
    parts.push(forRecordingRules ? named : grouped);
  }
  const m = (name: string, namespaces: Iterable<string>) => `max by (namespace, deployment) (${name}{${selectorOn('namespace', namespaces)}})`;
  if (signals.includes('rollout_in_progress')) {
    // Sparse: present only while a rollout is under way.
    parts.push((ns) =>
      tag('rollout_in_progress', `count by (namespace, deployment) ((${m('kube_deployment_metadata_generation', ns)} > ${m('kube_deployment_status_observed_generation', ns)}) or (${m('kube_deployment_status_replicas_updated', ns)} < ${m('kube_deployment_spec_replicas', ns)}) or (${m('kube_deployment_status_replicas', ns)} > ${m('kube_deployment_status_replicas_updated', ns)}))`),
    );
  }
  if (signals.includes('progress_stalled')) {
    parts.push((ns) => tag('progress_stalled', `max by (namespace, deployment) (kube_deployment_status_condition{condition="Progressing",status="false",${selectorOn('namespace', ns)}}) == 1`));
  }
  return parts;
}

/** The request-rate part of `http` (current window) or `prior` (previous-release window), one per preset in use. */
function requestParts(signal: 'http' | 'prior_http', range: string, presets: Parameters<SignalBundle['render']>[1], deploymentFrom: DeploymentFrom): string {
  const parts: string[] = [];
  for (const { metrics, namespaces } of presets.values()) {
    if (metrics.kind === 'none') continue;
    let promql: string;
    if (metrics.kind === 'preset') {
      promql = classifiedRequestRates(metrics.preset, range, deploymentFrom).replaceAll('{{selector}}', selectorOn(namespaceLabelOf(metrics.preset), namespaces));
    } else {
      const render = (query: string) => query.replaceAll('{{selector}}', selectorOn('namespace', namespaces)).replaceAll('{{range}}', range);
      promql = `label_replace(${render(metrics.requests)}, "ah_class", "all", "", "") or label_replace(${render(metrics.errors)}, "ah_class", "error", "", "")`;
    }
    parts.push(`label_replace(${tag(signal, `(${promql})`)}, "preset", ${JSON.stringify(metrics.id)}, "", "")`);
  }
  // No preset in use for these targets: a query that returns nothing keeps the bundle valid.
  return parts.length > 0 ? orAll(parts) : 'vector(0) < 0';
}

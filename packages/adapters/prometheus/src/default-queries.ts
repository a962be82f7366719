/**
 * The default PromQL of the seven features, grouped by `namespace` and `deployment`, and the
 * templating of user queries (`{{selector}}`, `{{namespace}}`, `{{deployment}}`).
 *
 * The queries follow the original project's (see the README's "Default queries"), grouped per
 * Deployment so one query serves every target.
 */
import type { DefaultFeatureName } from '@autoheal/core';

/**
 * Grouped: one query for all targets; it must return series labelled `namespace` and `deployment`.
 * Per-target: the query is run once per target with `{{namespace}}`/`{{deployment}}` filled in and
 * must return one series (or a scalar).
 */
export type QueryMode = 'grouped' | 'per-target';

/** How a feature is queried. */
export interface FeatureQuery {
  /** PromQL with placeholders; see {@link renderQuery}. */
  query: string;
  /** @default 'grouped' */
  mode: QueryMode;
  /**
   * A traffic-dependent rate: missing for targets whose request volume (the `requestVolumeQuery`)
   * is unknown or below `minRequests`, and `0` (not missing) when there is enough traffic but the
   * query matched no series. @default false (true for `http_5xx_error_rate`)
   */
  requiresRequestVolume: boolean;
}

/** Where the `deployment` label of pod-level series comes from. */
export type DeploymentFrom = 'pod-name' | 'owner';

/**
 * Pod names are `<deployment>-<pod-template-hash>-<suffix>`; both generated parts use Kubernetes'
 * "safe" alphabet (no vowels, no 0/1/3), which is what lets the regex strip them reliably.
 */
export const POD_NAME_DEPLOYMENT_REGEX = '^(.+)-[bcdfghjklmnpqrstvwxz2456789]{1,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$';

/** Adds a `deployment` label to a pod-level expression, by the pod name or by owner references. */
export function withDeploymentLabel(expression: string, deploymentFrom: DeploymentFrom): string {
  if (deploymentFrom === 'pod-name') {
    return `label_replace(${expression}, "deployment", "$1", "pod", "${POD_NAME_DEPLOYMENT_REGEX}")`;
  }
  // Pod -> ReplicaSet (kube_pod_owner) -> Deployment (kube_replicaset_owner). `max by` removes
  // duplicates (two kube-state-metrics replicas) so the joins stay one-to-one.
  const replicaSetToDeployment =
    'max by (namespace, replicaset, deployment) (label_replace(kube_replicaset_owner{owner_kind="Deployment",{{selector}}}, "deployment", "$1", "owner_name", "(.+)"))';
  const podToReplicaSet = 'label_replace(kube_pod_owner{owner_kind="ReplicaSet",{{selector}}}, "replicaset", "$1", "owner_name", "(.+)")';
  const podToDeployment = `max by (namespace, pod, deployment) (${podToReplicaSet} * on (namespace, replicaset) group_left (deployment) ${replicaSetToDeployment})`;
  return `(${expression}) * on (namespace, pod) group_left (deployment) ${podToDeployment}`;
}

/**
 * The seven default grouped queries for a way of finding a pod's Deployment. `rateWindow` is the
 * range of the `rate()`/`increase()` of CPU, network and HTTP (the original project's `2m`).
 */
export function defaultQueries(deploymentFrom: DeploymentFrom = 'pod-name', rateWindow = '2m'): Record<DefaultFeatureName, FeatureQuery> {
  const byDeployment = (expression: string) => withDeploymentLabel(expression, deploymentFrom);
  const grouped = (query: string, requiresRequestVolume = false): FeatureQuery => ({ query, mode: 'grouped', requiresRequestVolume });
  const containers = 'container!="",container!="POD",{{selector}}';
  return {
    restart_count_last_5m: grouped(
      `sum by (namespace, deployment) (${byDeployment('increase(kube_pod_container_status_restarts_total{{{selector}}}[5m])')})`,
    ),
    cpu_usage_pct: grouped(`avg by (namespace, deployment) (${byDeployment(`rate(container_cpu_usage_seconds_total{${containers}}[${rateWindow}]) * 100`)})`),
    memory_usage_bytes: grouped(`avg by (namespace, deployment) (${byDeployment(`container_memory_working_set_bytes{${containers}}`)})`),
    // `> 0` drops Deployments scaled to zero: a ratio of 0/0 is not a measurement (missing).
    ready_replica_ratio: grouped(
      'clamp(max by (namespace, deployment) (kube_deployment_status_replicas_ready{{{selector}}}) / max by (namespace, deployment) (kube_deployment_spec_replicas{{{selector}}} > 0), 0, 1)',
    ),
    unavailable_replicas: grouped('max by (namespace, deployment) (kube_deployment_status_replicas_unavailable{{{selector}}})'),
    network_receive_bytes_per_s: grouped(`sum by (namespace, deployment) (${byDeployment(`rate(container_network_receive_bytes_total{{{selector}}}[${rateWindow}])`)})`),
    // No series with traffic means no 5xx yet: the request-volume rule turns that into 0, not missing.
    http_5xx_error_rate: grouped(`sum by (namespace, deployment) (${byDeployment(`rate(flask_http_request_total{status=~"5..",{{selector}}}[${rateWindow}])`)})`, true),
  };
}

/** The default queries (deployment derived from the pod name), as documented in the README. */
export const DEFAULT_QUERIES: Readonly<Record<DefaultFeatureName, FeatureQuery>> = Object.freeze(defaultQueries('pod-name'));

/** The default request-volume query: requests in the window of the 5xx rate, per Deployment. */
export function defaultRequestVolumeQuery(deploymentFrom: DeploymentFrom = 'pod-name', rateWindow = '2m'): string {
  return `sum by (namespace, deployment) (${withDeploymentLabel(`increase(flask_http_request_total{{{selector}}}[${rateWindow}])`, deploymentFrom)})`;
}

/** Values substituted into a query template. */
export interface QueryPlaceholders {
  /** A label matcher list without braces, e.g. `namespace=~"prod|staging"`. */
  selector: string;
  namespace?: string;
  deployment?: string;
}

/**
 * Fills `{{selector}}`, `{{namespace}}` and `{{deployment}}`. A dangling comma left by an empty
 * selector (`{container!="",}`) is valid PromQL, so no clean-up is needed.
 */
export function renderQuery(template: string, placeholders: QueryPlaceholders): string {
  return template.replace(/\{\{\s*(selector|namespace|deployment)\s*\}\}/g, (_match, name: string) => {
    const value = placeholders[name as keyof QueryPlaceholders];
    return value === undefined ? '' : value;
  });
}

/** Escapes a string for a double-quoted PromQL string literal. */
export function promqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Escapes regex metacharacters (RE2) in a literal value. */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `namespace=~"a|b"` for a grouped query over these namespaces. */
export function namespaceSelector(namespaces: Iterable<string>): string {
  const unique = [...new Set(namespaces)].sort();
  if (unique.length === 1) return `namespace=${promqlString(unique[0] as string)}`;
  return `namespace=~${promqlString(unique.map(escapeRegex).join('|'))}`;
}

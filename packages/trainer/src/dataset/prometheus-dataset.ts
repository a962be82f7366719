/**
 * The history dataset: `query_range` of the seven features for chosen Deployments from a real
 * Prometheus (the same grouped definitions as the Prometheus adapter and `computeFeatures`),
 * labelled from incident windows, cut into episodes and folds by time.
 */
import { AdapterError, DEFAULT_FEATURE_NAMES, errorMessage, type DefaultFeatureName } from '@autoheal/core';
import type { Episode } from './episode.js';
import type { Incident } from './incidents.js';
import { labelSamples, type Breach } from './label.js';
import type { Fold } from './scenarios.js';

/** Same pod-name rule as `deploymentOfPod` and the adapter. */
const POD_REGEX = '^(.+)-[bcdfghjklmnpqrstvwxz2456789]{1,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$';
const byDeployment = (expression: string) => `label_replace(${expression}, "deployment", "$1", "pod", "${POD_REGEX}")`;

/**
 * The grouped PromQL of each feature (and of the request volume) for a label selector: the same
 * text as the Prometheus adapter's default queries rendered with that selector.
 */
export function historyQueries(selector: string): Record<DefaultFeatureName | 'request_volume', string> {
  const containers = `container!="",container!="POD",${selector}`;
  return {
    restart_count_last_5m: `sum by (namespace, deployment) (${byDeployment(`increase(kube_pod_container_status_restarts_total{${selector}}[5m])`)})`,
    cpu_usage_pct: `avg by (namespace, deployment) (${byDeployment(`rate(container_cpu_usage_seconds_total{${containers}}[2m]) * 100`)})`,
    memory_usage_bytes: `avg by (namespace, deployment) (${byDeployment(`container_memory_working_set_bytes{${containers}}`)})`,
    ready_replica_ratio: `clamp(max by (namespace, deployment) (kube_deployment_status_replicas_ready{${selector}}) / max by (namespace, deployment) (kube_deployment_spec_replicas{${selector}} > 0), 0, 1)`,
    unavailable_replicas: `max by (namespace, deployment) (kube_deployment_status_replicas_unavailable{${selector}})`,
    network_receive_bytes_per_s: `sum by (namespace, deployment) (${byDeployment(`rate(container_network_receive_bytes_total{${selector}}[2m])`)})`,
    http_5xx_error_rate: `sum by (namespace, deployment) (${byDeployment(`rate(flask_http_request_total{status=~"5..",${selector}}[2m])`)})`,
    request_volume: `sum by (namespace, deployment) (${byDeployment(`increase(flask_http_request_total{${selector}}[2m])`)})`,
  };
}

/** Options of {@link collectHistory}. */
export interface HistoryOptions {
  prometheusUrl: string;
  /** `namespace/name` of each Deployment. */
  targets: string[];
  /** Epoch ms. */
  start: number;
  end: number;
  stepMs: number;
  fetch?: typeof globalThis.fetch;
  onProgress?: (done: number, total: number) => void;
}

/** Per target: evaluation times and feature rows (NaN = missing). */
export type History = Map<string, { times: number[]; features: number[][] }>;

/** Prometheus refuses more than 11,000 points per series; stay below. */
const MAX_POINTS_PER_QUERY = 10_000;

async function queryRange(options: HistoryOptions, query: string, start: number, end: number): Promise<Array<{ metric: Record<string, string>; values: Array<[number, string]> }>> {
  const url = new URL('api/v1/query_range', options.prometheusUrl.endsWith('/') ? options.prometheusUrl : `${options.prometheusUrl}/`);
  const body = new URLSearchParams({ query, start: String(start / 1000), end: String(end / 1000), step: `${options.stepMs / 1000}` });
  let response: Response;
  try {
    response = await (options.fetch ?? globalThis.fetch)(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    throw new AdapterError(`cannot reach Prometheus at ${options.prometheusUrl}: ${errorMessage(error)}; check --prometheus-url`, { component: 'trainer', cause: error, retryable: true });
  }
  const text = await response.text();
  let payload: { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };
  try {
    payload = JSON.parse(text) as typeof payload;
  } catch {
    throw new AdapterError(`Prometheus answered HTTP ${response.status} with non-JSON for query_range; check --prometheus-url points at the Prometheus API`, { component: 'trainer' });
  }
  if (!response.ok || payload.status !== 'success' || payload.data?.resultType !== 'matrix' || !Array.isArray(payload.data.result)) {
    throw new AdapterError(`Prometheus query_range failed (HTTP ${response.status}): ${payload.error ?? 'unexpected answer'}`, { component: 'trainer', retryable: response.status >= 500 });
  }
  return payload.data.result as Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;
}

/** Collects the features of every target over `[start, end]` at `stepMs`, in chunks Prometheus accepts. */
export async function collectHistory(options: HistoryOptions): Promise<History> {
  const namespaces = [...new Set(options.targets.map((t) => t.split('/')[0] as string))].sort();
  const selector = `namespace=~"${namespaces.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&')).join('|')}"`;
  const queries = historyQueries(selector);
  const times: number[] = [];
  for (let t = options.start; t <= options.end; t += options.stepMs) times.push(t);
  const index = new Map(times.map((t, i) => [t, i]));
  const names = [...DEFAULT_FEATURE_NAMES, 'request_volume'] as const;
  const values = new Map<string, Float64Array[]>();
  for (const target of options.targets) values.set(target, names.map(() => new Float64Array(times.length).fill(Number.NaN)));

  const chunkMs = options.stepMs * MAX_POINTS_PER_QUERY;
  const chunks: Array<[number, number]> = [];
  for (let from = options.start; from <= options.end; from += chunkMs + options.stepMs) chunks.push([from, Math.min(options.end, from + chunkMs)]);
  let done = 0;
  for (const [featureIndex, name] of names.entries()) {
    for (const [from, to] of chunks) {
      for (const series of await queryRange(options, queries[name], from, to)) {
        const columns = values.get(`${series.metric.namespace}/${series.metric.deployment}`);
        if (!columns) continue;
        const column = columns[featureIndex] as Float64Array;
        for (const [seconds, text] of series.values) {
          const i = index.get(Math.round(seconds * 1000));
          const v = Number(text);
          if (i !== undefined && Number.isFinite(v)) column[i] = v;
        }
      }
      options.onProgress?.(++done, names.length * chunks.length);
    }
  }

  const history: History = new Map();
  for (const [target, columns] of values) {
    const volume = columns[names.length - 1] as Float64Array;
    const features = times.map((_, i) =>
      DEFAULT_FEATURE_NAMES.map((name, f) => {
        const value = (columns[f] as Float64Array)[i] as number;
        if (name !== 'http_5xx_error_rate') return value;
        // As the adapter: missing with too few requests to judge, 0 with traffic but no 5xx series.
        if (!((volume[i] as number) >= 5)) return Number.NaN;
        return Number.isNaN(value) ? 0 : value;
      }),
    );
    history.set(target, { times: [...times], features });
  }
  return history;
}

/** Chronological folds: the first 60% of the range trains, then 15% validation, 10% calibration, 15% test. */
export function foldOfTime(t: number, start: number, end: number): Fold {
  const position = (t - start) / Math.max(1, end - start);
  if (position < 0.6) return 'train';
  if (position < 0.75) return 'validation';
  if (position < 0.85) return 'calibration';
  return 'test';
}

/**
 * Labels history with incidents and cuts it into episodes: a new episode starts after each incident
 * ends and at each fold boundary, so every episode ends with at most one incident and lies in one fold.
 */
export function historyEpisodes(history: History, incidents: readonly Incident[], options: { start: number; end: number; horizonMs: number }): Episode[] {
  const episodes: Episode[] = [];
  for (const target of [...history.keys()].sort()) {
    const { times, features } = history.get(target) as { times: number[]; features: number[][] };
    const breaches: Breach[] = incidents
      .filter((incident) => incident.target === target)
      .map((incident) => ({ start: incident.start, end: incident.end }))
      .sort((a, b) => a.start - b.start);
    const labels = labelSamples(times, breaches, options.horizonMs);
    let from = 0;
    const close = (to: number) => {
      if (to <= from) return;
      const first = times[from] as number;
      const last = times[to - 1] as number;
      const own = breaches.filter((b) => b.start >= first && b.start <= last);
      episodes.push({
        id: `prom/${target}/${first}`,
        seed: 0,
        fold: foldOfTime(first, options.start, options.end),
        kind: own.length > 0 ? 'incident' : 'healthy',
        strength: null,
        faultOnset: null,
        heldOutShape: false,
        times: times.slice(from, to),
        features: features.slice(from, to),
        labels: labels.slice(from, to),
        violating: labels.slice(from, to).map((l) => l.inBreach),
        breaches: own,
        heal: null,
      });
      from = to;
    };
    for (let i = 0; i < times.length; i++) {
      const t = times[i] as number;
      const previous = i > 0 ? (times[i - 1] as number) : undefined;
      if (previous !== undefined && foldOfTime(previous, options.start, options.end) !== foldOfTime(t, options.start, options.end)) close(i);
      const endsIncident = breaches.some((b) => t <= b.end && (times[i + 1] === undefined || (times[i + 1] as number) > b.end) && t >= b.start);
      if (endsIncident) close(i + 1);
    }
    close(times.length);
  }
  return episodes;
}

/**
 * `createPrometheusFeatureSource`: the FeatureSource that reads the seven signals from the
 * Prometheus HTTP API. Grouped queries make a collection of N targets cost one query per feature
 * (plus one for the request-volume guard), whatever N is.
 */
import {
  AdapterError,
  AutohealError,
  DEFAULT_FEATURE_NAMES,
  errorMessage,
  mapWithConcurrency,
  parseWithSchema,
  targetKey,
  type Clock,
  type FeatureObservation,
  type FeatureSource,
  type FeatureVector,
  type TargetRef,
} from '@autoheal/core';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import {
  defaultQueries,
  defaultRequestVolumeQuery,
  namespaceSelector,
  promqlString,
  renderQuery,
  type FeatureQuery,
} from './default-queries.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { createKubernetesServiceProxy, kubernetesServiceReferenceSchema } from './kubernetes-service-proxy.js';
import { PrometheusHttpClient, type InstantSample, type RangeSeries } from './prometheus-http-client.js';

const COMPONENT = 'prometheus';

const featureQuerySchema = z.union([
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
  /** Feature names this source provides, in order. @default DEFAULT_FEATURE_NAMES */
  featureNames: z.array(z.string().min(1)).min(1).optional(),
  /**
   * Per-feature query overrides: a PromQL string (grouped mode) or `{ query, mode, requiresRequestVolume }`.
   * Features not listed use the defaults. @default DEFAULT_QUERIES
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
  rateWindow: z.string().regex(/^[0-9]+(ms|s|m|h|d|w|y)$/, 'must be a PromQL duration such as "2m" or "30s"').default('2m'),
  /** The grouped query that counts requests per Deployment for the guard. @default defaultRequestVolumeQuery(deploymentFrom, rateWindow) */
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

/** The FeatureSource returned by {@link createPrometheusFeatureSource}, plus history helpers. */
export interface PrometheusFeatureSource extends FeatureSource {
  readonly name: 'prometheus';
  /** The resolved query of every feature (templates, before placeholders are filled). */
  readonly queries: Readonly<Record<string, FeatureQuery>>;
  /** The HTTP client, for raw PromQL with the same auth and retries. */
  readonly client: PrometheusHttpClient;
  collect(target: TargetRef, options?: { signal?: AbortSignal }): Promise<FeatureObservation>;
  collectMany(targets: readonly TargetRef[], options?: { signal?: AbortSignal }): Promise<FeatureObservation[]>;
  ping(options?: { signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
  /** Raw range query: the matrix of `promql` from `start` to `end` (epoch ms) every `stepSeconds`. */
  queryRange(promql: string, range: { start: number; end: number; stepSeconds: number }, options?: { signal?: AbortSignal }): Promise<RangeSeries[]>;
  /** Every feature of one target over a time range (for building training datasets). */
  collectRange(target: TargetRef, start: number, end: number, stepSeconds: number, options?: { signal?: AbortSignal }): Promise<FeatureRange>;
  /** {@link collectRange} for many targets at the cost of one range query per feature. */
  collectRangeMany(targets: readonly TargetRef[], start: number, end: number, stepSeconds: number, options?: { signal?: AbortSignal }): Promise<FeatureRange[]>;
}

/** Why one feature of one target is missing, or its value. */
type Measurement = { value: number } | { missing: string; noSeries?: true };

/**
 * Creates a FeatureSource reading the seven signals (or your own queries) from Prometheus.
 *
 * @example
 * const source = createPrometheusFeatureSource({ url: 'http://127.0.0.1:9090' });
 * const [backend, frontend] = await source.collectMany([
 *   { namespace: 'prod', kind: 'Deployment', name: 'backend' },
 *   { namespace: 'prod', kind: 'Deployment', name: 'frontend' },
 * ]);
 * await source.close();
 */
export function createPrometheusFeatureSource(input: PrometheusFeatureSourceOptions): PrometheusFeatureSource {
  const options = parseWithSchema(prometheusFeatureSourceOptionsSchema, input, COMPONENT, 'invalid Prometheus feature source options');
  const featureNames: readonly string[] = options.featureNames ?? DEFAULT_FEATURE_NAMES;
  const defaults: Record<string, FeatureQuery> = defaultQueries(options.deploymentFrom, options.rateWindow);
  const queries: Record<string, FeatureQuery> = {};
  for (const feature of featureNames) {
    const override = options.queries[feature];
    const resolved = typeof override === 'string' ? { query: override, mode: 'grouped' as const, requiresRequestVolume: false } : (override ?? defaults[feature]);
    if (!resolved) {
      throw new AutohealError(`no query for feature "${feature}": add it to the queries option (e.g. queries: { ${feature}: 'sum by (namespace, deployment) (...)' })`, {
        component: COMPONENT,
        code: 'CONFIG_INVALID',
      });
    }
    queries[feature] = resolved;
  }
  const unknownOverrides = Object.keys(options.queries).filter((feature) => !featureNames.includes(feature));
  if (unknownOverrides.length > 0) {
    throw new AutohealError(`queries given for unknown feature(s) ${unknownOverrides.join(', ')}; featureNames are ${featureNames.join(', ')}`, {
      component: COMPONENT,
      code: 'CONFIG_INVALID',
    });
  }
  const requestVolumeQuery = options.requestVolumeQuery ?? defaultRequestVolumeQuery(options.deploymentFrom, options.rateWindow);
  // The volume query also tells "no 5xx series but traffic" (0) from "no traffic data" (missing),
  // so it runs whenever a feature depends on traffic, even with minRequests 0.
  const guardActive = featureNames.some((feature) => queries[feature]?.requiresRequestVolume);

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

  async function collectMany(targets: readonly TargetRef[], callOptions: { signal?: AbortSignal } = {}): Promise<FeatureObservation[]> {
    if (targets.length === 0) return [];
    const observedAt = now();
    const keys = targets.map((target) => targetKey({ namespace: target.namespace, name: target.name }));
    const groupedSelector = namespaceSelector(targets.map((target) => target.namespace));

    // Every task is one query; its result is a map from target key to measurement.
    type Task = { feature: string; promql: string; covers: readonly string[]; run: () => Promise<Map<string, Measurement>> };
    const tasks: Task[] = [];
    for (const feature of featureNames) {
      const featureQuery = queries[feature] as FeatureQuery;
      if (featureQuery.mode === 'grouped') {
        const promql = renderQuery(featureQuery.query, { selector: groupedSelector });
        tasks.push({ feature, promql, covers: keys, run: async () => groupedMeasurements(await client.query(promql, { time: observedAt, ...callOptions }), keys, promql) });
      } else {
        targets.forEach((target, index) => {
          const promql = renderQuery(featureQuery.query, {
            selector: `namespace=${promqlString(target.namespace)}`,
            namespace: target.namespace,
            deployment: target.name,
          });
          const key = keys[index] as string;
          tasks.push({ feature, promql, covers: [key], run: async () => new Map([[key, perTargetMeasurement(await client.query(promql, { time: observedAt, ...callOptions }), target, promql)]]) });
        });
      }
    }
    const guardPromql = renderQuery(requestVolumeQuery, { selector: groupedSelector });
    if (guardActive) {
      tasks.push({ feature: '(request volume)', promql: guardPromql, covers: keys, run: async () => groupedMeasurements(await client.query(guardPromql, { time: observedAt, ...callOptions }), keys, guardPromql) });
    }

    const settled = await settleWithConcurrency(tasks.map((task) => task.run), options.concurrency);
    if (callOptions.signal?.aborted) throw new AutohealError(`collection aborted: ${errorMessage(callOptions.signal.reason)}`, { component: COMPONENT, code: 'ABORTED', cause: callOptions.signal.reason });
    const failures = settled.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failures.length === settled.length) {
      const first = failures[0]?.reason;
      throw new AdapterError(
        `every query to Prometheus at ${client.baseUrl} failed; first (${tasks[0]?.feature}): ${stripPrefix(errorMessage(first))} ${checkHint}`,
        { component: COMPONENT, cause: first, retryable: true },
      );
    }

    const perFeature = new Map<string, Map<string, Measurement>>();
    let volumes: Map<string, Measurement> | undefined;
    let guardError: string | undefined;
    tasks.forEach((task, index) => {
      const result = settled[index] as PromiseSettledResult<Map<string, Measurement>>;
      if (task.feature === '(request volume)') {
        if (result.status === 'fulfilled') volumes = result.value;
        else guardError = stripPrefix(errorMessage(result.reason));
        return;
      }
      const merged = perFeature.get(task.feature) ?? new Map<string, Measurement>();
      if (result.status === 'fulfilled') {
        for (const [key, measurement] of result.value) merged.set(key, measurement);
      } else {
        // A failed query makes its feature missing for the targets it covered, nothing more.
        const reason = `query of ${task.feature} failed: ${stripPrefix(errorMessage(result.reason))} Query: ${task.promql}`;
        for (const key of task.covers) merged.set(key, { missing: reason });
      }
      perFeature.set(task.feature, merged);
    });

    return targets.map((target, index) => {
      const key = keys[index] as string;
      const values: FeatureVector = {};
      const missing: Array<{ feature: string; reason: string }> = [];
      for (const feature of featureNames) {
        let measurement = perFeature.get(feature)?.get(key) ?? { missing: 'no result' };
        if (guardActive && queries[feature]?.requiresRequestVolume) {
          measurement = applyRequestGuard(measurement, volumes?.get(key), guardError, options.minRequests, target);
        }
        if ('value' in measurement) {
          values[feature] = measurement.value;
        } else {
          values[feature] = null;
          missing.push({ feature, reason: measurement.missing });
        }
      }
      return { target, observedAt, values, missing };
    });
  }

  async function collectRangeMany(targets: readonly TargetRef[], start: number, end: number, stepSeconds: number, callOptions: { signal?: AbortSignal } = {}): Promise<FeatureRange[]> {
    if (!(end >= start) || !(stepSeconds > 0)) {
      throw new AutohealError(`invalid range: need start <= end (epoch ms) and stepSeconds > 0, got start=${start} end=${end} step=${stepSeconds}`, { component: COMPONENT, code: 'INPUT_INVALID' });
    }
    const range = { start, end, stepSeconds };
    const keys = targets.map((target) => targetKey({ namespace: target.namespace, name: target.name }));
    const groupedSelector = namespaceSelector(targets.map((target) => target.namespace));
    // Range history uses the grouped form only; per-target queries are run per target.
    type RangeTask = { feature: string; run: () => Promise<Map<string, Map<number, number>>> };
    const tasks: RangeTask[] = [];
    const byTarget = (series: RangeSeries[], onlyKey?: string) => {
      const result = new Map<string, Map<number, number>>();
      for (const item of series) {
        const key = onlyKey ?? `${item.labels.namespace}/${item.labels.deployment}`;
        const points = result.get(key) ?? new Map<number, number>();
        for (const [time, value] of item.points) points.set(time, value);
        result.set(key, points);
      }
      return result;
    };
    for (const feature of featureNames) {
      const featureQuery = queries[feature] as FeatureQuery;
      if (featureQuery.mode === 'grouped') {
        const promql = renderQuery(featureQuery.query, { selector: groupedSelector });
        tasks.push({ feature, run: async () => byTarget(await client.queryRange(promql, range, callOptions)) });
      } else {
        targets.forEach((target, index) => {
          const promql = renderQuery(featureQuery.query, { selector: `namespace=${promqlString(target.namespace)}`, namespace: target.namespace, deployment: target.name });
          tasks.push({ feature, run: async () => byTarget(await client.queryRange(promql, range, callOptions), keys[index]) });
        });
      }
    }
    if (guardActive) {
      const promql = renderQuery(requestVolumeQuery, { selector: groupedSelector });
      tasks.push({ feature: '(request volume)', run: async () => byTarget(await client.queryRange(promql, range, callOptions)) });
    }
    const settled = await settleWithConcurrency(tasks.map((task) => task.run), options.concurrency);
    const failures = settled.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failures.length === settled.length) {
      throw new AdapterError(`every range query to Prometheus at ${client.baseUrl} failed, first: ${errorMessage(failures[0]?.reason)}`, { component: COMPONENT, cause: failures[0]?.reason, retryable: true });
    }
    const perFeature = new Map<string, Map<string, Map<number, number>>>();
    const featureErrors = new Map<string, string>();
    let volumes: Map<string, Map<number, number>> | undefined;
    tasks.forEach((task, index) => {
      const result = settled[index] as PromiseSettledResult<Map<string, Map<number, number>>>;
      if (task.feature === '(request volume)') {
        if (result.status === 'fulfilled') volumes = result.value;
        return;
      }
      if (result.status === 'rejected') {
        featureErrors.set(task.feature, stripPrefix(errorMessage(result.reason)));
        return;
      }
      const merged = perFeature.get(task.feature) ?? new Map<string, Map<number, number>>();
      for (const [key, points] of result.value) merged.set(key, points);
      perFeature.set(task.feature, merged);
    });
    const stepMs = stepSeconds * 1000;
    const times: number[] = [];
    // Prometheus aligns points to start + k * step; so do we, so every series has the same rows.
    for (let time = start; time <= end; time += stepMs) times.push(Math.round(time));

    return targets.map((target, index) => {
      const key = keys[index] as string;
      const series: Record<string, Array<[number, number | null]>> = {};
      const missing: Array<{ feature: string; reason: string }> = [];
      for (const feature of featureNames) {
        const points = perFeature.get(feature)?.get(key);
        const guarded = guardActive && queries[feature]?.requiresRequestVolume;
        const targetVolumes = volumes?.get(key);
        const failed = featureErrors.has(feature);
        const featureSeries = times.map((time): [number, number | null] => {
          const value = points?.get(time);
          if (failed) return [time, null];
          if (guarded) {
            const volume = targetVolumes?.get(time);
            if (volume === undefined || !Number.isFinite(volume) || volume < options.minRequests) return [time, null];
            // Enough traffic and no series for this point: nothing matched, e.g. no 5xx yet.
            if (value === undefined) return [time, 0];
          }
          if (value === undefined || !Number.isFinite(value)) return [time, null];
          return [time, value];
        });
        series[feature] = featureSeries;
        if (featureSeries.every(([, value]) => value === null)) {
          const error = featureErrors.get(feature);
          missing.push({ feature, reason: error ? `query failed: ${error}` : `no finite value in range for ${key} (no data, NaN/Inf, stale, or below minRequests)` });
        }
      }
      return { target, start, end, stepSeconds, series, missing };
    });
  }

  return {
    name: COMPONENT,
    featureNames,
    queries,
    client,
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

/** Reads a grouped result: one series per `namespace`/`deployment`; absent or non-finite → missing. */
function groupedMeasurements(samples: InstantSample[], keys: readonly string[], promql: string): Map<string, Measurement> {
  const byKey = new Map<string, InstantSample[]>();
  for (const sample of samples) {
    const { namespace, deployment } = sample.labels;
    if (!namespace || !deployment) continue;
    const key = `${namespace}/${deployment}`;
    byKey.set(key, [...(byKey.get(key) ?? []), sample]);
  }
  const result = new Map<string, Measurement>();
  for (const key of keys) {
    const matches = byKey.get(key) ?? [];
    result.set(key, measurementFrom(matches, key, promql));
  }
  return result;
}

/** Reads a per-target result: prefer the series labelled with the target, else the only series. */
function perTargetMeasurement(samples: InstantSample[], target: TargetRef, promql: string): Measurement {
  const key = targetKey({ namespace: target.namespace, name: target.name });
  const labelled = samples.filter((sample) => sample.labels.namespace === target.namespace && sample.labels.deployment === target.name);
  return measurementFrom(labelled.length > 0 ? labelled : samples, key, promql);
}

function measurementFrom(samples: InstantSample[], key: string, promql: string): Measurement {
  if (samples.length === 0) return { missing: `no series for ${key} (no data, stale, or filtered out) from query: ${promql}`, noSeries: true };
  if (samples.length > 1) return { missing: `${samples.length} series for ${key}, expected 1: aggregate the query by (namespace, deployment). Query: ${promql}` };
  const value = (samples[0] as InstantSample).value;
  if (Number.isNaN(value)) return { missing: `NaN for ${key} from query: ${promql}` };
  if (!Number.isFinite(value)) return { missing: `${value > 0 ? '+Inf' : '-Inf'} for ${key} from query: ${promql}` };
  return { value };
}

/**
 * The request-volume rule of traffic-dependent features (the 5xx rate): missing below
 * `minRequests` requests in the window (a rate from so little traffic is noise) or when the volume
 * is unknown; `0` when there is enough traffic but the feature's query matched no series (no 5xx
 * response has been counted yet, so no 5xx series exists).
 */
function applyRequestGuard(measurement: Measurement, volume: Measurement | undefined, guardError: string | undefined, minRequests: number, target: TargetRef): Measurement {
  const key = targetKey({ namespace: target.namespace, name: target.name });
  // NaN, Inf or a failed query keep their own reason.
  if ('missing' in measurement && !measurement.noSeries) return measurement;
  if (guardError) return { missing: `request volume unknown (query failed: ${guardError})` };
  if (!volume || !('value' in volume)) return { missing: `no request count for ${key}, so its traffic-dependent rate cannot be trusted (${volume && 'missing' in volume ? volume.missing : 'no series'})` };
  if (volume.value < minRequests) {
    return { missing: `too few requests for ${key}: ${volume.value.toFixed(1)} in the rate window < minRequests ${minRequests} (a rate from so little traffic is noise)` };
  }
  return 'value' in measurement ? measurement : { value: 0 };
}

/** Drops the `[autoheal] [prometheus] ` prefix when an error message is embedded in another. */
function stripPrefix(message: string): string {
  return message.replace(/^\[autoheal\] \[prometheus\] /, '');
}

/** Runs thunks with at most `limit` in flight; results in input order, never rejects. */
function settleWithConcurrency<T>(thunks: Array<() => Promise<T>>, limit: number): Promise<Array<PromiseSettledResult<T>>> {
  return mapWithConcurrency(thunks, limit, async (thunk): Promise<PromiseSettledResult<T>> => {
    try {
      return { status: 'fulfilled', value: await thunk() };
    } catch (reason) {
      return { status: 'rejected', reason };
    }
  });
}

/**
 * One collection (instant or over a time range): run the plan's queries with bounded concurrency,
 * read the signal bundles into base-signal readings, derive the seed and v2 features with core's
 * `deriveFeatures`, read the overridden ("classic") queries, and report every missing value with a
 * reason and a kind. A failing query makes only its own features missing; the collection throws only
 * when every query failed.
 */
import {
  AdapterError,
  AutohealError,
  deriveFeatures,
  errorMessage,
  targetKey,
  type BaseSignalReading,
  type FeatureObservation,
  type FeatureVector,
  type MissingKind,
  type TargetRef,
} from '@autoheal/core';
import { namespaceSelector, promqlString, renderQuery, type FeatureQuery } from './default-queries.js';
import { presetsInUse, type CollectionPlan } from './collection-plan.js';
import { applyRequestGuard, measurementFrom, perTargetMeasurement, settleWithConcurrency, stripPrefix, type Measurement } from './measurements.js';
import { PrometheusRequestError, type PrometheusHttpClient, type RangeSeries } from './prometheus-http-client.js';
import { readingsFromAnswers, type BundleAnswer, type SignalReadings } from './signal-readings.js';

const COMPONENT = 'prometheus';

/** What a collection needs from its source. */
export interface CollectionContext {
  plan: CollectionPlan;
  client: PrometheusHttpClient;
  minRequests: number;
  concurrency: number;
  /** The user's request-volume query for overridden traffic-dependent features, if any. */
  requestVolumeQuery: string | undefined;
  /** Appended to the error when every query failed, unless the HTTP client's own error already says what to check. */
  checkHint: string;
  /** Whether Prometheus is reached through the Kubernetes API server's service proxy. */
  viaServiceProxy: boolean;
}

/** One feature of one target over time, from `collectRange`. */
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

/** A query to send; `run` gives its answer as series of points (instant: one point at time 0). */
interface Task {
  kind: 'bundle' | 'classic' | 'guard';
  name: string;
  promql: string;
  /** For per-target classic queries: the one target it covers. */
  only?: TargetRef;
  run: () => Promise<RangeSeries[]>;
}

/** The queries a collection of `targets` sends, rendered (for `autoheal doctor` and benchmarks too). */
export function renderCollectionQueries(context: Pick<CollectionContext, 'plan' | 'requestVolumeQuery'>, targets: readonly TargetRef[]): Array<Omit<Task, 'run'>> {
  const { plan } = context;
  if (targets.length === 0) return [];
  const namespaces = targets.map((target) => target.namespace);
  const presets = presetsInUse(plan, targets);
  const queries: Array<Omit<Task, 'run'>> = plan.bundles.map((bundle) => ({ kind: 'bundle', name: bundle.name, promql: bundle.render(namespaces, presets) }));
  const grouped = namespaceSelector(namespaces);
  for (const [feature, query] of Object.entries(plan.classic)) {
    if (query.mode === 'grouped') {
      queries.push({ kind: 'classic', name: feature, promql: renderQuery(query.query, { selector: grouped }) });
    } else {
      for (const target of targets) {
        queries.push({ kind: 'classic', name: feature, only: target, promql: renderQuery(query.query, { selector: `namespace=${promqlString(target.namespace)}`, namespace: target.namespace, deployment: target.name }) });
      }
    }
  }
  if (plan.guardActive && context.requestVolumeQuery !== undefined) queries.push({ kind: 'guard', name: '(request volume)', promql: renderQuery(context.requestVolumeQuery, { selector: grouped }) });
  return queries;
}

function tasksFor(context: CollectionContext, targets: readonly TargetRef[], send: (promql: string) => Promise<RangeSeries[]>): Task[] {
  return renderCollectionQueries(context, targets).map((query) => ({ ...query, run: () => send(query.promql) }));
}

/** Runs the tasks; throws when the caller aborted or when every query failed. */
async function runTasks(context: CollectionContext, tasks: Task[], signal: AbortSignal | undefined, what: string): Promise<Array<PromiseSettledResult<RangeSeries[]>>> {
  const settled = await settleWithConcurrency(tasks.map((task) => task.run), context.concurrency);
  if (signal?.aborted) throw new AutohealError(`collection aborted: ${errorMessage(signal.reason)}`, { component: COMPONENT, code: 'ABORTED', cause: signal.reason });
  const failures = settled.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (tasks.length > 0 && failures.length === settled.length) {
    const first = failures[0]?.reason;
    // The HTTP client's errors already say what to check (the URL, the credentials, the query, the
    // service): the general hint is added only where it says something they do not (an unexpected
    // error, or an API server that cannot be reached in service-proxy mode), so it is never said twice.
    const saysWhatToCheck = first instanceof PrometheusRequestError && (!context.viaServiceProxy || first.status !== undefined);
    const hint = saysWhatToCheck ? '' : ` ${context.checkHint}`;
    throw new AdapterError(`every ${what} to Prometheus at ${context.client.baseUrl} failed; first (${tasks[0]?.name}): ${stripPrefix(errorMessage(first))}${hint}`, { component: COMPONENT, cause: first, retryable: true });
  }
  return settled;
}

/** The readings of the bundles, and per classic feature (and the guard) the series or the error. */
function splitAnswers(context: CollectionContext, targets: readonly TargetRef[], tasks: Task[], settled: Array<PromiseSettledResult<RangeSeries[]>>) {
  const bundleAnswers: BundleAnswer[] = [];
  const classic = new Map<string, ClassicAnswer[]>();
  let guard: ClassicAnswer | undefined;
  tasks.forEach((task, index) => {
    const result = settled[index] as PromiseSettledResult<RangeSeries[]>;
    if (task.kind === 'bundle') {
      const bundle = context.plan.bundles.find((candidate) => candidate.name === task.name);
      if (!bundle) return;
      bundleAnswers.push(result.status === 'fulfilled' ? { bundle, promql: task.promql, series: result.value } : { bundle, promql: task.promql, error: stripPrefix(errorMessage(result.reason)) });
    } else if (task.kind === 'guard') {
      guard = { task, result };
    } else {
      classic.set(task.name, [...(classic.get(task.name) ?? []), { task, result }]);
    }
  });
  const keyOf = (target: TargetRef) => targetKey({ namespace: target.namespace, name: target.name });
  const presetIds = new Map(targets.map((target) => [keyOf(target), context.plan.requestMetricsOf(target).id]));
  const readings: SignalReadings = readingsFromAnswers(bundleAnswers, [...presetIds.keys()], (key) => presetIds.get(key) ?? '');
  return { readings, classic, guard };
}

type ClassicAnswer = { task: Task; result: PromiseSettledResult<RangeSeries[]> };
/** Per answer: samples by target key (or all, for per-target queries) and time, built once. */
const classicIndex = new WeakMap<ClassicAnswer, Map<string, Map<number, Array<{ labels: Record<string, string>; value: number }>>>>();

function indexOf(answer: ClassicAnswer & { result: PromiseFulfilledResult<RangeSeries[]> }) {
  let index = classicIndex.get(answer);
  if (!index) {
    index = new Map();
    for (const series of answer.result.value) {
      const { namespace, deployment } = series.labels;
      // Grouped answers are read by their namespace/deployment labels; per-target answers whole.
      const key = answer.task.only ? '' : namespace && deployment ? `${namespace}/${deployment}` : undefined;
      if (key === undefined) continue;
      let byTime = index.get(key);
      if (!byTime) index.set(key, (byTime = new Map()));
      for (const [time, value] of series.points) {
        const list = byTime.get(time);
        if (list) list.push({ labels: series.labels, value });
        else byTime.set(time, [{ labels: series.labels, value }]);
      }
    }
    classicIndex.set(answer, index);
  }
  return index;
}

/** The series of `target` at `time` in a classic answer (instant answers: time 0), as a measurement. */
function classicMeasurement(answers: ClassicAnswer[] | undefined, target: TargetRef, time: number): Measurement {
  const key = targetKey({ namespace: target.namespace, name: target.name });
  const answer = answers?.find((candidate) => candidate.task.only === undefined || targetKey(candidate.task.only) === key);
  if (!answer) return { missing: 'no result', kind: 'no-data' };
  if (answer.result.status === 'rejected') {
    return { missing: `query of ${answer.task.name} failed: ${stripPrefix(errorMessage(answer.result.reason))} Query: ${answer.task.promql}`, kind: 'failed' };
  }
  const samples = indexOf(answer as ClassicAnswer & { result: PromiseFulfilledResult<RangeSeries[]> }).get(answer.task.only ? '' : key)?.get(time) ?? [];
  if (answer.task.only) return perTargetMeasurement(samples, target, answer.task.promql);
  return measurementFrom(samples, key, answer.task.promql);
}

/** Values and missing entries of one target at one time. */
function featuresAt(context: CollectionContext, parts: ReturnType<typeof splitAnswers>, target: TargetRef, time: number, at: number): { values: FeatureVector; missing: Array<{ feature: string; reason: string; kind: MissingKind }> } {
  const { plan } = context;
  const key = targetKey({ namespace: target.namespace, name: target.name });
  const reading: BaseSignalReading = parts.readings.at(key, time);
  const derived = deriveFeatures(reading, { at, key, windows: plan.windows, requestMetrics: plan.requestMetricsOf(target).kind !== 'none' }, plan.derived);

  let volume: Measurement | undefined;
  if (plan.guardActive) {
    if (parts.guard) volume = classicMeasurement([parts.guard], target, time);
    else {
      const failure = reading.failed?.requests_per_second;
      const rate = reading.values.requests_per_second;
      volume = failure !== undefined ? { missing: failure, kind: 'failed' } : rate === undefined ? { missing: 'no request series (the request preset found no data)', kind: 'no-data' } : { value: rate * plan.windows.rateWindowSeconds };
    }
  }

  const values: FeatureVector = {};
  const missing: Array<{ feature: string; reason: string; kind: MissingKind }> = [];
  for (const feature of plan.featureNames) {
    const query: FeatureQuery | undefined = plan.classic[feature];
    if (!query) {
      values[feature] = derived.values[feature] ?? null;
      const entry = derived.missing.find((candidate) => candidate.feature === feature);
      if (entry) missing.push(entry);
      continue;
    }
    let measurement = classicMeasurement(parts.classic.get(feature), target, time);
    if (query.requiresRequestVolume) measurement = applyRequestGuard(measurement, volume, context.minRequests, target);
    if ('value' in measurement) values[feature] = measurement.value;
    else {
      values[feature] = null;
      missing.push({ feature, reason: measurement.missing, kind: measurement.kind });
    }
  }
  return { values, missing };
}

/** Collects every feature of `targets` at `observedAt` (epoch ms). */
export async function collectInstant(context: CollectionContext, targets: readonly TargetRef[], observedAt: number, signal: AbortSignal | undefined): Promise<FeatureObservation[]> {
  if (targets.length === 0) return [];
  const tasks = tasksFor(context, targets, async (promql) =>
    (await context.client.query(promql, { time: observedAt, ...(signal ? { signal } : {}) })).map((sample) => ({ labels: sample.labels, points: [[0, sample.value]] })),
  );
  const settled = await runTasks(context, tasks, signal, 'query');
  const parts = splitAnswers(context, targets, tasks, settled);
  return targets.map((target) => ({ target, observedAt, ...featuresAt(context, parts, target, 0, observedAt) }));
}

/** Collects every feature of `targets` from `start` to `end` (epoch ms) every `stepSeconds`. */
export async function collectRange(context: CollectionContext, targets: readonly TargetRef[], start: number, end: number, stepSeconds: number, signal: AbortSignal | undefined): Promise<FeatureRange[]> {
  if (!(end >= start) || !(stepSeconds > 0)) {
    throw new AutohealError(`invalid range: need start <= end (epoch ms) and stepSeconds > 0, got start=${start} end=${end} step=${stepSeconds}`, { component: COMPONENT, code: 'INPUT_INVALID' });
  }
  if (targets.length === 0) return [];
  const range = { start, end, stepSeconds };
  const tasks = tasksFor(context, targets, (promql) => context.client.queryRange(promql, range, signal ? { signal } : {}));
  const settled = await runTasks(context, tasks, signal, 'range query');
  const parts = splitAnswers(context, targets, tasks, settled);
  // Prometheus aligns points to start + k * step; so do we, so every series has the same rows.
  const times: number[] = [];
  for (let time = start; time <= end; time += stepSeconds * 1000) times.push(Math.round(time));

  return targets.map((target) => {
    const series: Record<string, Array<[number, number | null]>> = Object.fromEntries(context.plan.featureNames.map((feature) => [feature, []]));
    const lastReason = new Map<string, string>();
    for (const time of times) {
      const { values, missing } = featuresAt(context, parts, target, time, time);
      for (const feature of context.plan.featureNames) (series[feature] as Array<[number, number | null]>).push([time, values[feature] ?? null]);
      for (const entry of missing) lastReason.set(feature(entry), entry.reason);
    }
    const missing = context.plan.featureNames
      .filter((name) => (series[name] as Array<[number, number | null]>).every(([, value]) => value === null))
      .map((name) => ({ feature: name, reason: `no usable value in range for ${targetKey(target)}; last reason: ${lastReason.get(name) ?? 'no data'}` }));
    return { target, start, end, stepSeconds, series, missing };
  });
}

const feature = (entry: { feature: string }) => entry.feature;

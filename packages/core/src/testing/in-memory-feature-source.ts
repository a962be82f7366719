/**
 * A FeatureSource that serves values held in memory, for tests and demos. It follows the same rule
 * as a real source: what it has no value for is reported as missing (`null` plus a reason), never 0.
 */
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { AdapterError, AutohealError } from '../errors.js';
import { DEFAULT_FEATURE_NAMES, type FeatureObservation, type FeatureVector } from '../features.js';
import type { FeatureSource } from '../interfaces/feature-source.js';
import { targetKey, type TargetRef } from '../target.js';
import { parseWithSchema } from '../validation.js';

/** Computes the vector of a target at time `now` (epoch ms). */
export type FeatureValuesFunction = (target: TargetRef, now: number) => FeatureVector | Promise<FeatureVector>;

/** Options of {@link createInMemoryFeatureSource}. */
export interface InMemoryFeatureSourceOptions {
  /** @default 'in-memory' */
  name?: string;
  /** The features this source provides. @default DEFAULT_FEATURE_NAMES */
  featureNames?: readonly string[];
  /**
   * The values: a Map or a record keyed by `targetKey(target)` (`namespace/name`), or a function of
   * the target and the time. Targets without values report every feature missing.
   * @default {} (every feature missing)
   */
  values?: Map<string, FeatureVector> | Record<string, FeatureVector> | FeatureValuesFunction;
  /** Where `observedAt` comes from. @default Date.now */
  clock?: Pick<Clock, 'now'>;
}

/** The in-memory source, with handles for tests. */
export interface InMemoryFeatureSource extends FeatureSource {
  /** Replaces the values of one target (switches a function-based source to stored values for it). */
  setValues(target: Pick<TargetRef, 'namespace' | 'name' | 'cluster'>, vector: FeatureVector): void;
  /** Makes every following `collect`/`collectMany` reject with `error` (`null` to stop failing). */
  failWith(error: unknown): void;
  /** How many targets were collected so far (a `collectMany` of n targets counts n). */
  readonly collectCount: number;
}

const isFunction = (value: unknown): value is (...args: never[]) => unknown => typeof value === 'function';

const optionsSchema = z.object({
  name: z.string().min(1, 'must not be empty').default('in-memory'),
  featureNames: z
    .array(z.string().min(1, 'feature names must not be empty'))
    .min(1, 'needs at least one feature name, e.g. DEFAULT_FEATURE_NAMES')
    .default([...DEFAULT_FEATURE_NAMES]),
  values: z
    .custom<NonNullable<InMemoryFeatureSourceOptions['values']>>(
      (value) => value instanceof Map || isFunction(value) || (typeof value === 'object' && value !== null && !Array.isArray(value)),
      'must be a Map or a record keyed by "namespace/name", or a function (target, now) => vector',
    )
    .optional(),
  clock: z.custom<Pick<Clock, 'now'>>((value) => typeof value === 'object' && value !== null && isFunction((value as Clock).now), 'must have a now() method').optional(),
});

/** Rejects when the caller already gave up, like a real source would when its request is aborted. */
function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new AutohealError('collect aborted before it started', { component: 'in-memory', code: 'ABORTED', cause: signal.reason });
  }
}

/**
 * Creates an in-memory FeatureSource.
 *
 * @example
 * const source = createInMemoryFeatureSource({
 *   values: { 'prod/backend': { restart_count_last_5m: 0, cpu_usage_pct: 20, memory_usage_bytes: 1e8, ready_replica_ratio: 1, unavailable_replicas: 0, network_receive_bytes_per_s: 1e4, http_5xx_error_rate: 0 } },
 * });
 * source.setValues({ namespace: 'prod', name: 'backend' }, { ...healthy, restart_count_last_5m: 6 });
 */
export function createInMemoryFeatureSource(options: InMemoryFeatureSourceOptions = {}): InMemoryFeatureSource {
  const parsed = parseWithSchema(optionsSchema, options, 'in-memory', 'invalid in-memory feature source options');
  const featureNames = Object.freeze([...parsed.featureNames]);
  const stored = new Map<string, FeatureVector>();
  const valuesOption = parsed.values;
  const valuesFunction = isFunction(valuesOption) ? (valuesOption as FeatureValuesFunction) : undefined;
  if (valuesOption instanceof Map) {
    for (const [key, vector] of valuesOption) stored.set(key, { ...vector });
  } else if (valuesOption && !valuesFunction) {
    for (const [key, vector] of Object.entries(valuesOption as Record<string, FeatureVector>)) stored.set(key, { ...vector });
  }
  const now = () => (parsed.clock ? parsed.clock.now() : Date.now());
  let failure: unknown = null;
  let collectCount = 0;

  async function vectorFor(target: TargetRef, at: number): Promise<FeatureVector | undefined> {
    const key = targetKey(target);
    if (stored.has(key)) return stored.get(key);
    return valuesFunction ? await valuesFunction(target, at) : undefined;
  }

  async function collectOne(target: TargetRef): Promise<FeatureObservation> {
    collectCount += 1;
    const observedAt = now();
    const vector = await vectorFor(target, observedAt);
    const values: FeatureVector = {};
    const missing: FeatureObservation['missing'] = [];
    for (const feature of featureNames) {
      const value = vector?.[feature];
      if (typeof value === 'number' && Number.isFinite(value)) {
        values[feature] = value;
      } else {
        values[feature] = null;
        missing.push({ feature, reason: vector ? 'no value set for this feature' : `no values set for target ${targetKey(target)}` });
      }
    }
    return { target, observedAt, values, missing };
  }

  function throwIfFailing(): void {
    if (failure !== null) {
      throw AutohealError.isInstance(failure) ? failure : new AdapterError(`collect failed: ${String(failure instanceof Error ? failure.message : failure)}`, { component: parsed.name, cause: failure });
    }
  }

  return {
    name: parsed.name,
    featureNames,
    async collect(target, callOptions) {
      throwIfAborted(callOptions?.signal);
      throwIfFailing();
      return collectOne(target);
    },
    async collectMany(targets, callOptions) {
      throwIfAborted(callOptions?.signal);
      throwIfFailing();
      const observations: FeatureObservation[] = [];
      for (const target of targets) observations.push(await collectOne(target));
      return observations;
    },
    setValues(target, vector) {
      stored.set(targetKey(target), { ...vector });
    },
    failWith(error) {
      failure = error;
    },
    get collectCount() {
      return collectCount;
    },
  };
}

/**
 * Reading query answers into per-target measurements: one series per Deployment or a missing value
 * with a reason and a kind (no series, NaN, ±Inf, ambiguous, failed, too little traffic), plus the
 * small helpers every collection shares.
 */
import { mapWithConcurrency, targetKey, type MissingKind, type TargetRef } from '@autoheal/core';
import type { InstantSample } from './prometheus-http-client.js';

/** Why one feature of one target is missing (and what kind of absence), or its value. */
export type Measurement = { value: number } | { missing: string; kind: MissingKind; noSeries?: true };

/** Reads a per-target result: prefer the series labelled with the target, else the only series. */
export function perTargetMeasurement(samples: InstantSample[], target: TargetRef, promql: string): Measurement {
  const key = targetKey({ namespace: target.namespace, name: target.name });
  const labelled = samples.filter((sample) => sample.labels.namespace === target.namespace && sample.labels.deployment === target.name);
  return measurementFrom(labelled.length > 0 ? labelled : samples, key, promql);
}

export function measurementFrom(samples: InstantSample[], key: string, promql: string): Measurement {
  if (samples.length === 0) return { missing: `no series for ${key} (no data, stale, or filtered out) from query: ${promql}`, kind: 'no-data', noSeries: true };
  if (samples.length > 1) return { missing: `${samples.length} series for ${key}, expected 1: aggregate the query by (namespace, deployment). Query: ${promql}`, kind: 'failed' };
  const value = (samples[0] as InstantSample).value;
  if (Number.isNaN(value)) return { missing: `NaN for ${key} from query: ${promql}`, kind: 'failed' };
  if (!Number.isFinite(value)) return { missing: `${value > 0 ? '+Inf' : '-Inf'} for ${key} from query: ${promql}`, kind: 'failed' };
  return { value };
}

/**
 * The request-volume rule of traffic-dependent overridden queries (the 5xx rate): missing below
 * `minRequests` requests in the window (a rate from so little traffic is noise) or when the volume
 * is unknown; `0` when there is enough traffic but the feature's query matched no series (no 5xx
 * response has been counted yet, so no 5xx series exists).
 */
export function applyRequestGuard(measurement: Measurement, volume: Measurement | undefined, minRequests: number, target: TargetRef): Measurement {
  const key = targetKey({ namespace: target.namespace, name: target.name });
  // NaN, Inf or a failed query keep their own reason.
  if ('missing' in measurement && !measurement.noSeries) return measurement;
  if (!volume || !('value' in volume)) {
    const why = volume && 'missing' in volume ? volume.missing : 'no series';
    return { missing: `no request count for ${key}, so its traffic-dependent rate cannot be trusted (${why})`, kind: volume && 'missing' in volume ? volume.kind : 'no-data' };
  }
  if (volume.value < minRequests) {
    return { missing: `too few requests for ${key}: ${volume.value.toFixed(1)} in the rate window < minRequests ${minRequests} (a rate from so little traffic is noise)`, kind: 'low-traffic' };
  }
  return 'value' in measurement ? measurement : { value: 0 };
}

/** Drops the `[autoheal] [prometheus] ` prefix when an error message is embedded in another. */
export function stripPrefix(message: string): string {
  return message.replace(/^\[autoheal\] \[prometheus\] /, '');
}

/** Runs thunks with at most `limit` in flight (core's `mapWithConcurrency`); results in input order, never rejects. */
export function settleWithConcurrency<T>(thunks: Array<() => Promise<T>>, limit: number): Promise<Array<PromiseSettledResult<T>>> {
  return mapWithConcurrency(thunks, limit, async (thunk): Promise<PromiseSettledResult<T>> => {
    try {
      return { status: 'fulfilled', value: await thunk() };
    } catch (reason) {
      return { status: 'rejected', reason };
    }
  });
}

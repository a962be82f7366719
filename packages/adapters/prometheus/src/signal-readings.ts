/**
 * From the answers of the signal bundles to one `BaseSignalReading` per target (and per time step for
 * range queries): the `s` label names the signal (or, for the plain kube-state-metrics signals, the
 * metric name); request rates are split by `ah_class` and kept
 * only for the request preset the target uses (`preset` label); a bundle that failed makes each of its
 * signals failed, with the reason and the query.
 */
import type { BaseSignalName, BaseSignalReading } from '@autoheal/core';
import { KSM_SIGNAL_OF, type SignalBundle } from './signal-queries.js';

/** One bundle's answer: series (instant: one point at time 0) or why it failed. */
export interface BundleAnswer {
  bundle: SignalBundle;
  promql: string;
  series?: ReadonlyArray<{ labels: Record<string, string>; points: ReadonlyArray<readonly [number, number]> }>;
  error?: string;
}

type HttpAccumulator = { all?: number; error?: number; other?: number };
type Step = { values: Partial<Record<BaseSignalName, number>>; duplicated: Set<BaseSignalName>; http: Record<'http' | 'prior_http', HttpAccumulator | undefined> };

/** The readings of a collection: per key and time (instant answers use time 0). */
export interface SignalReadings {
  /** The reading of `key` at `time`: its signals, plus the failures of bundles that failed. */
  at(key: string, time: number): BaseSignalReading;
}

/**
 * Builds the readings for `keys` (`namespace/name`). `presetOf(key)` is the id of the request preset
 * the target uses.
 */
export function readingsFromAnswers(answers: readonly BundleAnswer[], keys: readonly string[], presetOf: (key: string) => string): SignalReadings {
  const wanted = new Set(keys);
  const steps = new Map<string, Map<number, Step>>();
  const stepOf = (key: string, time: number): Step => {
    let byTime = steps.get(key);
    if (!byTime) steps.set(key, (byTime = new Map()));
    let step = byTime.get(time);
    if (!step) byTime.set(time, (step = { values: {}, duplicated: new Set(), http: { http: undefined, prior_http: undefined } }));
    return step;
  };

  const failed: Partial<Record<BaseSignalName, string>> = {};
  for (const answer of answers) {
    if (answer.error !== undefined) {
      for (const signal of answer.bundle.signals) failed[signal] = `query of ${answer.bundle.name} failed: ${answer.error} Query: ${answer.promql}`;
      continue;
    }
    const signals = new Set<string>(answer.bundle.signals);
    for (const { labels, points } of answer.series ?? []) {
      const key = `${labels.namespace}/${labels.deployment}`;
      const named = labels.s ?? labels.__name__;
      const s = named === undefined ? undefined : (KSM_SIGNAL_OF[named] ?? named);
      if (!wanted.has(key) || s === undefined) continue;
      if (s === 'http' || s === 'prior_http') {
        if (labels.preset !== presetOf(key)) continue;
        const slot = labels.ah_class === 'error' ? 'error' : labels.ah_class === 'all' ? 'all' : 'other';
        for (const [time, value] of points) {
          const step = stepOf(key, time);
          const accumulator = (step.http[s] ??= {});
          // One series per class after `sum by`; a second one would be a query bug: count it as duplicate.
          accumulator[slot] = accumulator[slot] === undefined ? value : Number.NaN;
        }
        continue;
      }
      if (!signals.has(s)) continue;
      for (const [time, value] of points) {
        const step = stepOf(key, time);
        if (step.values[s as BaseSignalName] !== undefined) step.duplicated.add(s as BaseSignalName);
        step.values[s as BaseSignalName] = value;
      }
    }
  }

  return {
    at(key, time) {
      const step = steps.get(key)?.get(time);
      if (!step) return { values: {}, failed: { ...failed } };
      const reading: BaseSignalReading = { values: { ...step.values }, failed: { ...failed } };
      for (const signal of step.duplicated) {
        delete reading.values[signal];
        (reading.failed as Record<string, string>)[signal] = `more than one series for ${key} with s="${signal}": the query must aggregate by (namespace, deployment)`;
      }
      setRequests(reading, step.http.http, 'requests_per_second', 'errors_per_second');
      setRequests(reading, step.http.prior_http, 'prior_requests_per_second', 'prior_errors_per_second');
      return reading;
    },
  };
}

/** Requests = the `all` series (custom pairs) or the sum of the classes; errors = the error class. */
function setRequests(reading: BaseSignalReading, accumulator: HttpAccumulator | undefined, requests: BaseSignalName, errors: BaseSignalName): void {
  if (!accumulator) return;
  const total = accumulator.all ?? (accumulator.other ?? 0) + (accumulator.error ?? 0);
  if (accumulator.all !== undefined || accumulator.other !== undefined || accumulator.error !== undefined) reading.values[requests] = total;
  if (accumulator.error !== undefined) reading.values[errors] = accumulator.error;
}

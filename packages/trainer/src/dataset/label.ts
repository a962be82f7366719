/**
 * The label: will the workload breach its availability objective within the horizon?
 *
 * A sample is *bad* when the ready ratio is below `minReadyRatio`, or when 5xx responses exceed
 * `maxErrorRatio` of all requests (judged only with enough traffic to measure the 5xx rate). A
 * *breach* is a stretch of consecutive bad samples lasting at least `sustainMs`; it starts at its
 * first bad sample. A sample is positive when a breach starts within `(t, t + horizonMs]`. Samples
 * inside a breach (from its start to its last bad sample) are detection, not prediction: they are
 * marked `inBreach` and left out of the prediction metrics.
 */
import { z } from 'zod';
import type { DeploymentFeatures } from '../features/compute-features.js';

/** Schema of {@link AvailabilityObjective}. */
export const availabilityObjectiveSchema = z.strictObject({
  /** @default 0.5 */
  minReadyRatio: z.number().min(0).max(1).default(0.5),
  /** @default 0.05 */
  maxErrorRatio: z.number().min(0).max(1).default(0.05),
  /** @default 60000 (60 s) */
  sustainMs: z.number().int().min(0).default(60_000),
});

/** When a workload counts as breaching its objective. */
export type AvailabilityObjective = z.output<typeof availabilityObjectiveSchema>;

/** The default objective: ready ratio below 0.5 or 5xx above 5% of requests, sustained for 60 s. */
export const DEFAULT_OBJECTIVE: AvailabilityObjective = { minReadyRatio: 0.5, maxErrorRatio: 0.05, sustainMs: 60_000 };
/** The default prediction horizon: 5 minutes. */
export const DEFAULT_HORIZON_MS = 5 * 60_000;

/** One breach: first and last bad sample times (epoch ms). */
export interface Breach {
  start: number;
  end: number;
}

/** The label of one sample. */
export interface SampleLabel {
  /** 1 when a breach starts within the horizon after this sample (and it is not inside one). */
  label: 0 | 1;
  /** Inside an ongoing breach: detection, not prediction. */
  inBreach: boolean;
  /** Milliseconds until the next breach starts, when one starts within the horizon. */
  msToBreach: number | null;
}

/** Whether one sample violates the objective. Missing signals never count as a violation. */
export function violatesObjective(sample: Pick<DeploymentFeatures, 'values' | 'requestsPerSecond'>, objective: AvailabilityObjective): boolean {
  const ready = sample.values.ready_replica_ratio;
  if (ready !== null && ready < objective.minReadyRatio) return true;
  const errors = sample.values.http_5xx_error_rate;
  const requests = sample.requestsPerSecond;
  return errors !== null && requests !== null && requests > 0 && errors / requests > objective.maxErrorRatio;
}

/**
 * Finds breaches in one workload's samples (sorted by time, evenly spaced). Stretches of bad samples
 * shorter than `sustainMs` (first to last bad sample) are blips, not breaches.
 */
export function findBreaches(times: readonly number[], bad: readonly boolean[], objective: AvailabilityObjective): Breach[] {
  const breaches: Breach[] = [];
  let start: number | undefined;
  let last: number | undefined;
  const close = () => {
    if (start !== undefined && last !== undefined && last - start >= objective.sustainMs) breaches.push({ start, end: last });
    start = undefined;
    last = undefined;
  };
  for (let i = 0; i < times.length; i++) {
    if (bad[i]) {
      if (start === undefined) start = times[i];
      last = times[i];
    } else {
      close();
    }
  }
  close();
  return breaches;
}

/** Labels every sample of one workload trace given its breaches. */
export function labelSamples(times: readonly number[], breaches: readonly Breach[], horizonMs: number): SampleLabel[] {
  return times.map((t) => {
    const inBreach = breaches.some((b) => t >= b.start && t <= b.end);
    const next = breaches.find((b) => b.start > t);
    const msToBreach = next && next.start - t <= horizonMs ? next.start - t : null;
    return { label: !inBreach && msToBreach !== null ? 1 : 0, inBreach, msToBreach };
  });
}

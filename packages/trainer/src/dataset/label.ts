/**
 * The label: will the workload breach its availability objective within the horizon?
 *
 * The objective and the rule that judges one look are the sandbox's (`violatesObjective`, the same
 * rule its ground truth and the outcome benchmark judge with), applied here to what a model can see.
 * A sample is *bad* when the ready ratio is below `minReadyRatio`, or when 5xx responses exceed
 * `maxErrorRatio` of all requests (judged only with enough traffic to measure the 5xx rate). A
 * *breach* is a stretch of consecutive bad samples lasting at least `sustainMs`; it starts at its
 * first bad sample. A sample is positive when a breach starts within `(t, t + horizonMs]`. Samples
 * inside a breach (from its start to its last bad sample) are detection, not prediction: they are
 * marked `inBreach` and left out of the prediction metrics.
 */
import { z } from 'zod';
import { availabilityObjectiveShape, DEFAULT_OBJECTIVE as SANDBOX_OBJECTIVE, violatesObjective as violates } from '@autoheal/sandbox';
import type { DeploymentFeatures } from '../features/compute-features.js';

/** Schema of {@link AvailabilityObjective}: the sandbox's objective, unknown keys refused. */
export const availabilityObjectiveSchema = z.strictObject(availabilityObjectiveShape);

/** When a workload counts as breaching its objective. */
export type AvailabilityObjective = z.output<typeof availabilityObjectiveSchema>;

/** The default objective: ready ratio below 0.5 or 5xx above 5% of requests, sustained for 60 s (the sandbox's). */
export const DEFAULT_OBJECTIVE: AvailabilityObjective = { ...SANDBOX_OBJECTIVE };
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
  const errors = sample.values.http_5xx_error_rate;
  const requests = sample.requestsPerSecond;
  return violates({ readyRatio: sample.values.ready_replica_ratio, errorRatio: errors !== null && requests !== null && requests > 0 ? errors / requests : null }, objective);
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

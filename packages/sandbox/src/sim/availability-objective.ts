/**
 * The one definition of a breach, shared by the sandbox's ground truth, the trainer's labels and
 * the outcome benchmark: a workload violates its availability objective when fewer than
 * `minReadyRatio` of its desired replicas are ready, or more than `maxErrorRatio` of its requests
 * fail; a violation that lasts `sustainMs` is a breach, counted from the violation's start.
 *
 * The ground truth applies it to every simulated step with every request counted (whoever answered
 * it); the trainer applies it to what a model can see (the scraped ready ratio and the application's
 * 5xx share every 15 s). Same rule, two vantage points: `violatesObjective` is the rule.
 */
import { z } from 'zod';

const ratio = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

/** The fields of an availability objective, with their defaults. */
export const availabilityObjectiveShape = {
  /** @default 0.5 */
  minReadyRatio: ratio.default(0.5),
  /** @default 0.05 */
  maxErrorRatio: ratio.default(0.05),
  /** @default 60000 */
  sustainMs: z.number().int('must be a whole number of milliseconds').min(0).default(60_000),
};

/** When a workload counts as breaching its availability objective (see the module comment). */
export const availabilityObjectiveSchema = z.object(availabilityObjectiveShape);
export type AvailabilityObjective = z.output<typeof availabilityObjectiveSchema>;

/** The default objective: under half the replicas ready, or over 5% of requests failing, for a minute. */
export const DEFAULT_OBJECTIVE: Readonly<AvailabilityObjective> = Object.freeze({ minReadyRatio: 0.5, maxErrorRatio: 0.05, sustainMs: 60_000 });

/** One look at a workload; `null` when the look cannot say (no replicas wanted, no traffic, no data). */
export interface AvailabilityObservation {
  /** Ready replicas / desired replicas. */
  readyRatio: number | null;
  /** Failed requests / all requests. */
  errorRatio: number | null;
}

/** Whether one look violates the objective. What cannot be seen never counts as a violation. */
export function violatesObjective(observation: AvailabilityObservation, objective: Pick<AvailabilityObjective, 'minReadyRatio' | 'maxErrorRatio'>): boolean {
  if (observation.readyRatio !== null && observation.readyRatio < objective.minReadyRatio) return true;
  return observation.errorRatio !== null && observation.errorRatio > objective.maxErrorRatio;
}

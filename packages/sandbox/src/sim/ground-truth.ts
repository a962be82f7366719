/**
 * The ground truth of one workload: what its users experienced, counted by the simulation itself
 * (no scrape, no sampling, no exporter that can miss a request). Every request that reached the
 * ingress counts, including those answered 503 by the ingress because no pod was ready, which the
 * application's own request counter never sees. Each step is judged against the availability
 * objective; a violation sustained for `sustainMs` is a breach.
 *
 * The rule is `violatesObjective` (`availability-objective.ts`), the same the trainer labels its
 * samples with; the trainer applies it to the scraped features (the app-level 5xx ratio and the
 * ready ratio every 15 s), this truth to every step with every failed request counted.
 */
import type { ResponseCounts } from '../metrics/request-metrics.js';
import { type AvailabilityObjective, violatesObjective } from './availability-objective.js';

/** What one simulated step did with a workload's traffic. */
export interface StepOutcome {
  /** Requests that reached the ingress in the step. */
  requests: number;
  /** Those the application answered, by status (`503`: shed by a saturated pod). */
  answered: ResponseCounts;
  /** Those the ingress answered 503 itself because no pod was ready. */
  unrouted: number;
  /** Ready pods the ingress could route to. */
  readyPods: number;
}

/** One breach: from the start of the violation to its end (`null` while it lasts). */
export interface BreachInterval {
  start: number;
  end: number | null;
}

/** The ground truth of one workload since it was created (counts are expected values, so fractional). */
export interface WorkloadTruth {
  namespace: string;
  name: string;
  /** Every request that reached the ingress. */
  requests: number;
  /** Every request that failed, whatever the cause: the sum of `failures`. */
  failedRequests: number;
  failures: {
    /** Answered 500 by the application (bad code, a bloated cache). */
    applicationErrors: number;
    /** Answered 503 by a saturated pod that shed the excess. */
    overloaded: number;
    /** Answered 503 by the ingress: no pod was ready to take them. */
    noReadyPod: number;
  };
  /** Whether the last step violated the objective. */
  violating: boolean;
  /** Whether a breach is under way (the violation has lasted `sustainMs`). */
  breached: boolean;
  /** Total time in breach, milliseconds (a breach counts from its violation's start). */
  breachMs: number;
  breaches: BreachInterval[];
}

/** Accumulates one workload's truth step by step. */
export interface TruthRecorder {
  /** Adds one step that ran from `stepStart` to `now`. */
  record(outcome: StepOutcome, desiredReplicas: number, stepStart: number, now: number): void;
  /** The truth as of the last step. */
  snapshot(now: number): WorkloadTruth;
}

/** Creates the recorder of one workload. */
export function createTruthRecorder(namespace: string, name: string, objective: AvailabilityObjective): TruthRecorder {
  const failures = { applicationErrors: 0, overloaded: 0, noReadyPod: 0 };
  let requests = 0;
  let violating = false;
  let violatingSince: number | null = null;
  const breaches: BreachInterval[] = [];
  let open: BreachInterval | undefined;

  return {
    record(outcome, desiredReplicas, stepStart, now) {
      const failedNow = outcome.answered['500'] + outcome.answered['503'] + outcome.unrouted;
      requests += outcome.requests;
      failures.applicationErrors += outcome.answered['500'];
      failures.overloaded += outcome.answered['503'];
      failures.noReadyPod += outcome.unrouted;
      // A Deployment scaled to zero has no ready ratio, but its traffic still fails.
      violating = violatesObjective(
        {
          readyRatio: desiredReplicas > 0 ? outcome.readyPods / desiredReplicas : null,
          errorRatio: outcome.requests > 0 ? failedNow / outcome.requests : null,
        },
        objective,
      );
      if (!violating) {
        if (open) open.end = stepStart;
        open = undefined;
        violatingSince = null;
        return;
      }
      violatingSince ??= stepStart;
      if (!open && now - violatingSince >= objective.sustainMs) {
        open = { start: violatingSince, end: null };
        breaches.push(open);
      }
    },
    snapshot(now) {
      let breachMs = 0;
      for (const breach of breaches) breachMs += (breach.end ?? now) - breach.start;
      return {
        namespace,
        name,
        requests,
        failedRequests: failures.applicationErrors + failures.overloaded + failures.noReadyPod,
        failures: { ...failures },
        violating,
        breached: open !== undefined,
        breachMs,
        breaches: breaches.map((breach) => ({ ...breach })),
      };
    },
  };
}

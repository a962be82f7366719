/**
 * The reactive healer's judgment: an SLO alert, as alert-driven remediation has it. It fires once the
 * observed availability objective has been violated at every evaluation for `forMs` (Prometheus'
 * `for:`), from the signal an SLO recording rule computes (the feature source's
 * `objective_violated`: the observed ready ratio and 5xx share, judged by the sandbox's
 * `violatesObjective`), never from the simulation's hidden truth. As a `RiskModel` it scores 1 while
 * firing and 0 otherwise, so the real pipeline and healer act on it exactly as on a prediction.
 *
 * It keeps the alert's pending state, so one instance watches one target (the benchmark runs one
 * target per pipeline).
 */
import type { RiskModel, RiskScore } from '@autoheal/core';
import { OBJECTIVE_VIOLATED_FEATURE } from '@autoheal/trainer';

/** Options of {@link createSloAlertModel}. */
export interface SloAlertModelOptions {
  /** How long the violation must last before the alert fires. */
  forMs: number;
  /** The evaluation clock (the simulation's). */
  now: () => number;
}

/** Creates the alert-as-a-model of one target. */
export function createSloAlertModel(options: SloAlertModelOptions): RiskModel {
  let violatingSince: number | null = null;

  function score(violated: number | null | undefined): RiskScore {
    const now = options.now();
    // An absent signal ends a pending alert, as an absent series makes a Prometheus alert expression false.
    if (violated === 1) violatingSince ??= now;
    else violatingSince = null;
    return { probability: violatingSince !== null && now - violatingSince >= options.forMs ? 1 : 0 };
  }

  return {
    name: 'slo-alert',
    version: `for-${Math.round(options.forMs / 1000)}s`,
    featureNames: [OBJECTIVE_VIOLATED_FEATURE],
    recommendedThreshold: 0.5,
    score: async (vector) => score(vector[OBJECTIVE_VIOLATED_FEATURE]),
    scoreBatch: async (vectors) => vectors.map((vector) => score(vector[OBJECTIVE_VIOLATED_FEATURE])),
  };
}

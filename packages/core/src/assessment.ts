/** What a RiskModel says about one feature vector, and the verdict the policy draws from it. */
import { z } from 'zod';
import type { FeatureObservation } from './features.js';
import { MISSING_KINDS, explainMissing } from './missing-explanations.js';

/** How much one feature pushed the risk up (positive) or down (negative), in the model's units. */
export const featureContributionSchema = z.object({
  feature: z.string(),
  /** The feature's value (`null` when missing). */
  value: z.number().nullable(),
  /** Contribution to the model's raw score (log-odds for tree ensembles and logistic models). */
  contribution: z.number(),
});
export type FeatureContribution = z.output<typeof featureContributionSchema>;

/** `healthy` and `at-risk` come from a probability; `unknown` means a signal was missing or the model failed. */
export const verdictSchema = z.enum(['healthy', 'at-risk', 'unknown']);
export type Verdict = z.output<typeof verdictSchema>;

/** The raw output of a RiskModel for one vector. */
export interface RiskScore {
  /** Probability of breaching the availability objective within the model's horizon, in [0, 1]. */
  probability: number;
  /** Per-feature contributions, largest magnitude first, when the model can explain itself. */
  contributions?: FeatureContribution[];
}

export const riskAssessmentSchema = z.object({
  /** `null` when the model could not score (missing features it cannot handle, or a failure). */
  probability: z.number().min(0).max(1).nullable(),
  threshold: z.number().min(0).max(1),
  verdict: verdictSchema,
  model: z.object({ name: z.string(), version: z.string() }),
  contributions: z.array(featureContributionSchema).optional(),
  /** Features that were missing (their names), explained or not. */
  missingFeatures: z.array(z.string()),
  /**
   * The missing features whose absence is explained by authoritative signals (see
   * `missing-explanations.ts`): they did not make the verdict `unknown`; the model received them as
   * missing. Absent when nothing was explained.
   */
  explainedMissing: z
    .array(z.object({ feature: z.string(), kind: z.enum(MISSING_KINDS), because: z.string(), by: z.array(z.string()) }))
    .optional(),
  /** Why the verdict is `unknown`, in words. */
  reason: z.string().optional(),
});
/** A probability judged against a threshold: the input to the healing policy. */
export type RiskAssessment = z.output<typeof riskAssessmentSchema>;

/**
 * The verdict rule: a missing feature → `unknown` (never act on what we cannot see), unless its
 * absence is explained by authoritative signals of `observation` (`explainMissing`: e.g. no memory
 * series because no replica is ready); otherwise `at-risk` when probability >= threshold. Without an
 * observation every missing feature counts.
 */
export function verdictFor(
  probability: number | null,
  threshold: number,
  missing: readonly string[],
  observation?: Pick<FeatureObservation, 'values' | 'missing'>,
): Verdict {
  const unexplained = observation ? explainMissing(observation, missing).unexplained : missing;
  if (unexplained.length > 0 || probability === null || !Number.isFinite(probability)) return 'unknown';
  return probability >= threshold ? 'at-risk' : 'healthy';
}

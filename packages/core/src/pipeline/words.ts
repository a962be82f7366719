/**
 * The few phrases every summary shares ("risk 0.82 >= 0.50", "step 2/3 (cache)"), so the ladder's
 * notes and the record's summary word things the same way. Pure.
 */
import type { RiskAssessment } from '../assessment.js';
import type { HealStepKind } from '../healing.js';

/** "risk 0.82 >= 0.50", "risk 0.10 < 0.50" or "risk unknown (why)". */
export function describeRisk(assessment: Pick<RiskAssessment, 'verdict' | 'probability' | 'threshold' | 'reason'>): string {
  if (assessment.verdict === 'unknown' || assessment.probability === null) return `risk unknown (${assessment.reason ?? 'no probability'})`;
  const comparison = assessment.verdict === 'at-risk' ? '>=' : '<';
  return `risk ${assessment.probability.toFixed(2)} ${comparison} ${assessment.threshold.toFixed(2)}`;
}

/** "step 2/3 (cache)". */
export function stepLabel(attempt: number, maxAttempts: number, kind?: HealStepKind): string {
  return `step ${attempt}/${maxAttempts}${kind ? ` (${kind})` : ''}`;
}

/** ISO-8601 UTC. */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

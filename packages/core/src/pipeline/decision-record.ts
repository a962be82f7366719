/**
 * Turns a decision into the `DecisionRecord` every consumer receives (Slack, the Event, the
 * dashboard, metrics, logs), with its one-line summary. Pure but for the id generator's counter.
 *
 * Why one builder: every consumer must tell the same story, so the words of the summary and the
 * ladder position are computed once, from the same decision, here.
 */
import type { RiskAssessment } from '../assessment.js';
import type { DecisionRecord } from '../decision.js';
import type { Hold } from '../pause.js';
import { targetKey, type TargetRef } from '../target.js';
import type { CircuitState } from './circuit-breaker.js';
import { ladderPosition, type Decided, type LadderPolicy } from './ladder.js';
import type { Look } from './look.js';
import { describeRisk, isoTime, stepLabel } from './words.js';

/** The one-line summary: what was seen, what was done, and why. */
export function summarize(key: string, assessment: RiskAssessment, decided: Decided, policy: Pick<LadderPolicy, 'ladder' | 'healthyResetMs'>, recheckAt: number | undefined): string {
  const { state, action } = decided;
  const maxAttempts = policy.ladder.length;
  const risk = describeRisk(assessment);
  const lastStep = stepLabel(state.attempt, maxAttempts, state.lastStep);
  const words = ((): string => {
    switch (decided.decision) {
      case 'none':
        return state.attempt === 0 ? `healthy (${risk}), nothing to do` : `healthy (${risk}) after ${lastStep}`;
      case 'heal': {
        const verdict = assessment.verdict === 'at-risk' ? 'at risk' : assessment.verdict;
        const result = action?.outcome?.ok ? 'applied' : `failed: ${action?.outcome?.message ?? 'no outcome'}`;
        return `${verdict} (${risk}): ${stepLabel(state.attempt, maxAttempts, action?.step)} ${result}${decided.byOperator ? ' by an operator' : ''}`;
      }
      case 'awaiting-recheck':
        return `${lastStep} taken, re-check at ${recheckAt === undefined ? 'once due' : isoTime(recheckAt)} (${risk})`;
      case 'kept':
        return `healthy again (${risk}) after ${lastStep}: keeping it`;
      case 'reset':
        if (decided.byOperator) return `reset by an operator (${risk}): attempt count back to 0`;
        return `healthy for ${policy.healthyResetMs} ms after the last step (${risk}): attempt count reset to 0`;
      case 'handoff':
        if (state.attempt === 0) return `at risk (${risk}), no step taken: a human is needed`;
        return `still at risk (${risk}) after the last step, ${lastStep}: a human is needed`;
      case 'suppressed': {
        const seen = assessment.verdict === 'unknown' ? risk : `${assessment.verdict === 'healthy' ? 'healthy' : 'at risk'} (${risk})`;
        return `${seen}, suppressed (${decided.suppressedReason})`;
      }
    }
  })();
  // One line, whatever the adapters' error messages contain: logs, Slack and Events show it as is.
  return `${key}: ${words}${decided.note ? `; ${decided.note}` : ''}`.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** Everything a record needs besides the decision. */
export interface RecordContext {
  id: string;
  target: TargetRef;
  /** Epoch ms when the evaluation started (the record's time). */
  startedAt: number;
  /** Epoch ms now (for the duration, the cooldown and the breaker). */
  now: number;
  look: Look;
  circuit: CircuitState;
  policy: Pick<LadderPolicy, 'ladder' | 'cooldownMs' | 'recheckDelayMs' | 'healthyResetMs' | 'dryRun'>;
  /** What held the target at this evaluation (shown whatever the decision). */
  holds?: readonly Hold[];
}

/** Builds the record of one decision. */
export function buildRecord(context: RecordContext, decided: Decided): DecisionRecord {
  const { target, startedAt, now, look, policy } = context;
  const recheckPending = decided.decision === 'heal' || decided.decision === 'awaiting-recheck';
  const ladder = ladderPosition(decided.state, policy, now, recheckPending, decided.recheckAt);
  const record: DecisionRecord = {
    id: context.id,
    target,
    time: isoTime(startedAt),
    features: { ...look.observation.values },
    missing: [...look.observation.missing],
    assessment: look.assessment,
    decision: decided.decision,
    ladder,
    circuit: context.circuit,
    dryRun: decided.dryRun ?? policy.dryRun,
    summary: summarize(targetKey(target), look.assessment, decided, policy, ladder.recheckAt),
    durationMs: Math.max(0, now - startedAt),
  };
  if (decided.suppressedReason) record.suppressedReason = decided.suppressedReason;
  if (decided.action) record.action = decided.action;
  if (decided.diagnosis) record.diagnosis = decided.diagnosis;
  if (context.holds && context.holds.length > 0) record.holds = [...context.holds];
  return record;
}

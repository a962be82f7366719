/** A Notifier that writes every DecisionRecord to the structured log (one JSON line each). */
import type { DecisionRecord, Notifier } from '@autoheal/core';
import type { Logger } from 'pino';

const QUIET_DECISIONS = new Set(['none', 'awaiting-recheck']);

/** Routine decisions (`none`, `awaiting-recheck`) go at debug level; everything else at info or warn. */
export function createLogNotifier(logger: Logger): Notifier {
  return {
    name: 'log',
    async notify(record: DecisionRecord) {
      const fields = {
        decision: record.decision,
        target: `${record.target.namespace}/${record.target.name}`,
        probability: record.assessment.probability,
        verdict: record.assessment.verdict,
        threshold: record.assessment.threshold,
        attempt: record.ladder.attempt,
        suppressedReason: record.suppressedReason,
        step: record.action?.step,
        outcome: record.action?.outcome?.ok,
        missing: record.missing.map((m) => m.feature),
        recordId: record.id,
      };
      if (QUIET_DECISIONS.has(record.decision)) logger.debug(fields, record.summary);
      else if (record.decision === 'handoff' || record.action?.outcome?.ok === false) logger.warn(fields, record.summary);
      else logger.info(fields, record.summary);
    },
  };
}

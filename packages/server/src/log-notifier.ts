/**
 * A Notifier that writes every DecisionRecord to the structured log: one JSON line each, with the
 * whole record under `record` (features, missing signals, the assessment with its contributions, the
 * diagnosis, the ladder, the action with its plan and outcome, the summary, the id) and a few flat
 * fields to filter on. The record's id is the one in Slack, the Kubernetes Event, `autoheal status`,
 * `/api/events` and the dashboard: `jq 'select(.recordId == "…")'` finds its line.
 *
 * Why the levels: every evaluation makes a record, so the routine ones (nothing to do, waiting for a
 * re-check, a step held back by a cooldown, by another evaluation in flight, or because the target
 * recovered just before) go at debug, and info stays a log of what autoheal saw and did.
 */
import { targetKey, type DecisionRecord, type Notifier } from '@autoheal/core';
import type { Logger } from 'pino';

const ROUTINE_DECISIONS: ReadonlySet<string> = new Set(['none', 'awaiting-recheck']);
/** Suppressions that repeat at every evaluation and change nothing an operator must know (Slack skips them too). */
const ROUTINE_SUPPRESSIONS: ReadonlySet<string> = new Set(['cooldown', 'in-flight', 'recovered']);

/** The level of a record's line: `debug` for routine records, `warn` for a handoff or a failed step, else `info`. */
export function logLevelOf(record: Pick<DecisionRecord, 'decision' | 'suppressedReason' | 'action'>): 'debug' | 'info' | 'warn' {
  if (ROUTINE_DECISIONS.has(record.decision)) return 'debug';
  if (record.decision === 'suppressed' && ROUTINE_SUPPRESSIONS.has(record.suppressedReason ?? '')) return 'debug';
  if (record.decision === 'handoff' || record.action?.outcome?.ok === false) return 'warn';
  return 'info';
}

/**
 * Creates the log notifier.
 *
 * @example
 * const notifiers = [createLogNotifier(logger)];
 * // {"level":30,"recordId":"0mhx8k2p0-000007-3f9a1c2e","target":"prod/backend","decision":"heal",…,"record":{…},"msg":"prod/backend: at risk …"}
 */
export function createLogNotifier(logger: Logger): Notifier {
  return {
    name: 'log',
    async notify(record: DecisionRecord) {
      const level = logLevelOf(record);
      if (!logger.isLevelEnabled(level)) return;
      const fields = {
        recordId: record.id,
        target: targetKey(record.target),
        decision: record.decision,
        suppressedReason: record.suppressedReason,
        verdict: record.assessment.verdict,
        probability: record.assessment.probability,
        threshold: record.assessment.threshold,
        cause: record.diagnosis?.cause,
        step: record.action?.step,
        outcome: record.action?.outcome?.ok,
        record,
      };
      logger[level](fields, record.summary);
    },
  };
}

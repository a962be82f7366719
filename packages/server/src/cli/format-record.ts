/** Human-readable views of DecisionRecords for the terminal. */
import type { DecisionRecord, Diagnosis } from '@autoheal/core';
import { formatTable } from './io.js';

export function formatProbability(p: number | null): string {
  return p === null ? '—' : p.toFixed(2);
}

/** The top contributing signals as `name=+0.42`. */
export function topSignals(record: DecisionRecord, count = 2): string {
  const contributions = record.assessment.contributions ?? [];
  return [...contributions]
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
    .slice(0, count)
    .map((c) => `${c.feature}=${c.contribution >= 0 ? '+' : ''}${c.contribution.toFixed(2)}`)
    .join(' ');
}

/** "memory: restart first: memory at 95% of its limit", or "unclear: no confident diagnosis: the ladder in its order". */
export function diagnosisText(diagnosis: Diagnosis): string {
  return `${diagnosis.cause}: ${diagnosis.summary}`;
}

/**
 * A record as progress lines: its summary with its id (the same in Slack, the Event, the log and the
 * API), then its diagnosis when the summary does not already say it.
 */
export function recordLines(record: DecisionRecord, indent = '  '): string[] {
  const lines = [`${record.summary} (record ${record.id})`];
  if (record.diagnosis && !record.summary.includes(record.diagnosis.summary)) lines.push(`${indent}diagnosis ${diagnosisText(record.diagnosis)}`);
  return lines;
}

/** One row per record, with its id, then the diagnosis of each record that has one. */
export function decisionTable(records: DecisionRecord[]): string {
  const diagnosed = records.filter((r) => r.diagnosis).map((r) => `${r.target.namespace}/${r.target.name}: diagnosis ${diagnosisText(r.diagnosis!)}\n`);
  return formatTable(
    ['TARGET', 'RISK', 'THRESHOLD', 'VERDICT', 'DECISION', 'ATTEMPT', 'WHY', 'RECORD'],
    records.map((r) => [
      `${r.target.namespace}/${r.target.name}`,
      formatProbability(r.assessment.probability),
      r.assessment.threshold.toFixed(2),
      r.assessment.verdict,
      r.decision + (r.suppressedReason ? ` (${r.suppressedReason})` : ''),
      `${r.ladder.attempt}/${r.ladder.maxAttempts}`,
      r.missing.length > 0 ? `missing: ${r.missing.map((m) => m.feature).join(', ')}` : topSignals(r),
      r.id,
    ]),
  ) + (diagnosed.length > 0 ? `\n${diagnosed.join('')}` : '');
}

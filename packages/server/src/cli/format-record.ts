/** Human-readable views of DecisionRecords for the terminal. */
import type { DecisionRecord } from '@autoheal/core';
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

export function decisionTable(records: DecisionRecord[]): string {
  return formatTable(
    ['TARGET', 'RISK', 'THRESHOLD', 'VERDICT', 'DECISION', 'ATTEMPT', 'WHY'],
    records.map((r) => [
      `${r.target.namespace}/${r.target.name}`,
      formatProbability(r.assessment.probability),
      r.assessment.threshold.toFixed(2),
      r.assessment.verdict,
      r.decision + (r.suppressedReason ? ` (${r.suppressedReason})` : ''),
      `${r.ladder.attempt}/${r.ladder.maxAttempts}`,
      r.missing.length > 0 ? `missing: ${r.missing.map((m) => m.feature).join(', ')}` : topSignals(r),
    ]),
  );
}

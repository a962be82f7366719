/**
 * The message of an autoheal Event: what happened, then the decision record behind it — its id, the
 * risk against the threshold, the diagnosis with its evidence and the top contributing signals — on
 * one line, so `kubectl describe deployment` answers "why did autoheal do this?" and the id leads to
 * the same record in Slack, the log, the API and the dashboard. Pure.
 *
 * Why one line and a byte budget: describe prints each Event as one row of a table (a line break
 * would tear it), and the API server and client-go keep Event messages to 1 KiB. The important part
 * comes first and a cut says so, instead of silently losing the end.
 */
import type { DecisionRecord } from '@autoheal/core';

/** The most an Event message may hold, in bytes of UTF-8 (what the API server's limit counts). */
export const EVENT_MESSAGE_LIMIT_BYTES = 1024;

/** The annotation naming the decision record an Event belongs to (read back by `autoheal status`). */
export const DECISION_ID_ANNOTATION = 'autoheal.dev/decision-id';

/** What happened may take at most this much, so the record's id and risk always fit after it. */
const HEADLINE_LIMIT_BYTES = 480;
/** How many signals are named, largest |contribution| first. */
const TOP_SIGNALS = 3;
const SEPARATOR = ' | ';
const TRUNCATED = ' … [truncated; the whole record is in the autoheal log and API under its id]';

const utf8 = new TextEncoder();
const byteLength = (text: string) => utf8.encode(text).length;

/** `text` cut to at most `maxBytes` of UTF-8, never inside a character. */
function cutToBytes(text: string, maxBytes: number): string {
  if (byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const character of text) {
    const size = byteLength(character);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += character.length;
  }
  return text.slice(0, end);
}

/** `text` within `maxBytes`, ending with `…` when cut. */
function capped(text: string, maxBytes: number): string {
  return byteLength(text) <= maxBytes ? text : `${cutToBytes(text, maxBytes - byteLength('…')).trimEnd()}…`;
}

/** Line breaks would tear describe's table: one line, whatever an adapter's message holds. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** A compact number for a signal's value: integers as they are, others to three significant digits. */
function compact(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(3)));
}

/** "risk 0.93 >= 0.60", "risk 0.12 < 0.60", or "risk unknown (why)". */
export function riskPart(assessment: DecisionRecord['assessment']): string {
  if (assessment.verdict === 'unknown' || assessment.probability === null) {
    return `risk unknown (threshold ${assessment.threshold.toFixed(2)}${assessment.reason ? `: ${capped(assessment.reason, 160)}` : ''})`;
  }
  const comparison = assessment.probability >= assessment.threshold ? '>=' : '<';
  return `risk ${assessment.probability.toFixed(2)} ${comparison} threshold ${assessment.threshold.toFixed(2)}`;
}

/** "signals memory_limit_ratio=0.95 (+1.2), http_error_ratio=0.08 (+0.7)": the top contributions that pushed at all. */
export function signalsPart(assessment: DecisionRecord['assessment']): string | undefined {
  const top = [...(assessment.contributions ?? [])]
    .filter((c) => c.contribution !== 0)
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
    .slice(0, TOP_SIGNALS);
  if (top.length === 0) return undefined;
  const signal = (c: (typeof top)[number]) => `${c.feature}=${c.value === null ? 'missing' : compact(c.value)} (${c.contribution > 0 ? '+' : ''}${c.contribution.toFixed(2)})`;
  return `signals ${top.map(signal).join(', ')}`;
}

/**
 * The Event message: `headline` (what happened: the step's outcome, or the record's summary), then,
 * when the Event belongs to a decision record, its parts, each after ` | `:
 *
 * `restart step (attempt 1) on prod/backend succeeded: … | record 0mhx8k2p0-000000-3f9a1c2e |
 * risk 0.93 >= threshold 0.60 | diagnosis memory: restart first: memory at 95% of its limit |
 * signals memory_limit_ratio=0.95 (+1.20), http_error_ratio=0.08 (+0.70)`
 *
 * At most {@link EVENT_MESSAGE_LIMIT_BYTES} bytes: the headline is kept to 480 bytes so the id and the
 * risk always fit; what does not fit after them is cut and the message says it was.
 *
 * @example
 * eventMessage('prod/backend: healthy again (risk 0.10 < 0.60) after step 1/3 (restart): keeping it', record);
 */
export function eventMessage(headline: string, record?: DecisionRecord): string {
  const line = oneLine(headline);
  // An Event without a record (a step applied by `apply` alone) is its headline.
  if (!record) return capped(line, EVENT_MESSAGE_LIMIT_BYTES);
  const parts = [capped(line, HEADLINE_LIMIT_BYTES), `record ${record.id}`, riskPart(record.assessment)];
  if (record.missing.length > 0) parts.push(`missing ${record.missing.map((m) => m.feature).join(', ')}`);
  // The summary of a step the diagnosis chose already says it ("diagnosis: rollback first: …").
  if (record.diagnosis && !line.includes(record.diagnosis.summary)) parts.push(`diagnosis ${record.diagnosis.cause}: ${record.diagnosis.summary}`);
  const signals = signalsPart(record.assessment);
  if (signals) parts.push(signals);
  const message = oneLine(parts.join(SEPARATOR));
  if (byteLength(message) <= EVENT_MESSAGE_LIMIT_BYTES) return message;
  return `${cutToBytes(message, EVENT_MESSAGE_LIMIT_BYTES - byteLength(TRUNCATED)).trimEnd()}${TRUNCATED}`;
}

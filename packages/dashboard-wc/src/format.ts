/** Text for numbers, times, errors and the policy's vocabulary. Pure functions, no DOM, no Lit. */
import { AutohealApiError } from './api-client.js';
import type { DecisionRecord, TargetAddress, TargetHold, Verdict } from './types.js';

/** `0.823` → `82%`; `null` → `unknown`. */
export function formatPercent(probability: number | null | undefined): string {
  if (probability === null || probability === undefined || !Number.isFinite(probability)) return 'unknown';
  return `${Math.round(probability * 100)}%`;
}

function scaled(value: number, steps: readonly string[], base: number): string {
  let index = 0;
  let scaledValue = value;
  while (Math.abs(scaledValue) >= base && index < steps.length - 1) {
    scaledValue /= base;
    index += 1;
  }
  const digits = index === 0 || scaledValue >= 100 ? 0 : 1;
  return `${scaledValue.toFixed(digits)} ${steps[index]}`;
}

/** A feature value in its unit, e.g. `512 MiB`, `2.5 KiB/s`, `0.67 (67% ready)`. */
export function formatFeatureValue(value: number | null | undefined, unit: string | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'missing';
  switch (unit) {
    case 'bytes':
      return scaled(value, ['B', 'KiB', 'MiB', 'GiB', 'TiB'], 1024);
    case 'bytes per second':
      return `${scaled(value, ['B', 'KiB', 'MiB', 'GiB'], 1024)}/s`;
    case 'ratio':
      return `${value.toFixed(2)} (${Math.round(value * 100)}%)`;
    case 'percent of one core':
      return `${value.toFixed(1)}% of a core`;
    case 'responses per second':
      return `${value.toFixed(2)}/s`;
    case 'restarts':
      return `${value} restart${value === 1 ? '' : 's'}`;
    case 'replicas':
      return `${value} replica${value === 1 ? '' : 's'}`;
    default:
      return unit ? `${value} ${unit}` : String(value);
  }
}

/** Local wall-clock time, e.g. `14:05:09`. */
export function formatTime(time: string | number): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** Local date and time, e.g. `2026-11-27 14:05:09`. */
export function formatDateTime(time: string | number): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${formatTime(time)}`;
}

/** `in 4 min`, `12 s ago`. */
export function formatRelative(epochMs: number, now: number = Date.now()): string {
  const seconds = Math.round((epochMs - now) / 1000);
  const magnitude = Math.abs(seconds);
  const text = magnitude < 90 ? `${magnitude} s` : magnitude < 5400 ? `${Math.round(magnitude / 60)} min` : `${Math.round(magnitude / 3600)} h`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

/** What each rung of the ladder does, in words. */
export const STEP_LABELS: Record<string, string> = {
  restart: 'restart + scale up',
  cache: 'clear cache + restart + scale up',
  rollback: 'roll back to the previous revision',
};

export function stepLabel(step: string | null | undefined): string {
  if (!step) return 'none';
  return STEP_LABELS[step] ?? step;
}

/** The policy's decisions, in words. */
export const DECISION_LABELS: Record<DecisionRecord['decision'], string> = {
  none: 'No action',
  heal: 'Heal step',
  suppressed: 'Suppressed',
  'awaiting-recheck': 'Awaiting re-check',
  kept: 'Kept (recovered)',
  reset: 'Ladder reset',
  handoff: 'Handed off to a human',
};

export const SUPPRESSED_LABELS: Record<string, string> = {
  unknown: 'a signal is missing — never act on what we cannot see',
  'dry-run': 'dry run — planned, nothing changed',
  cooldown: 'cooldown',
  'circuit-open': 'circuit breaker open',
  recovered: 'recovered before acting',
  'ceiling-reached': 'every step of the ladder was tried',
  'in-flight': 'another action is still running',
  refused: 'the healer refused the step',
  'rolling-out': 'still starting or rolling out — not judged yet',
  'not-leader': 'this replica does not lead',
  'state-unavailable': 'the ladder state could not be read or claimed',
  paused: 'paused — looking and recording only',
  maintenance: 'maintenance window — looking and recording only',
};

export function decisionLabel(record: DecisionRecord): string {
  const base = DECISION_LABELS[record.decision] ?? record.decision;
  if (record.decision === 'heal' && record.action) return `${base}: ${stepLabel(record.action.step)}${record.dryRun ? ' (dry run)' : ''}`;
  if (record.decision === 'suppressed' && record.suppressedReason) {
    return `${base}: ${SUPPRESSED_LABELS[record.suppressedReason] ?? record.suppressedReason}`;
  }
  return base;
}

/**
 * A diagnosis in words: its cause, then its summary (the step it calls for and the evidence), as the
 * Event, Slack and `autoheal status` give it: `memory: restart first: memory at 95% of its limit`.
 */
export function formatDiagnosis(diagnosis: NonNullable<DecisionRecord['diagnosis']>): string {
  return `${diagnosis.cause}: ${diagnosis.summary}`;
}

/** Verdict words; the icon glyphs differ in shape too, so the verdict never relies on colour alone. */
export const VERDICT_TEXT: Record<Verdict, { label: string; icon: string }> = {
  healthy: { label: 'Healthy', icon: '✓' },
  'at-risk': { label: 'At risk', icon: '▲' },
  unknown: { label: 'Unknown', icon: '?' },
};

/**
 * The key the server lists a target under: `namespace/name`, or `cluster/namespace/name` for a
 * target in a named cluster (the rule of core's `targetKey`, which the bundle cannot import; a test
 * checks they agree).
 */
export function keyOf(target: TargetAddress): string {
  return target.cluster ? `${target.cluster}/${target.namespace}/${target.name}` : `${target.namespace}/${target.name}`;
}

/** Splits a snake_case name after each underscore so a narrow screen can wrap it there (`<wbr>` points). */
export function namePieces(name: string): string[] {
  return name.split(/(?<=_)/);
}

/** A failed request in words; 401 and 403 say what to do about them. */
export function describeRequestError(error: unknown): string {
  if (AutohealApiError.isInstance(error)) {
    if (error.status === 401) return `Not authorised (401): the server rejected the token. ${error.message}`;
    if (error.status === 403) return `Refused (403): the server is read-only. ${error.message}`;
    return error.status === 0 ? error.message : `Failed (${error.status}): ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * What held the target at `record`'s evaluation, as the server's `hold` says it: the record's first
 * hold, else `rolling-out` when the rollout guard kept it from being judged. The same rule as core's
 * `targetHoldOf` (a test compares them), here because the bundle takes no code from core; the
 * dashboard needs it for live records, which come without the server's `hold`.
 */
export function holdOfRecord(record: DecisionRecord | null): TargetHold | null {
  const hold = record?.holds?.[0];
  if (hold) {
    switch (hold.kind) {
      case 'paused': {
        const { kind, scope, reason, by, since, until, source } = hold;
        return { kind, scope, source, ...(reason !== undefined ? { reason } : {}), ...(by !== undefined ? { by } : {}), ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) };
      }
      case 'pause-unknown':
        return { kind: 'pause-unknown', reason: hold.reason };
      case 'maintenance':
        return { kind: 'maintenance', reason: hold.window, until: hold.until };
    }
  }
  return record?.suppressedReason === 'rolling-out' ? { kind: 'rolling-out', reason: 'still starting or rolling out: not judged until the rollout completes or stalls' } : null;
}

/** The words of a hold for a badge: `Paused by alice until 18:00:00`, `Paused (all targets)`, `Maintenance "nightly" until 02:00:00`, `Rolling out`. */
export function holdLabel(hold: TargetHold): string {
  const until = hold.until !== undefined ? ` until ${formatTime(hold.until)}` : '';
  switch (hold.kind) {
    case 'paused':
      return `Paused${hold.scope === 'global' ? ' (all targets)' : ''}${hold.by ? ` by ${hold.by}` : ''}${until}`;
    case 'maintenance':
      return `Maintenance${hold.reason ? ` "${hold.reason}"` : ''}${until}`;
    case 'pause-unknown':
      return 'Pause unknown — acting as paused';
    case 'rolling-out':
      return 'Rolling out';
  }
}

/** The whole hold in one sentence, for a tooltip and screen readers. */
export function holdDescription(hold: TargetHold): string {
  const parts = [holdLabel(hold)];
  if (hold.reason && hold.kind !== 'maintenance') parts.push(hold.reason);
  if (hold.source) parts.push(`mark: ${hold.source}`);
  if (hold.kind === 'paused' || hold.kind === 'maintenance' || hold.kind === 'pause-unknown') parts.push('autoheal looks and records, and takes no step');
  return parts.join('. ');
}

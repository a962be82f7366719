/**
 * What the operator commands share: the parts tests may supply, the quieter logger, and time
 * formatting. They build their pipeline with the one builder (`createAutoheal` with `operator`), so
 * `heal` and `reset` follow the same rules, and judge at the same thresholds, as the loop.
 */
import type { Clock, FeatureSource, Notifier, RiskModel } from '@autoheal/core';
import type { Logger } from 'pino';
import type { AutohealConfig } from '../../config/config-schema.js';
import { createCliLogger } from '../logger.js';

/**
 * Parts a caller may supply instead of building them from the config: tests compose an in-process
 * feature source or model when Prometheus or the ONNX model is not the point, and a local Slack.
 */
export interface OperatorDeps {
  featureSource?: FeatureSource;
  riskModel?: RiskModel;
  notifiers?: Notifier[];
  clock?: Clock;
  /** Used by `doctor` for the Slack check. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The operator commands print their own report: the log says only warnings unless asked for more. */
export function operatorLogger(config: AutohealConfig): Logger {
  return createCliLogger(config.log.level === 'info' ? 'warn' : config.log.level);
}

/** The parts of `deps` the builder takes (not `fetch`). */
export function composeParts(deps: OperatorDeps): Omit<OperatorDeps, 'fetch'> {
  const { fetch: _fetch, ...parts } = deps;
  return parts;
}

/** "2026-11-27T03:12:00Z (in 1m 30s)" or "—". */
export function formatTime(epochMs: number | undefined, now: number): string {
  if (epochMs === undefined) return '—';
  const iso = new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const seconds = Math.round((epochMs - now) / 1000);
  if (seconds === 0) return `${iso} (now)`;
  const span = Math.abs(seconds) >= 60 ? `${Math.floor(Math.abs(seconds) / 60)}m ${Math.abs(seconds) % 60}s` : `${Math.abs(seconds)}s`;
  return `${iso} (${seconds >= 0 ? `in ${span}` : `${span} ago`})`;
}

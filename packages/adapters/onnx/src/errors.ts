/**
 * Error helpers for this adapter: every error is one of core's, prefixed `[autoheal] [onnx]`, and
 * onnxruntime's own errors only ever travel as the `cause`.
 */
import { AutohealError, ConfigError, ModelError, errorMessage } from '@autoheal/core';

/** The component name in every message of this package. */
export const COMPONENT = 'onnx';

/** The model cannot be used: raised while loading, never at the first prediction. */
export function modelInvalid(message: string, details?: unknown, cause?: unknown): ModelError {
  return new ModelError(message, { component: COMPONENT, code: 'MODEL_INVALID', details, cause });
}

/** Scoring failed although the model loaded. */
export function modelFailed(message: string, cause?: unknown): ModelError {
  return new ModelError(message, { component: COMPONENT, code: 'MODEL_FAILED', cause });
}

/** The caller passed a vector the model cannot take (wrong names, length or values). */
export function inputInvalid(message: string, details?: unknown): ConfigError {
  return new ConfigError(message, { component: COMPONENT, code: 'INPUT_INVALID', details });
}

/** The caller aborted the call through its `signal`. */
export function aborted(signal: AbortSignal): AutohealError {
  return new AutohealError(`scoring aborted: ${errorMessage(signal.reason ?? 'aborted')}`, {
    component: COMPONENT,
    code: 'ABORTED',
    cause: signal.reason,
  });
}

/** The first line of a vendor error, to quote it inside our own message without its stack or noise. */
export function firstLine(error: unknown): string {
  const text = errorMessage(error).trim();
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

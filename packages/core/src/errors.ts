/**
 * One error family for every autoheal package. Messages are prefixed `[autoheal] [<component>]` and
 * say how to fix the problem. Checks use `AutohealError.isInstance(e)` (a `Symbol.for` marker) so
 * they keep working when two copies of this package end up in one bundle.
 */

const marker = Symbol.for('autoheal.error');

/** Machine-readable error codes. */
export type AutohealErrorCode =
  | 'CONFIG_INVALID'
  | 'INPUT_INVALID'
  | 'ADAPTER_FAILED'
  | 'MODEL_INVALID'
  | 'MODEL_FAILED'
  | 'HEALING_FAILED'
  | 'HEALING_REFUSED'
  | 'STATE_CONFLICT'
  | 'COMPOSITION_INVALID'
  | 'ABORTED';

export interface AutohealErrorOptions {
  /** Which package or adapter raised it, e.g. `prometheus`, `onnx`, `pipeline`. */
  component: string;
  code: AutohealErrorCode;
  cause?: unknown;
  /** True when the same call may succeed if retried (network blips, 5xx, 409). */
  retryable?: boolean;
  /** Structured detail for programs (e.g. the list of invalid fields). */
  details?: unknown;
}

/** Base class of every error autoheal throws on purpose. */
export class AutohealError extends Error {
  readonly [marker] = true;
  readonly code: AutohealErrorCode;
  readonly component: string;
  readonly retryable: boolean;
  readonly details: unknown;

  constructor(message: string, options: AutohealErrorOptions) {
    super(`[autoheal] [${options.component}] ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AutohealError';
    this.code = options.code;
    this.component = options.component;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }

  /** True for any autoheal error, even one created by another copy of this package. */
  static isInstance(error: unknown): error is AutohealError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}

/** A configuration or options object is wrong. `details` lists every wrong field. */
export class ConfigError extends AutohealError {
  constructor(message: string, options: Omit<AutohealErrorOptions, 'code'> & { code?: 'CONFIG_INVALID' | 'INPUT_INVALID' | 'COMPOSITION_INVALID' }) {
    super(message, { ...options, code: options.code ?? 'CONFIG_INVALID' });
    this.name = 'ConfigError';
  }
}

/** An adapter's backend (Prometheus, Kubernetes, Slack) failed or answered something unusable. */
export class AdapterError extends AutohealError {
  constructor(message: string, options: Omit<AutohealErrorOptions, 'code'>) {
    super(message, { ...options, code: 'ADAPTER_FAILED' });
    this.name = 'AdapterError';
  }
}

/** The risk model could not be loaded, does not match the feature schema, or failed to score. */
export class ModelError extends AutohealError {
  constructor(message: string, options: Omit<AutohealErrorOptions, 'code'> & { code?: 'MODEL_INVALID' | 'MODEL_FAILED' }) {
    super(message, { ...options, code: options.code ?? 'MODEL_INVALID' });
    this.name = 'ModelError';
  }
}

/**
 * A healing step failed, or was refused (paused Deployment, no previous revision, ...), or
 * (`STATE_CONFLICT`) a conditional state write found another state than the one expected: another
 * actor wrote it first. `details.current` is then the state found.
 */
export class HealingError extends AutohealError {
  constructor(message: string, options: Omit<AutohealErrorOptions, 'code'> & { code?: 'HEALING_FAILED' | 'HEALING_REFUSED' | 'STATE_CONFLICT' }) {
    super(message, { ...options, code: options.code ?? 'HEALING_FAILED' });
    this.name = 'HealingError';
  }
}

/** Turns anything thrown into a readable one-line message. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}

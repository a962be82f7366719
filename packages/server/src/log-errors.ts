/**
 * How errors appear in autoheal's JSON logs. pino's default `err` serializer appends the message of
 * every `cause` to the error's own message (and every cause's stack to its stack). An autoheal
 * error's message already says what its cause means — adapters wrap vendor errors into one message
 * that names the call and the fix — so appending the raw vendor text repeated it: a Kubernetes error
 * said the API server's message twice, then client-node's "Unknown API Status Code!", the response
 * body and its headers. Autoheal errors are therefore logged with their own message, and their cause
 * only by type and code; their stack (which starts with the message again) only at debug and trace
 * level, since they are thrown on purpose and the message says where and why. Any other error (an
 * unexpected one) keeps pino's serializer, stack included.
 */
import { AutohealError } from '@autoheal/core';
import pino from 'pino';

/** A cause reduced to what the wrapping message does not already say: its type and its code (HTTP status, errno). */
function causeSummary(cause: unknown): Record<string, unknown> | undefined {
  if (typeof cause !== 'object' || cause === null) return cause === undefined ? undefined : { type: typeof cause };
  const { name, code } = cause as { name?: unknown; code?: unknown };
  // The class says more than `name`, which subclasses often leave at "Error" (client-node's ApiException does).
  const className = cause.constructor?.name;
  const type = className && className !== 'Error' && className !== 'Object' ? className : typeof name === 'string' && name !== '' ? name : 'Error';
  return typeof code === 'string' || typeof code === 'number' ? { type, code } : { type };
}

/** The `err` serializer of autoheal's loggers; `stacks` adds autoheal errors' stacks (debug and trace). */
export function createErrorSerializer(options: { stacks: boolean }): (error: unknown) => unknown {
  return (error) => serializeError(error, options);
}

/** One error as {@link createErrorSerializer} logs it. */
export function serializeError(error: unknown, options: { stacks: boolean } = { stacks: false }): unknown {
  if (!AutohealError.isInstance(error)) return pino.stdSerializers.err(error as Error);
  const cause = causeSummary((error as { cause?: unknown }).cause);
  return {
    type: error.name,
    code: error.code,
    component: error.component,
    message: error.message,
    ...(error.retryable ? { retryable: true } : {}),
    ...(error.details === undefined ? {} : { details: error.details }),
    ...(cause ? { cause } : {}),
    ...(options.stacks ? { stack: error.stack } : {}),
  };
}

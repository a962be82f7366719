/**
 * Every error answer of the HTTP API, in one place. Routes throw ({@link ApiError}, a zod error, an
 * `AutohealError`) and Hapi raises its own (Boom: bad JSON, no route, body too large); this module
 * turns each into one status and one JSON body `{ error, message, fields? }`. Client mistakes never
 * become 500s, and a 500 never shows its cause to the client (it goes to the log).
 */
import type Hapi from '@hapi/hapi';
import { AutohealError, describeIssues, formatIssues, type FieldIssue } from '@autoheal/core';
import type { Logger } from 'pino';
import type { z } from 'zod';

/** The JSON body of every error answer. */
export interface ErrorBody {
  /** Machine-readable: `invalid-request`, `unauthorized`, `read-only`, `not-found`, … */
  error: string;
  /** For a person: what is wrong and how to fix it. */
  message: string;
  /** Per-field problems of an `invalid-request`. */
  fields?: FieldIssue[];
}

/** An error answer: status, body and extra headers (e.g. `WWW-Authenticate`). */
export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

const API_ERROR = Symbol.for('autoheal.server.ApiError');

/** An error a route throws on purpose, answered with exactly this status and body. */
export class ApiError extends Error {
  readonly [API_ERROR] = true;
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    /** The body's `error` field. */
    readonly code: string,
    message: string,
    readonly fields?: FieldIssue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** True for errors of this class, also across duplicated copies of the package. */
  static isInstance(value: unknown): value is ApiError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[API_ERROR] === true;
  }
}

/** A 400 `invalid-request` naming every wrong field. */
export function invalidRequest(fields: FieldIssue[], message = `the request body is invalid: ${formatIssues(fields)}`): ApiError {
  return new ApiError(400, 'invalid-request', message, fields);
}

/** A 400 `invalid-request` for a body that failed `schema.safeParse`. */
export function invalidBody(error: z.ZodError): ApiError {
  return invalidRequest(describeIssues(error));
}

function isZodError(value: unknown): value is z.ZodError {
  return value instanceof Error && value.name === 'ZodError' && Array.isArray((value as { issues?: unknown }).issues);
}

interface BoomLike {
  isBoom: true;
  message: string;
  output: { statusCode: number };
}

function isBoom(value: unknown): value is BoomLike {
  return typeof value === 'object' && value !== null && (value as { isBoom?: unknown }).isBoom === true;
}

function isFieldIssues(value: unknown): value is FieldIssue[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'object' && item !== null && 'path' in item && 'message' in item);
}

/** What {@link createErrorMapping} needs to word its answers. */
export interface ErrorMappingOptions {
  /** Named in the 413 answer of a route without a limit of its own. */
  bodyLimitBytes: number;
  /** Named in the 408 answer (a client too slow to send its request). */
  timeouts?: { headersMs: number; requestMs: number } | undefined;
  /** Where 500s go, with their cause. */
  logger: Logger;
}

/** The request an error answers: its route, and the body limit of that route when it has its own (`/predict/batch`). */
export interface ErrorRequest {
  method: string;
  path: string;
  bodyLimitBytes?: number | undefined;
}

/** Turns anything a request raised into its answer. */
export interface ErrorMapping {
  answer(error: unknown, request: ErrorRequest): ErrorAnswer;
}

/** The 408 text: what the client must do in what time (Hapi's body time-out and Node's request time-outs say the same). */
export function requestTimeoutMessage(timeouts: { headersMs: number; requestMs: number }): string {
  return `the request did not arrive in time: the headers must arrive within ${timeouts.headersMs} ms and the whole request within ${timeouts.requestMs} ms (server.timeouts)`;
}

/** 65536 → "65536 bytes (64 KiB)", for the 413 text. */
function describeBytes(bytes: number): string {
  const units: Array<[number, string]> = [
    [1024 * 1024, 'MiB'],
    [1024, 'KiB'],
  ];
  for (const [size, unit] of units) if (bytes >= size && bytes % (size / 4) === 0) return `${bytes} bytes (${bytes / size} ${unit})`;
  return `${bytes} bytes`;
}

/** Creates the mapping used by Hapi (`onPreResponse`) and by the `/predict` fast path alike. */
export function createErrorMapping(options: ErrorMappingOptions): ErrorMapping {
  const internal = (error: unknown, path: string): ErrorAnswer => {
    options.logger.error({ err: error, path }, 'request failed');
    return { status: 500, body: { error: 'internal-error', message: 'internal error; see the server log' }, headers: {} };
  };
  const answer = (status: number, error: string, message: string, fields?: FieldIssue[]): ErrorAnswer => ({
    status,
    body: fields ? { error, message, fields } : { error, message },
    headers: {},
  });

  return {
    answer(error, request) {
      // Checked before Boom: Hapi wraps whatever a handler throws into a Boom 500 in place.
      if (ApiError.isInstance(error)) {
        return { ...answer(error.status, error.code, error.message, error.fields), headers: error.headers };
      }
      if (isZodError(error)) {
        const fields = describeIssues(error);
        return answer(400, 'invalid-request', `the request body is invalid: ${formatIssues(fields)}`, fields);
      }
      if (AutohealError.isInstance(error)) {
        switch (error.code) {
          case 'INPUT_INVALID':
            return answer(400, 'invalid-request', error.message, isFieldIssues(error.details) ? error.details : undefined);
          case 'HEALING_REFUSED':
            return answer(409, 'refused', error.message);
          case 'ABORTED':
            return answer(503, 'unavailable', error.message);
          default:
            // A model that fails to score, a misconfiguration: the server's fault, not the client's.
            return internal(error, request.path);
        }
      }
      if (isBoom(error)) {
        const status = error.output.statusCode;
        if (status === 400) {
          return answer(400, 'invalid-request', /Invalid request payload JSON format/i.test(error.message) ? 'the request body is not valid JSON' : error.message);
        }
        if (status === 404) return answer(404, 'not-found', `no route ${request.method.toUpperCase()} ${request.path}; see /openapi.json`);
        if (status === 405) return answer(405, 'method-not-allowed', error.message);
        if (status === 408) return answer(408, 'request-timeout', options.timeouts ? requestTimeoutMessage(options.timeouts) : 'the request did not arrive in time');
        if (status === 413) {
          const limit = request.bodyLimitBytes ?? options.bodyLimitBytes;
          return answer(413, 'payload-too-large', `the request body is larger than ${describeBytes(limit)}, the limit of ${request.method.toUpperCase()} ${request.path}`);
        }
        if (status === 415) return answer(415, 'unsupported-media-type', 'send the body as application/json');
        if (status >= 500) return internal(error, request.path);
        return answer(status, 'error', error.message);
      }
      return internal(error, request.path);
    },
  };
}

/** Answers every error response of `server` through `mapping`. */
export function registerErrorMapping(server: Hapi.Server, mapping: ErrorMapping): void {
  server.ext('onPreResponse', (request, h) => {
    const response = request.response;
    if (!response || !('isBoom' in response) || !response.isBoom) return h.continue;
    // A route may set its own body limit (`/predict/batch` takes more than the server's default).
    const maxBytes = (request.route.settings.payload as { maxBytes?: number } | undefined)?.maxBytes;
    const { status, body, headers } = mapping.answer(response, { method: request.method, path: request.path, bodyLimitBytes: maxBytes });
    const reply = h.response(body).code(status);
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    return reply;
  });
}

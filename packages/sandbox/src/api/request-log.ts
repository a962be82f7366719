/**
 * The API server's request log, like a Kubernetes audit log at the `Request` level: who asked
 * (the authenticated user), what (method, verb, resource, name, query), the body of every write, the
 * answer's status, and when (the sandbox clock). Kept in memory, newest last, up to a limit.
 *
 * Why the sandbox keeps one: tests of a client's behaviour under faults (autoheal's chaos suite)
 * must judge from what reached the cluster, not from the client's own account of what it did —
 * e.g. "how many restart patches did each process send for attempt 2, and was it the Lease holder
 * when it sent them".
 */
import type http from 'node:http';

/** One request the API server answered. */
export interface RequestLogEntry {
  /** Order of arrival, from 1. */
  seq: number;
  /** Epoch ms (sandbox clock) when the request arrived. */
  at: number;
  /** Epoch ms (sandbox clock) when the answer was finished. */
  doneAt: number;
  /** The authenticated user: the bearer token up to its first `:` (see `request-user.ts`). */
  user: string;
  method: string;
  /** The RBAC verb (`get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, …), when it is a resource request. */
  verb?: string;
  path: string;
  /** The query string without `?` (e.g. `fieldManager=autoheal&dryRun=All`). */
  query: string;
  namespace?: string;
  /** Plural resource, e.g. `deployments`. */
  resource?: string;
  subresource?: string;
  name?: string;
  /** The HTTP status of the answer (101 for an accepted exec upgrade). */
  status: number;
  /** The request body of a write, parsed as JSON when it is JSON, else the text (absent for reads). */
  body?: unknown;
  /** `Content-Type` of the request, when it had one. */
  contentType?: string;
}

/** What the server knows about a request when it records it. */
export type RequestLogInput = Omit<RequestLogEntry, 'seq'>;

/** The log. */
export interface RequestLog {
  record(entry: RequestLogInput): void;
  /** The entries kept, oldest first (a copy). */
  entries(): RequestLogEntry[];
  /** Forgets every entry (the sequence keeps counting). */
  clear(): void;
}

/**
 * Creates a request log keeping the newest `limit` entries.
 *
 * @example
 * const log = createRequestLog({ limit: 10_000 });
 * const api = createApiServer({ store, clock, exec, requestLog: log });
 * log.entries().filter((e) => e.verb === 'patch' && e.resource === 'deployments');
 */
export function createRequestLog(options: { limit?: number } = {}): RequestLog {
  const limit = options.limit ?? 10_000;
  let kept: RequestLogEntry[] = [];
  let seq = 0;
  return {
    record(entry) {
      seq += 1;
      kept.push({ seq, ...entry });
      // Trimmed in batches so a long-running sandbox does not shift the array on every request.
      if (kept.length > limit * 1.1) kept = kept.slice(-limit);
    },
    entries: () => kept.slice(-limit),
    clear() {
      kept = [];
    },
  };
}

// The raw body of each request, kept by `readRawBody` for the log (a request's body can be read once).
const bodies = new WeakMap<http.IncomingMessage, Buffer>();

/** Remembers the body read from `request`, for the log. */
export function rememberBody(request: http.IncomingMessage, body: Buffer): void {
  bodies.set(request, body);
}

/** The body of a request as the log keeps it: JSON parsed, else text; `undefined` when none was read. */
export function loggedBody(request: http.IncomingMessage): unknown {
  const body = bodies.get(request);
  if (!body || body.length === 0) return undefined;
  const text = body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

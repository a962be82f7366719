/**
 * A small client for the autoheal server's HTTP API, with no Lit dependency: usable from any
 * page, worker or test. Uses `fetch` for requests and `EventSource` for the live decision stream.
 *
 * With a token, every request carries it (`Authorization: Bearer …`): a server with closed reads
 * needs it for the reads too. `EventSource` cannot send that header, so the stream is opened with a
 * one-time ticket the client trades its token for (`POST /api/events/tickets`), never with the
 * token in the URL, where proxies and browser history would keep it.
 */
import type { DecisionRecord, FieldError, PredictResult, ServerInfo, TargetAddress, TargetDetail, TargetList, TargetSummary } from './types.js';

const ERROR_MARKER = Symbol.for('autoheal.dashboard.ApiError');

/**
 * Every failure of the client: `status` is the HTTP status, or 0 when the server could not be
 * reached; `code` is the server's `error` field (`unauthorized`, `read-only`, `invalid-request`,
 * …) or `network` / `timeout` / `bad-response`.
 */
export class AutohealApiError extends Error {
  readonly [ERROR_MARKER] = true;
  override readonly name = 'AutohealApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    /** Per-field errors of a 400 answer. */
    readonly fields: FieldError[] = [],
  ) {
    super(message);
  }

  /** True for errors of this class, also across duplicated copies of the package. */
  static isInstance(value: unknown): value is AutohealApiError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ERROR_MARKER] === true;
  }
}

/** The arguments of `target()` and `evaluate()`: a target address, or a namespace and a name. */
type TargetArguments = [target: TargetAddress, signal?: AbortSignal] | [namespace: string, name: string, signal?: AbortSignal];

/** Options of {@link createAutohealClient}. */
export interface AutohealClientOptions {
  /** Origin (and optional path prefix) of the autoheal server, e.g. `https://autoheal.example`. Empty = same origin. */
  baseUrl: string;
  /**
   * Bearer token, sent with every request: the API token (reads and "check now"), or a viewer token
   * (reads only) for a server whose reads are closed. Without one, only an open server answers reads.
   */
  token?: string | undefined;
  /** A `fetch` to use instead of the global one, e.g. for tests. */
  fetch?: typeof fetch;
}

/** Handlers of {@link AutohealClient.subscribe}. */
export interface DecisionStreamHandlers {
  onRecord(record: DecisionRecord): void;
  /** Called with `true` when the stream opens and `false` when it drops; `retryInMs` is the wait before the next try. */
  onConnectionChange?(connected: boolean, retryInMs?: number): void;
}

/** Options of {@link AutohealClient.subscribe}. */
export interface DecisionStreamOptions {
  /** First reconnect delay in ms; doubles on every failure. @default 1000 */
  initialRetryMs?: number;
  /** Upper bound of the reconnect delay in ms. @default 30000 */
  maxRetryMs?: number;
}

/** The client returned by {@link createAutohealClient}. */
export interface AutohealClient {
  info(signal?: AbortSignal): Promise<ServerInfo>;
  targets(signal?: AbortSignal): Promise<TargetSummary[]>;
  /** `GET /api/targets` whole: the targets, and the discovered Deployments that are not evaluated. */
  targetList(signal?: AbortSignal): Promise<TargetList>;
  /**
   * One target's latest record and history. Pass the `target` of a {@link TargetSummary} (its
   * cluster goes into the URL as `?cluster=`), or a namespace and a name for a target without one.
   */
  target(target: TargetAddress, signal?: AbortSignal): Promise<TargetDetail>;
  target(namespace: string, name: string, signal?: AbortSignal): Promise<TargetDetail>;
  /**
   * Runs one evaluation now, of `target` (or of namespace/name, for a target without a cluster).
   * Needs a token; fails with 401 (bad token) or 403 (read-only server).
   */
  evaluate(target: TargetAddress, signal?: AbortSignal): Promise<DecisionRecord>;
  evaluate(namespace: string, name: string, signal?: AbortSignal): Promise<DecisionRecord>;
  /** Scores a hand-made feature vector. A 400 carries per-field errors in `fields`. */
  predict(features: Record<string, number | null>, signal?: AbortSignal): Promise<PredictResult>;
  /**
   * Opens the live decision stream and keeps it open: after a drop it reconnects with exponential
   * backoff. With a token, each connection first trades it for a one-time ticket. Returns a function
   * that closes it for good.
   */
  subscribe(handlers: DecisionStreamHandlers, options?: DecisionStreamOptions): () => void;
}

/**
 * Creates a client for one autoheal server.
 *
 * @example
 * const client = createAutohealClient({ baseUrl: 'http://127.0.0.1:8080' });
 * const targets = await client.targets();
 */
export function createAutohealClient(options: AutohealClientOptions): AutohealClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);

  async function request<T>(method: 'GET' | 'POST', path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: signal ?? null,
      });
    } catch (error) {
      if (signal?.aborted) {
        const reason: unknown = signal.reason;
        if (reason instanceof DOMException && reason.name === 'TimeoutError') {
          throw new AutohealApiError(`[autoheal] [dashboard] the autoheal server at ${base || 'this origin'} did not answer in time`, 0, 'timeout');
        }
        throw error;
      }
      // A browser reports refused connections and CORS rejections alike as a TypeError without details.
      throw new AutohealApiError(
        `[autoheal] [dashboard] cannot reach the autoheal server at ${base || 'this origin'}: is it running, and does it allow this origin (CORS)?`,
        0,
        'network',
      );
    }
    const text = await response.text();
    let payload: unknown = undefined;
    try {
      payload = text ? JSON.parse(text) : undefined;
    } catch {
      // Leave payload undefined: reported below as a bad response.
    }
    if (!response.ok) {
      const data = (payload ?? {}) as { error?: string; message?: string; fields?: Array<{ path: unknown; message: string }> };
      const fields = (data.fields ?? []).map((field) => ({
        path: Array.isArray(field.path) ? field.path.join('.') : String(field.path),
        message: field.message,
      }));
      throw new AutohealApiError(data.message ?? `${method} ${path} answered ${response.status}`, response.status, data.error ?? `http-${response.status}`, fields);
    }
    if (payload === undefined) {
      throw new AutohealApiError(`[autoheal] [dashboard] ${method} ${path} did not answer JSON`, response.status, 'bad-response');
    }
    return payload as T;
  }

  /** The path of one target (plus `suffix`), and its signal, from either form of the arguments. */
  const targetPath = (args: TargetArguments, suffix = ''): [string, AbortSignal | undefined] => {
    const byName = typeof args[0] === 'string';
    const address: TargetAddress = byName ? { namespace: args[0] as string, name: args[1] as string } : (args[0] as TargetAddress);
    const signal = (byName ? args[2] : args[1]) as AbortSignal | undefined;
    const cluster = address.cluster ? `?cluster=${encodeURIComponent(address.cluster)}` : '';
    return [`/api/targets/${encodeURIComponent(address.namespace)}/${encodeURIComponent(address.name)}${suffix}${cluster}`, signal];
  };

  return {
    info: (signal) => request<ServerInfo>('GET', '/api/info', undefined, signal),
    targets: async (signal) => (await request<{ targets: TargetSummary[] }>('GET', '/api/targets', undefined, signal)).targets,
    async targetList(signal) {
      const body = await request<Partial<TargetList> & { targets: TargetSummary[] }>('GET', '/api/targets', undefined, signal);
      return { targets: body.targets, skipped: body.skipped ?? [], notOptedIn: body.notOptedIn ?? 0 };
    },
    target: (...args: TargetArguments) => {
      const [path, signal] = targetPath(args);
      return request<TargetDetail>('GET', path, undefined, signal);
    },
    evaluate: (...args: TargetArguments) => {
      const [path, signal] = targetPath(args, '/evaluate');
      return request<DecisionRecord>('POST', path, undefined, signal);
    },
    predict: (features, signal) => request<PredictResult>('POST', '/predict', features, signal),
    subscribe(handlers, streamOptions = {}) {
      const initialRetryMs = streamOptions.initialRetryMs ?? 1000;
      const maxRetryMs = streamOptions.maxRetryMs ?? 30_000;
      let retryMs = initialRetryMs;
      let source: EventSource | null = null;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let closed = false;

      // Every failure (a refused ticket, a dropped stream) waits and opens a new stream, with a new
      // ticket: EventSource's own retry gives up for good on HTTP errors and cannot back off.
      const retryLater = () => {
        if (closed) return;
        const wait = retryMs;
        retryMs = Math.min(retryMs * 2, maxRetryMs);
        handlers.onConnectionChange?.(false, wait);
        timer = setTimeout(() => void open(), wait);
      };

      /** The stream's URL: with a token, carrying a fresh one-time ticket (none when the server's reads are open). */
      const streamUrl = async (): Promise<string | undefined> => {
        const url = `${base}/api/events`;
        if (!options.token) return url;
        try {
          const { ticket } = await request<{ ticket: string | null }>('POST', '/api/events/tickets', undefined);
          return ticket ? `${url}?ticket=${encodeURIComponent(ticket)}` : url;
        } catch (error) {
          // A server from before tickets (404) has open reads: the plain stream works.
          return AutohealApiError.isInstance(error) && error.status === 404 ? url : undefined;
        }
      };

      const open = async () => {
        if (closed) return;
        const url = await streamUrl();
        if (closed) return;
        if (url === undefined) {
          retryLater();
          return;
        }
        source = new EventSource(url);
        source.addEventListener('open', () => {
          retryMs = initialRetryMs;
          handlers.onConnectionChange?.(true);
        });
        source.addEventListener('decision', (event) => {
          try {
            handlers.onRecord(JSON.parse((event as MessageEvent<string>).data) as DecisionRecord);
          } catch {
            // A malformed record must not kill the stream; the next poll or record catches up.
          }
        });
        source.addEventListener('error', () => {
          source?.close();
          source = null;
          retryLater();
        });
      };
      void open();
      return () => {
        closed = true;
        clearTimeout(timer);
        source?.close();
        source = null;
      };
    },
  };
}

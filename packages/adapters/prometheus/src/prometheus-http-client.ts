/**
 * A small client for the Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`, `/-/ready`)
 * over undici: per-request timeouts, bounded retries with backoff on 5xx and network errors, auth
 * headers, and errors that say what to fix. Works with Prometheus, Thanos, Mimir, VictoriaMetrics
 * and managed Prometheus services (which differ only in path prefix and auth).
 */
import { AdapterError, AutohealError, errorMessage, systemClock, type Clock } from '@autoheal/core';
import { Agent, request, type Dispatcher } from 'undici';

const COMPONENT = 'prometheus';

/** How the client authenticates. Secrets never appear in errors or logs. */
export type PrometheusAuth =
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string };

/** Settings of {@link PrometheusHttpClient}; validated by the feature source's schema. */
export interface PrometheusHttpClientSettings {
  url: string;
  pathPrefix: string;
  timeoutMs: number;
  retries: number;
  retryBaseDelayMs: number;
  method: 'GET' | 'POST';
  auth?: PrometheusAuth | undefined;
  headers: Record<string, string>;
  /** An undici dispatcher to use instead of the client's own Agent (tests, proxies, custom TLS). */
  dispatcher?: Dispatcher | undefined;
  clock?: Clock | undefined;
  /**
   * Explains a failed answer that did not come from Prometheus (e.g. a Kubernetes API server's
   * Status when Prometheus is read through its service proxy); `undefined` keeps the usual message.
   */
  explainFailure?: ((status: number, body: string, method: string) => { message: string; retryable: boolean } | undefined) | undefined;
}

/** One series of an instant query result (`resultType: vector`). */
export interface InstantSample {
  labels: Record<string, string>;
  /** Sample value as Prometheus wrote it: may be NaN or ±Infinity. */
  value: number;
}

/** One series of a range query result (`resultType: matrix`). */
export interface RangeSeries {
  labels: Record<string, string>;
  /** `[epoch ms, value]` pairs in time order; values may be NaN or ±Infinity. */
  points: Array<[number, number]>;
}

/** Result of an instant query: a vector, or a scalar (returned as one series without labels). */
export type InstantResult = InstantSample[];

/** Raised by the client; `status` is the HTTP status when there was one. */
export class PrometheusRequestError extends AdapterError {
  /** HTTP status, or undefined for network errors and timeouts. */
  readonly status: number | undefined;
  /** Prometheus' own `errorType` (`bad_data`, `execution`, `timeout`, ...), when it sent one. */
  readonly prometheusErrorType: string | undefined;

  constructor(message: string, options: { status?: number; prometheusErrorType?: string; retryable: boolean; cause?: unknown }) {
    super(message, { component: COMPONENT, retryable: options.retryable, cause: options.cause });
    this.name = 'PrometheusRequestError';
    this.status = options.status;
    this.prometheusErrorType = options.prometheusErrorType;
  }
}

/** Parses Prometheus' textual sample values, including `NaN`, `+Inf` and `-Inf`. */
export function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  return Number(text);
}

interface ApiResponse {
  status?: string;
  data?: { resultType?: string; result?: unknown };
  errorType?: string;
  error?: string;
}

/**
 * The low-level client. Created by `createPrometheusFeatureSource`; exported for callers who want
 * raw PromQL (`query`, `queryRange`) with the same retries and auth.
 */
export class PrometheusHttpClient {
  readonly baseUrl: string;
  private readonly settings: PrometheusHttpClientSettings;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly clock: Clock;
  private readonly headers: Record<string, string>;
  /** Number of HTTP requests sent (retries included); useful for tests and benchmarks. */
  requestCount = 0;

  constructor(settings: PrometheusHttpClientSettings) {
    this.settings = settings;
    this.baseUrl = joinUrl(settings.url, settings.pathPrefix);
    this.clock = settings.clock ?? systemClock;
    this.ownsDispatcher = settings.dispatcher === undefined;
    // One keep-alive pool for all queries: a collection sends its queries in parallel.
    this.dispatcher = settings.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, connections: 16 });
    this.headers = { accept: 'application/json', ...lowerCaseKeys(settings.headers) };
    if (settings.auth?.type === 'bearer') this.headers.authorization = `Bearer ${settings.auth.token}`;
    if (settings.auth?.type === 'basic') {
      const encoded = Buffer.from(`${settings.auth.username}:${settings.auth.password}`).toString('base64');
      this.headers.authorization = `Basic ${encoded}`;
    }
  }

  /** Runs an instant query at `time` (epoch ms; Prometheus' "now" when omitted). */
  async query(promql: string, options: { time?: number; signal?: AbortSignal } = {}): Promise<InstantResult> {
    const params: Record<string, string> = { query: promql };
    if (options.time !== undefined) params.time = (options.time / 1000).toFixed(3);
    const data = await this.callApi('/api/v1/query', params, options.signal);
    const result = data.result;
    if (data.resultType === 'vector' && Array.isArray(result)) {
      return result.map((item: { metric?: Record<string, string>; value?: [number, string] }) => ({
        labels: item.metric ?? {},
        value: parseSampleValue(item.value?.[1] ?? 'NaN'),
      }));
    }
    if (data.resultType === 'scalar' && Array.isArray(result)) {
      return [{ labels: {}, value: parseSampleValue(String(result[1])) }];
    }
    throw new PrometheusRequestError(`query returned a "${String(data.resultType)}" result; expected an instant vector or scalar. Query: ${promql}`, { retryable: false });
  }

  /** Runs a range query from `start` to `end` (epoch ms) every `stepSeconds`. */
  async queryRange(promql: string, range: { start: number; end: number; stepSeconds: number }, options: { signal?: AbortSignal } = {}): Promise<RangeSeries[]> {
    const params = {
      query: promql,
      start: (range.start / 1000).toFixed(3),
      end: (range.end / 1000).toFixed(3),
      step: String(range.stepSeconds),
    };
    const data = await this.callApi('/api/v1/query_range', params, options.signal);
    if (data.resultType !== 'matrix' || !Array.isArray(data.result)) {
      throw new PrometheusRequestError(`range query returned a "${String(data.resultType)}" result; expected a matrix. Query: ${promql}`, { retryable: false });
    }
    return data.result.map((item: { metric?: Record<string, string>; values?: Array<[number, string]> }) => ({
      labels: item.metric ?? {},
      points: (item.values ?? []).map(([seconds, text]): [number, number] => [Math.round(seconds * 1000), parseSampleValue(text)]),
    }));
  }

  /** Resolves when `/-/ready` answers 200; else throws an `AdapterError` saying what to check. */
  async ping(options: { signal?: AbortSignal } = {}): Promise<void> {
    const response = await this.send('GET', '/-/ready', undefined, options.signal);
    if (response.status !== 200) {
      // Thanos Query, Mimir and managed services do not all serve /-/ready; buildinfo is in the API.
      const fallback = await this.send('GET', '/api/v1/status/buildinfo', undefined, options.signal);
      if (fallback.status !== 200) {
        const explained = this.settings.explainFailure?.(fallback.status, fallback.body, 'GET');
        if (explained) throw new PrometheusRequestError(`Prometheus at ${this.baseUrl} is not reachable: ${explained.message}`, { status: fallback.status, retryable: explained.retryable });
        throw new PrometheusRequestError(
          `Prometheus at ${this.baseUrl} is not ready: /-/ready answered HTTP ${response.status} and /api/v1/status/buildinfo HTTP ${fallback.status}. Check the URL, the path prefix and the credentials.`,
          { status: fallback.status, retryable: fallback.status >= 500 },
        );
      }
    }
  }

  /** Closes the client's own connection pool (not an injected dispatcher). */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async callApi(path: string, params: Record<string, string>, signal: AbortSignal | undefined): Promise<{ resultType?: string; result?: unknown }> {
    const { status, body } = await this.send(this.settings.method, path, params, signal);
    let parsed: ApiResponse | undefined;
    try {
      parsed = JSON.parse(body) as ApiResponse;
    } catch {
      parsed = undefined;
    }
    if (status === 200 && parsed?.status === 'success' && parsed.data) return parsed.data;
    const explained = status === 200 ? undefined : this.settings.explainFailure?.(status, body, this.settings.method);
    if (explained) throw new PrometheusRequestError(`${path} failed: ${explained.message}`, { status, retryable: explained.retryable });
    const detail = parsed?.error ? `${parsed.errorType ?? 'error'}: ${parsed.error}` : `HTTP ${status}: ${body.slice(0, 200)}`;
    const hint = hintForStatus(status, this.baseUrl);
    throw new PrometheusRequestError(`${path} failed (${detail}).${hint}`, {
      status,
      ...(parsed?.errorType === undefined ? {} : { prometheusErrorType: parsed.errorType }),
      retryable: status >= 500,
    });
  }

  /**
   * Sends one request with retries: 5xx and network errors are retried with exponential backoff
   * and jitter (a restarting Prometheus or an overloaded query frontend recovers in seconds); 4xx
   * answers are returned at once because repeating a broken query cannot fix it.
   */
  private async send(method: 'GET' | 'POST', path: string, params: Record<string, string> | undefined, signal: AbortSignal | undefined): Promise<{ status: number; body: string }> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.settings.retries; attempt++) {
      if (attempt > 0) {
        const backoff = this.settings.retryBaseDelayMs * 2 ** (attempt - 1);
        await this.clock.sleep(backoff / 2 + Math.random() * (backoff / 2), signal).catch((reason: unknown) => {
          throw abortedError(this.baseUrl, path, reason);
        });
      }
      try {
        const response = await this.sendOnce(method, path, params, signal);
        if (response.status < 500 || attempt === this.settings.retries) return response;
        lastError = new PrometheusRequestError(`${path} answered HTTP ${response.status}`, { status: response.status, retryable: true });
      } catch (error) {
        if (signal?.aborted) throw abortedError(this.baseUrl, path, signal.reason);
        lastError = error;
      }
    }
    if (AutohealError.isInstance(lastError)) throw lastError;
    throw new PrometheusRequestError(
      `cannot reach Prometheus at ${this.baseUrl} (${path}) after ${this.settings.retries + 1} attempt(s): ${errorMessage(lastError)}. Is Prometheus running at ${this.baseUrl}? Check the url and pathPrefix options.`,
      { retryable: true, cause: lastError },
    );
  }

  private async sendOnce(method: 'GET' | 'POST', path: string, params: Record<string, string> | undefined, signal: AbortSignal | undefined): Promise<{ status: number; body: string }> {
    this.requestCount++;
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const form = params ? new URLSearchParams(params).toString() : undefined;
    const url = method === 'GET' && form ? `${this.baseUrl}${path}?${form}` : `${this.baseUrl}${path}`;
    try {
      const response = await request(url, {
        method,
        dispatcher: this.dispatcher,
        signal: combined,
        headers: method === 'POST' && form ? { ...this.headers, 'content-type': 'application/x-www-form-urlencoded' } : this.headers,
        ...(method === 'POST' && form ? { body: form } : {}),
      });
      return { status: response.statusCode, body: await response.body.text() };
    } catch (error) {
      if (timeout.aborted && !signal?.aborted) {
        throw new PrometheusRequestError(`${path} timed out after ${this.settings.timeoutMs} ms at ${this.baseUrl}. Raise timeoutMs or simplify the query.`, { retryable: true });
      }
      throw error;
    }
  }
}

function abortedError(baseUrl: string, path: string, reason: unknown): AutohealError {
  return new AutohealError(`request to ${baseUrl}${path} was aborted by the caller (${errorMessage(reason ?? 'aborted')})`, { component: COMPONENT, code: 'ABORTED', cause: reason });
}

function hintForStatus(status: number, baseUrl: string): string {
  if (status === 401 || status === 403) return ` Check the auth option (bearer token or basic credentials) for ${baseUrl}.`;
  if (status === 404) return ` Is ${baseUrl} the Prometheus API root? Set pathPrefix for Thanos/Mimir/VictoriaMetrics set-ups (e.g. "/prometheus").`;
  if (status === 400 || status === 422) return ' The query is invalid or cannot be evaluated: fix it in the queries option.';
  if (status >= 500) return ` Prometheus at ${baseUrl} is failing or overloaded; it was retried.`;
  return '';
}

/** Joins a base URL and a path prefix without doubling or dropping slashes. */
export function joinUrl(url: string, pathPrefix: string): string {
  const base = url.replace(/\/+$/, '');
  const prefix = pathPrefix.replace(/^\/*/, '').replace(/\/+$/, '');
  return prefix ? `${base}/${prefix}` : base;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
}

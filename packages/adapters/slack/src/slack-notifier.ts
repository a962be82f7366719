/**
 * `createSlackNotifier`: posts DecisionRecords to a Slack incoming webhook, with a severity filter,
 * de-duplication of repeated states (never of transitions), and bounded retries on 429 (honouring
 * `Retry-After`) and 5xx. The webhook URL is a secret: it never appears in errors or logs.
 */
import {
  AdapterError,
  AutohealError,
  ConfigError,
  decisionKindSchema,
  parseWithSchema,
  suppressedReasonSchema,
  systemClock,
  targetKey,
  type Clock,
  type DecisionKind,
  type DecisionRecord,
  type Notifier,
} from '@autoheal/core';
import { z } from 'zod';
import { buildSlackMessage, SEVERITY_ORDER, severityOf, type Severity, type SlackMessage } from './slack-message.js';

const COMPONENT = 'slack';

/** The environment variable read when `webhookUrl` is not given (Slack's own name for it). */
export const SLACK_WEBHOOK_URL_ENV = 'SLACK_WEBHOOK_URL';

/** Schema of {@link SlackNotifierOptions}. */
export const slackNotifierOptionsSchema = z.object({
  /** The incoming webhook URL. @default process.env.SLACK_WEBHOOK_URL */
  webhookUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL (Slack: https://hooks.slack.com/services/...)' }).optional(),
  /** Decision kinds that are sent. @default ['heal', 'kept', 'handoff', 'suppressed', 'reset'] */
  decisions: z.array(decisionKindSchema).default(['heal', 'kept', 'handoff', 'suppressed', 'reset']),
  /**
   * For `suppressed` decisions, the reasons that are sent; routine ones (cooldown, in-flight,
   * recovered) are not, they would repeat every evaluation.
   * @default ['unknown', 'dry-run', 'circuit-open', 'ceiling-reached', 'refused']
   */
  suppressedReasons: z.array(suppressedReasonSchema).default(['unknown', 'dry-run', 'circuit-open', 'ceiling-reached', 'refused']),
  /** Decisions below this severity are not sent (see `severityOf`). @default 'info' */
  minSeverity: z.enum(['info', 'warning', 'critical']).default('info'),
  /**
   * A *state* (a `suppressed` decision, or `none`/`awaiting-recheck` when sent) repeating one already
   * sent for the same target (same kind, suppressed reason and step) within this window, with no
   * transition of that target in between, is not sent again. Transitions (`heal`, `kept`,
   * `handoff`, `reset`) are never held back; only the very same record (same id) is sent once.
   * `0` sends every decision. @default 600000
   */
  dedupWindowMs: z.number().int().min(0).default(600_000),
  /** Retries after a 429, a 5xx or a network error; then `notify` throws. @default 3 */
  maxRetries: z.number().int().min(0).max(10).default(3),
  /** First backoff delay in ms (doubles per retry) when Slack sends no `Retry-After`. @default 1000 */
  retryBaseDelayMs: z.number().int().min(0).default(1000),
  /** Longest wait between attempts, `Retry-After` included, in ms. @default 30000 */
  maxRetryDelayMs: z.number().int().min(0).default(30_000),
  /** Per-request time limit in ms. @default 10000 */
  timeoutMs: z.number().int().positive().default(10_000),
  /** Cluster label shown when a target has none. */
  cluster: z.string().min(1).optional(),
  /** Base URL of the autoheal dashboard; messages link to the target. */
  dashboardUrl: z.url().optional(),
  /** Injectable clock for the dedup window and backoff sleeps. @default systemClock */
  clock: z.custom<Clock>((value) => typeof value === 'object' && value !== null && typeof (value as Clock).now === 'function', 'must be a Clock').optional(),
});

/** Options of {@link createSlackNotifier} (input form: defaults optional). */
export type SlackNotifierOptions = z.input<typeof slackNotifierOptionsSchema>;

/** What `notify` did with one record (also returned by `lastResult` for observability). */
export type SlackNotifyResult =
  | { sent: true; attempts: number }
  | { sent: false; skipped: 'decision-not-sent' | 'reason-not-sent' | 'below-min-severity' | 'duplicate' };

/**
 * Decisions that change a target's state: each one is news an on-call engineer waits for, so it is
 * sent once whatever was sent before. The pipeline already emits each of them once per change.
 */
const TRANSITIONS: ReadonlySet<DecisionKind> = new Set<DecisionKind>(['heal', 'kept', 'handoff', 'reset']);

/** The state a transition announces: a handoff already says what the `ceiling-reached` suppressions after it repeat. */
const ANNOUNCED_STATE: Partial<Record<DecisionKind, Pick<DecisionRecord, 'decision' | 'suppressedReason'>>> = {
  handoff: { decision: 'suppressed', suppressedReason: 'ceiling-reached' },
};

/** The identity of a repeatable state of one target: kind, suppressed reason and step. */
function stateKey(record: Pick<DecisionRecord, 'decision' | 'suppressedReason'> & { action?: { step: string } | undefined }): string {
  // The step is part of it: a refused rollback after a refused cache clear is a new state.
  return [record.decision, record.suppressedReason ?? '', record.action?.step ?? ''].join('|');
}

/** The Notifier returned by {@link createSlackNotifier}. */
export interface SlackNotifier extends Notifier {
  readonly name: 'slack';
  notify(record: DecisionRecord, options?: { signal?: AbortSignal }): Promise<void>;
  /** What the last `notify` did: sent (after how many attempts) or skipped (why). */
  readonly lastResult: SlackNotifyResult | undefined;
  /** The message that would be posted for `record` (no I/O). */
  render(record: DecisionRecord): SlackMessage;
  close(): Promise<void>;
}

/** The part of `@slack/webhook`'s IncomingWebhook this adapter uses. */
interface WebhookClient {
  send(message: SlackMessage): Promise<unknown>;
}

/** The shape of the errors `@slack/webhook` throws (`code` plus the axios error as `original`). */
interface SlackWebhookError {
  code?: string;
  original?: { code?: string; message?: string; response?: { status?: number; headers?: Record<string, unknown>; data?: unknown } };
}

/**
 * Creates a Notifier posting to a Slack incoming webhook.
 *
 * @example
 * const notifier = createSlackNotifier({ webhookUrl: process.env.SLACK_WEBHOOK_URL, minSeverity: 'warning' });
 * await notifier.notify(record);
 */
export function createSlackNotifier(input: SlackNotifierOptions = {}): SlackNotifier {
  const options = parseWithSchema(slackNotifierOptionsSchema, input, COMPONENT, 'invalid Slack notifier options');
  const webhookUrl = options.webhookUrl ?? readWebhookUrlFromEnv();
  const clock = options.clock ?? systemClock;
  // Per target: when each state was last delivered. A transition of the target clears its entry.
  const statesSent = new Map<string, Map<string, number>>();
  // Transitions delivered (or being delivered), by record id: the same record twice is one message.
  const recordsSent = new Map<string, number>();
  let client: Promise<WebhookClient> | undefined;
  let lastResult: SlackNotifyResult | undefined;

  const redact = (text: string) => redactWebhookUrl(text, webhookUrl);

  async function webhook(): Promise<WebhookClient> {
    // Loaded on first use: axios and p-retry stay out of processes that never notify.
    client ??= import('@slack/webhook').then((module) => {
      const IncomingWebhook = module.IncomingWebhook ?? (module as unknown as { default: typeof module }).default.IncomingWebhook;
      const defaults: { timeout?: number } = { timeout: options.timeoutMs };
      const instance = new IncomingWebhook(webhookUrl, defaults);
      // IncomingWebhook copies its defaults into every payload; the timeout is already in its
      // HTTP client, so drop it from the payload Slack receives.
      delete defaults.timeout;
      return instance as unknown as WebhookClient;
    });
    return client;
  }

  function skipReason(record: DecisionRecord): SlackNotifyResult | undefined {
    if (!options.decisions.includes(record.decision)) return { sent: false, skipped: 'decision-not-sent' };
    if (record.decision === 'suppressed' && record.suppressedReason && !options.suppressedReasons.includes(record.suppressedReason)) {
      return { sent: false, skipped: 'reason-not-sent' };
    }
    if (SEVERITY_ORDER.indexOf(severityOf(record)) < SEVERITY_ORDER.indexOf(options.minSeverity as Severity)) return { sent: false, skipped: 'below-min-severity' };
    return undefined;
  }

  /** Forgets what the window no longer covers. */
  function prune(now: number): void {
    for (const [id, time] of recordsSent) if (now - time >= options.dedupWindowMs) recordsSent.delete(id);
    for (const [target, states] of statesSent) {
      for (const [key, time] of states) if (now - time >= options.dedupWindowMs) states.delete(key);
      if (states.size === 0) statesSent.delete(target);
    }
  }

  /**
   * A transition starts a new episode of its target, whether it is sent or not: the states sent
   * before it are news again (a second record with the same id is the same transition, not a new one).
   */
  function startEpisode(record: DecisionRecord): void {
    if (TRANSITIONS.has(record.decision) && !recordsSent.has(record.id)) statesSent.delete(targetKey(record.target));
  }

  /**
   * Reserves the slot of a record about to be sent (a transition by record id, a state by target
   * and state key) and returns how to give it back if delivery fails; `undefined` for a duplicate.
   */
  function reserve(record: DecisionRecord, now: number): (() => void) | undefined {
    const target = targetKey(record.target);
    if (TRANSITIONS.has(record.decision)) {
      if (recordsSent.has(record.id)) return undefined;
      recordsSent.set(record.id, now);
      const announced = ANNOUNCED_STATE[record.decision];
      if (announced) statesSent.set(target, new Map([[stateKey(announced), now]]));
      return () => {
        recordsSent.delete(record.id);
        if (announced) statesSent.get(target)?.delete(stateKey(announced));
      };
    }
    const states = statesSent.get(target) ?? new Map<string, number>();
    const key = stateKey(record);
    if (states.has(key)) return undefined;
    states.set(key, now);
    statesSent.set(target, states);
    return () => {
      if (states.get(key) === now) states.delete(key);
    };
  }

  async function post(message: SlackMessage, signal: AbortSignal | undefined): Promise<number> {
    const hook = await webhook();
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(signal);
      let failure: { retryable: boolean; delayMs: number | undefined; description: string; status: number | undefined; body: string | undefined };
      try {
        await raceAbort(hook.send(message), signal);
        return attempt + 1;
      } catch (error) {
        if (AutohealError.isInstance(error)) throw error;
        failure = describeFailure(error as SlackWebhookError);
      }
      if (!failure.retryable || attempt >= options.maxRetries) {
        throw new AdapterError(redact(failureMessage(failure, attempt + 1)), {
          component: COMPONENT,
          retryable: failure.retryable,
          // The vendor error carries the webhook URL in its request config: keep it out.
          details: { status: failure.status, attempts: attempt + 1, slackResponse: failure.body === undefined ? undefined : redact(failure.body) },
        });
      }
      const backoff = Math.min(options.retryBaseDelayMs * 2 ** attempt, options.maxRetryDelayMs);
      const delay = Math.min(failure.delayMs ?? backoff, options.maxRetryDelayMs);
      await clock.sleep(delay, signal).catch(() => throwIfAborted(signal));
    }
  }

  return {
    name: COMPONENT,
    get lastResult() {
      return lastResult;
    },
    render: (record) => buildSlackMessage(record, { cluster: options.cluster, dashboardUrl: options.dashboardUrl }),
    async notify(record, callOptions = {}) {
      const skipped = skipReason(record);
      let release: (() => void) | undefined;
      if (options.dedupWindowMs > 0) {
        const now = clock.now();
        prune(now);
        startEpisode(record);
        if (!skipped) {
          // Reserved before posting, so that a concurrent notify of the same decision is a duplicate...
          release = reserve(record, now);
          if (!release) {
            lastResult = { sent: false, skipped: 'duplicate' };
            return;
          }
        }
      }
      if (skipped) {
        lastResult = skipped;
        return;
      }
      const message = buildSlackMessage(record, { cluster: options.cluster, dashboardUrl: options.dashboardUrl });
      let attempts: number;
      try {
        attempts = await post(message, callOptions.signal);
      } catch (error) {
        // ...but only a delivered message keeps it: a failed one may be sent again.
        release?.();
        throw error;
      }
      lastResult = { sent: true, attempts };
    },
    async close() {
      statesSent.clear();
      recordsSent.clear();
    },
  };
}

function readWebhookUrlFromEnv(): string {
  const fromEnv = process.env[SLACK_WEBHOOK_URL_ENV];
  if (!fromEnv) {
    throw new ConfigError(
      `no Slack webhook URL: pass the webhookUrl option (createSlackNotifier({ webhookUrl })) or set the ${SLACK_WEBHOOK_URL_ENV} environment variable (Slack App → Incoming Webhooks → Webhook URL)`,
      { component: COMPONENT },
    );
  }
  const parsed = z.url({ protocol: /^https?$/ }).safeParse(fromEnv);
  if (!parsed.success) {
    // Do not echo the value: it may be a real, slightly malformed secret.
    throw new ConfigError(`${SLACK_WEBHOOK_URL_ENV} is not an http(s) URL: set it to the webhook URL from Slack (https://hooks.slack.com/services/...)`, { component: COMPONENT });
  }
  return fromEnv;
}

/** Replaces the webhook URL, and its secret path alone, with a marker. */
export function redactWebhookUrl(text: string, webhookUrl: string): string {
  let result = text.split(webhookUrl).join('[webhook URL redacted]');
  try {
    const { pathname } = new URL(webhookUrl);
    if (pathname.length > 1) result = result.split(pathname).join('[webhook path redacted]');
  } catch {
    // not a URL: nothing more to redact
  }
  return result;
}

function describeFailure(error: SlackWebhookError): { retryable: boolean; delayMs: number | undefined; description: string; status: number | undefined; body: string | undefined } {
  const response = error.original?.response;
  if (error.code === 'slack_webhook_http_error' && response?.status !== undefined) {
    const status = response.status;
    const body = typeof response.data === 'string' ? response.data : response.data === undefined ? undefined : JSON.stringify(response.data);
    const retryAfter = parseRetryAfter(response.headers?.['retry-after']);
    return { retryable: status === 429 || status >= 500, delayMs: retryAfter, description: `HTTP ${status}${body ? ` ${truncateBody(body)}` : ''}`, status, body };
  }
  // No response: connection refused, reset, DNS, timeout. Worth another try.
  const code = error.original?.code;
  const description = code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'the request timed out' : `network error ${code ?? ''}`.trim();
  return { retryable: true, delayMs: undefined, description, status: undefined, body: undefined };
}

function failureMessage(failure: { description: string; status: number | undefined; body: string | undefined }, attempts: number): string {
  const base = `posting to the Slack webhook failed after ${attempts} attempt(s): ${failure.description}.`;
  if (failure.status === 404 || failure.body?.includes('no_service')) {
    return `${base} Slack does not know this webhook (no_service): check the webhook URL (webhookUrl option or SLACK_WEBHOOK_URL; Slack App → Incoming Webhooks) — it may be mistyped or revoked.`;
  }
  if (failure.status === 403 || failure.body?.includes('action_prohibited') || failure.body?.includes('invalid_token')) {
    return `${base} The webhook was refused (revoked, or the app was removed from the channel): create a new webhook in the Slack App.`;
  }
  if (failure.status === 400) return `${base} Slack rejected the message body; this is a bug in @autoheal/adapter-slack, please report it with the response above.`;
  if (failure.status === 429) return `${base} Slack is rate-limiting this webhook: send fewer messages (raise minSeverity or dedupWindowMs).`;
  if (failure.status !== undefined && failure.status >= 500) return `${base} Slack is failing; notifications will resume when it recovers.`;
  return `${base} Check that the webhook host is reachable from here.`;
}

function truncateBody(body: string): string {
  return body.length > 200 ? `${body.slice(0, 199)}…` : body;
}

/** `Retry-After` in seconds (or an HTTP date), as milliseconds. */
export function parseRetryAfter(value: unknown): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' && typeof text !== 'number') return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(String(text));
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new AutohealError('notification aborted by the caller', { component: COMPONENT, code: 'ABORTED' });
  }
}

/** Rejects when `signal` aborts; the webhook client has no abort support of its own. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AutohealError('notification aborted by the caller', { component: COMPONENT, code: 'ABORTED' }));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

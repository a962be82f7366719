/**
 * One bounded queue per audience of the decision records (each notifier, the healer's Event
 * recorder), delivered in order by one worker, each delivery with a time limit and a few retries.
 *
 * Why queues: a notification awaited inside the evaluation made a hanging Slack webhook stall the
 * whole watch loop (~47 s per round). Now an evaluation only enqueues; a slow receiver delays only
 * its own messages, and when its queue is full the newest record is dropped (counted, and reported
 * to `onError`) rather than holding healing back. Timers are the runtime's own (`setTimeout`,
 * `AbortSignal.timeout`), not the pipeline's clock: a delivery's time limit is real time even when
 * a test drives the ladder with a fake clock.
 */
import { AdapterError, AutohealError } from '../errors.js';
import type { DecisionRecord } from '../decision.js';

/** How each audience's queue behaves. */
export interface DeliverySettings {
  /** Records waiting per audience; the newest is dropped when full. */
  capacity: number;
  /** Further tries of a delivery that failed with a retryable error or timed out. */
  retries: number;
  /** Wait before the first retry (doubled for each further one), in ms. */
  retryDelayMs: number;
  /** Time limit of one delivery, in ms; the audience's signal is aborted then. */
  timeoutMs: number;
}

/** What one audience's queue has done so far (for metrics). */
export interface DeliveryStats {
  /** `notifier:<name>` or `healer:recordDecision`. */
  audience: string;
  /** Records waiting now (the one being delivered included). */
  depth: number;
  delivered: number;
  /** Dropped: the queue was full, or still waiting when the pipeline closed. */
  dropped: number;
  /** Retries after a retryable failure or a time-out. */
  retried: number;
  /** Gave up after the retries (each reported to `onError`). */
  failed: number;
}

/** One audience's queue. */
export interface DeliveryQueue {
  /** Adds a record; never waits, never throws. */
  enqueue(record: DecisionRecord): void;
  /** Resolves when nothing is waiting or being delivered. */
  idle(): Promise<void>;
  /** Stops: the delivery in progress is aborted and what is still waiting is counted as dropped. */
  abort(): void;
  stats(): DeliveryStats;
}

/** Rejects when `signal` aborts, so an audience that ignores its signal cannot hold the worker. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error)),
    );
  });
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Creates the queue of one audience. `deliver` receives the signal to honour (time limit, close).
 *
 * @example
 * const queue = createDeliveryQueue('notifier:slack', (record, signal) => slack.notify(record, { signal }), settings, reportError);
 * queue.enqueue(record);
 */
export function createDeliveryQueue(
  audience: string,
  deliver: (record: DecisionRecord, signal: AbortSignal) => Promise<void>,
  settings: DeliverySettings,
  reportError: (error: unknown, record: DecisionRecord) => void,
): DeliveryQueue {
  const waiting: DecisionRecord[] = [];
  const stopping = new AbortController();
  const counts = { delivered: 0, dropped: 0, retried: 0, failed: 0 };
  let delivering = false;
  let idleWaiters: Array<() => void> = [];

  function drop(record: DecisionRecord, why: string): void {
    counts.dropped += 1;
    // The first drop and then every hundredth: a receiver that hangs for an hour must not flood the log.
    if (counts.dropped === 1 || counts.dropped % 100 === 0) {
      reportError(new AdapterError(`${audience}: ${why}; ${counts.dropped} record(s) dropped so far`, { component: 'pipeline' }), record);
    }
  }

  async function deliverOne(record: DecisionRecord): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (stopping.signal.aborted) return drop(record, 'the pipeline closed before this record was delivered');
      const timeout = AbortSignal.timeout(settings.timeoutMs);
      const signal = AbortSignal.any([timeout, stopping.signal]);
      try {
        // Called at once (no await before it), so an audience that records synchronously has done so
        // by the time `publish` returns.
        await untilAborted(deliver(record, signal), signal);
        counts.delivered += 1;
        return;
      } catch (error) {
        if (stopping.signal.aborted) {
          drop(record, 'the pipeline closed before this record was delivered');
          return;
        }
        const timedOut = timeout.aborted;
        const retryable = timedOut || (AutohealError.isInstance(error) && error.retryable);
        if (retryable && attempt < settings.retries) {
          counts.retried += 1;
          await pause(settings.retryDelayMs * 2 ** attempt, stopping.signal);
          continue;
        }
        counts.failed += 1;
        reportError(timedOut ? new AdapterError(`${audience}: no answer within ${settings.timeoutMs} ms`, { component: 'pipeline', cause: error }) : error, record);
        return;
      }
    }
  }

  async function pump(): Promise<void> {
    delivering = true;
    try {
      while (waiting.length > 0 && !stopping.signal.aborted) {
        await deliverOne(waiting[0]!);
        waiting.shift();
      }
    } finally {
      delivering = false;
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  return {
    enqueue(record) {
      if (stopping.signal.aborted) return drop(record, 'the pipeline is closed');
      if (waiting.length >= settings.capacity) return drop(record, `queue full (${settings.capacity} waiting): the receiver is slow or down`);
      waiting.push(record);
      if (!delivering) void pump();
    },
    idle() {
      if (!delivering && waiting.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    abort() {
      if (stopping.signal.aborted) return;
      stopping.abort(new AdapterError(`${audience}: delivery stopped (the pipeline closed)`, { component: 'pipeline' }));
      // The record being delivered is counted by its worker; the ones behind it here.
      for (const record of waiting.slice(delivering ? 1 : 0)) drop(record, 'the pipeline closed before this record was delivered');
      waiting.length = delivering ? 1 : 0;
    },
    stats: () => ({ audience, depth: waiting.length, ...counts }),
  };
}

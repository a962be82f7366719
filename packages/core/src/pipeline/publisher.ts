/**
 * Hands every DecisionRecord to its audiences: `subscribe` listeners (the server's history,
 * metrics and live stream), the notifiers (Slack, logs) and the healer's recorder (the Kubernetes
 * Event). A failing audience is reported to `onError` alone; it never fails the evaluation and never
 * keeps the others from hearing.
 *
 * Why the notifiers and the recorder are off the hot path: they talk to slow remote services. Each
 * has its own bounded queue (`delivery-queue.ts`), so publishing never waits for them and a slow
 * receiver delays only its own messages. Listeners are in-process and synchronous, and run at once.
 * `drain` (called by `pipeline.close()`) waits for the queues within a bound, so a CI run does not
 * exit before Slack is told.
 */
import type { DecisionRecord } from '../decision.js';
import type { Healer } from '../interfaces/healer.js';
import type { Notifier } from '../interfaces/notifier.js';
import { createDeliveryQueue, type DeliveryQueue, type DeliverySettings, type DeliveryStats } from './delivery-queue.js';
import type { PipelineErrorContext } from './types.js';

export interface Publisher {
  /** Runs the listeners and enqueues the record for every other audience; never waits for them, never throws. */
  publish(record: DecisionRecord): void;
  /** Adds a listener of every record; returns the function that removes it. */
  subscribe(listener: (record: DecisionRecord) => void): () => void;
  /** Resolves when every queue is empty, or after `timeoutMs` (the queues keep going). */
  flush(timeoutMs?: number): Promise<void>;
  /**
   * Waits up to `timeoutMs` for every queue to empty, then stops them: what is still in flight is
   * aborted and what is still waiting is counted as dropped.
   */
  drain(timeoutMs: number): Promise<void>;
  /** Per audience: queue depth, delivered, dropped, retried, failed. */
  stats(): DeliveryStats[];
}

/** Resolves after `ms` without keeping the process alive for it. */
function boundedBy(ms: number): { done: Promise<void>; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const done = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    (timer as { unref?: () => void }).unref?.();
  });
  return { done, cancel: () => clearTimeout(timer) };
}

/**
 * Creates the publisher.
 *
 * @example
 * const publisher = createPublisher({ notifiers, healer, reportError, delivery: { capacity: 100, retries: 2, retryDelayMs: 1000, timeoutMs: 30_000 } });
 * publisher.publish(record);
 * await publisher.drain(10_000);
 */
export function createPublisher(parts: {
  notifiers: readonly Notifier[];
  healer: Healer;
  reportError(error: unknown, context: PipelineErrorContext): void;
  delivery: DeliverySettings;
}): Publisher {
  const { notifiers, healer, reportError, delivery } = parts;
  const listeners = new Set<(record: DecisionRecord) => void>();
  const queue = (component: string, deliver: (record: DecisionRecord, signal: AbortSignal) => Promise<void>): DeliveryQueue =>
    createDeliveryQueue(component, deliver, delivery, (error, record) => reportError(error, { component, target: record.target, record }));
  const queues: DeliveryQueue[] = notifiers.map((notifier) => queue(`notifier:${notifier.name}`, (record, signal) => notifier.notify(record, { signal })));
  if (healer.recordDecision) {
    const record = healer.recordDecision.bind(healer);
    queues.push(queue('healer:recordDecision', (decision, signal) => record(decision, { signal })));
  }

  const allIdle = () => Promise.all(queues.map((q) => q.idle())).then(() => undefined);

  async function flush(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    if (!Number.isFinite(timeoutMs)) return allIdle();
    const bound = boundedBy(timeoutMs);
    await Promise.race([allIdle(), bound.done]);
    bound.cancel();
  }

  return {
    publish(record) {
      for (const listener of listeners) {
        try {
          listener(record);
        } catch (error) {
          reportError(error, { component: 'subscriber', target: record.target, record });
        }
      }
      for (const q of queues) q.enqueue(record);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    flush,
    async drain(timeoutMs) {
      await flush(timeoutMs);
      for (const q of queues) q.abort();
      await allIdle();
    },
    stats: () => queues.map((q) => q.stats()),
  };
}

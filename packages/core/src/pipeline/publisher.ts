/**
 * Hands every DecisionRecord to its audiences: `subscribe` listeners (the server's history,
 * metrics and live stream), the notifiers (Slack, logs) and the healer's recorder (the Kubernetes
 * Event). A failing audience is reported to `onError` alone; it never fails the evaluation and never
 * keeps the others from hearing.
 */
import type { DecisionRecord } from '../decision.js';
import type { Healer } from '../interfaces/healer.js';
import type { Notifier } from '../interfaces/notifier.js';
import type { PipelineErrorContext } from './types.js';

export interface Publisher {
  /** Sends one record to every audience; resolves when each has answered (never rejects). */
  publish(record: DecisionRecord): Promise<void>;
  /** Adds a listener of every record; returns the function that removes it. */
  subscribe(listener: (record: DecisionRecord) => void): () => void;
}

/**
 * Creates the publisher.
 *
 * @example
 * const publisher = createPublisher({ notifiers, healer, reportError });
 * await publisher.publish(record);
 */
export function createPublisher(parts: { notifiers: readonly Notifier[]; healer: Healer; reportError(error: unknown, context: PipelineErrorContext): void }): Publisher {
  const { notifiers, healer, reportError } = parts;
  const listeners = new Set<(record: DecisionRecord) => void>();

  async function publish(record: DecisionRecord): Promise<void> {
    for (const listener of listeners) {
      try {
        listener(record);
      } catch (error) {
        reportError(error, { component: 'subscriber', target: record.target, record });
      }
    }
    const deliveries: Array<{ component: string; deliver: () => Promise<void> }> = notifiers.map((notifier) => ({
      component: `notifier:${notifier.name}`,
      deliver: () => notifier.notify(record),
    }));
    if (healer.recordDecision) deliveries.push({ component: 'healer:recordDecision', deliver: () => healer.recordDecision!(record) });
    // Awaited (so a CI run does not exit before Slack is told), but never rejected: each failure is reported alone.
    await Promise.all(
      deliveries.map(async ({ component, deliver }) => {
        try {
          await deliver();
        } catch (error) {
          reportError(error, { component, target: record.target, record });
        }
      }),
    );
  }

  return {
    publish,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

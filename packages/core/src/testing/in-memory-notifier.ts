/**
 * A Notifier that keeps what it was told, for tests and demos. It can be made to fail, to check
 * that a broken notifier never blocks healing.
 */
import { z } from 'zod';
import type { DecisionRecord } from '../decision.js';
import { AdapterError, AutohealError } from '../errors.js';
import type { Notifier } from '../interfaces/notifier.js';
import { parseWithSchema } from '../validation.js';

/** Options of {@link createInMemoryNotifier}. */
export interface InMemoryNotifierOptions {
  /** @default 'in-memory' */
  name?: string;
  /** Fail every `notify` with this error from the start (see also `failWith`). @default undefined */
  failWith?: unknown;
}

/** The in-memory notifier, with handles for tests. */
export interface InMemoryNotifier extends Notifier {
  /** Every record delivered successfully, in order. */
  readonly records: DecisionRecord[];
  /** Makes every following `notify` reject with `error` (`null` to stop failing). */
  failWith(error: unknown): void;
  /** How many times `notify` was called, failed calls included. */
  readonly notifyCount: number;
  /** Whether `close()` was called. */
  readonly closed: boolean;
}

const optionsSchema = z.object({
  name: z.string().min(1, 'must not be empty').default('in-memory'),
  failWith: z.unknown().optional(),
});

/**
 * Creates an in-memory Notifier.
 *
 * @example
 * const notifier = createInMemoryNotifier();
 * // ... run the pipeline ...
 * expect(notifier.records.map((r) => r.decision)).toEqual(['heal', 'awaiting-recheck', 'kept']);
 */
export function createInMemoryNotifier(options: InMemoryNotifierOptions = {}): InMemoryNotifier {
  const parsed = parseWithSchema(optionsSchema, options, 'in-memory', 'invalid in-memory notifier options');
  const records: DecisionRecord[] = [];
  let failure: unknown = parsed.failWith ?? null;
  let notifyCount = 0;
  let closed = false;

  return {
    name: parsed.name,
    records,
    async notify(record, callOptions) {
      notifyCount += 1;
      if (callOptions?.signal?.aborted) {
        throw new AutohealError('notify aborted before it started', { component: parsed.name, code: 'ABORTED', cause: callOptions.signal.reason });
      }
      if (failure !== null) {
        throw AutohealError.isInstance(failure)
          ? failure
          : new AdapterError(`notify failed: ${failure instanceof Error ? failure.message : String(failure)}`, { component: parsed.name, cause: failure });
      }
      records.push(record);
    },
    async close() {
      closed = true;
    },
    failWith(error) {
      failure = error;
    },
    get notifyCount() {
      return notifyCount;
    },
    get closed() {
      return closed;
    },
  };
}

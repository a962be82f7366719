/**
 * A controllable clock for tests: time only moves when the test calls `advance`, so re-check delays,
 * cooldowns and circuit-breaker windows are tested in microseconds, without sleeping.
 */
import type { Clock } from '../clock.js';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { parseWithSchema } from '../validation.js';

const startMsSchema = z.number({ error: 'must be a number of epoch milliseconds, e.g. Date.parse("2026-01-01T00:00:00Z")' }).refine(Number.isFinite, 'must be a finite number of epoch milliseconds');

/** A {@link Clock} whose time is moved by the test. */
export interface FakeClock extends Clock {
  /**
   * Moves time forward by `ms`. Every `sleep` that falls due is resolved in order of its due time
   * (ties in the order they were started), and pending promise callbacks are allowed to run after
   * each one, so code woken by a timer can schedule the next timer before the clock moves on.
   */
  advance(ms: number): Promise<void>;
  /** Lets pending promise callbacks run without moving time. */
  settle(): Promise<void>;
  /** How many `sleep` calls are waiting. Useful to wait until a loop has gone to sleep. */
  pendingSleeps(): number;
}

interface PendingSleep {
  dueAt: number;
  order: number;
  resolve: () => void;
}

/**
 * Yields to the event loop once. A macrotask lets every queued microtask (promise callback) run,
 * however long the chain of awaits is.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Creates a fake clock starting at `startMs` (epoch ms).
 *
 * `sleep(ms)` with `ms <= 0` resolves at once; otherwise it resolves when `advance` moves the clock
 * to its due time. An aborted signal rejects the sleep with the signal's reason, as the system
 * clock does.
 *
 * @param startMs Epoch milliseconds the clock starts at. @default 1_700_000_000_000
 * @example
 * const clock = createFakeClock(Date.parse('2026-01-01T00:00:00Z'));
 * const waiting = clock.sleep(1000);
 * await clock.advance(1000); // `waiting` is now resolved
 */
export function createFakeClock(startMs = 1_700_000_000_000): FakeClock {
  let now = parseWithSchema(startMsSchema, startMs, 'testing', 'createFakeClock: invalid startMs');
  let nextOrder = 0;
  const pending: PendingSleep[] = [];

  function takeNextDue(until: number): PendingSleep | undefined {
    let best: PendingSleep | undefined;
    for (const sleeper of pending) {
      if (sleeper.dueAt > until) continue;
      if (!best || sleeper.dueAt < best.dueAt || (sleeper.dueAt === best.dueAt && sleeper.order < best.order)) best = sleeper;
    }
    if (best) pending.splice(pending.indexOf(best), 1);
    return best;
  }

  return {
    now: () => now,
    sleep(ms, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (ms <= 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const sleeper: PendingSleep = {
          dueAt: now + ms,
          order: nextOrder++,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          const index = pending.indexOf(sleeper);
          if (index >= 0) pending.splice(index, 1);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        pending.push(sleeper);
      });
    },
    async advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) {
        throw new ConfigError(`advance: ms must be a finite number >= 0, got ${String(ms)}`, { component: 'testing' });
      }
      const until = now + ms;
      await yieldToEventLoop();
      for (let sleeper = takeNextDue(until); sleeper; sleeper = takeNextDue(until)) {
        now = Math.max(now, sleeper.dueAt);
        sleeper.resolve();
        // Let the woken code run (and maybe start a new sleep) before looking for the next timer.
        await yieldToEventLoop();
      }
      now = until;
      await yieldToEventLoop();
    },
    settle: yieldToEventLoop,
    pendingSleeps: () => pending.length,
  };
}

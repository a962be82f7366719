/**
 * Core's `Clock` over the simulation's virtual time. `now()` is the simulation's clock; a `sleep`
 * ends only when the simulation has been advanced past it (`release()` after every advance). The
 * pipeline sleeps only for a step's time limit, which the step's own end cancels: an action takes
 * no virtual time, as a quick API call takes next to none of a 15-second evaluation interval.
 */
import type { Clock } from '@autoheal/core';

/** A clock driven by the simulation. */
export interface SimulationClock extends Clock {
  /** Ends the sleeps that are due at the simulation's current time. */
  release(): void;
  /** Sleeps not yet ended (for tests). */
  pending(): number;
}

interface Sleeper {
  at: number;
  resolve: () => void;
}

/** Creates the clock over `now` (the sandbox's virtual clock). */
export function createSimulationClock(now: () => number): SimulationClock {
  const sleepers = new Set<Sleeper>();
  return {
    now,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const sleeper: Sleeper = {
          at: now() + ms,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          sleepers.delete(sleeper);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        if (ms <= 0) sleeper.resolve();
        else sleepers.add(sleeper);
      });
    },
    release() {
      const current = now();
      for (const sleeper of [...sleepers]) {
        if (sleeper.at > current) continue;
        sleepers.delete(sleeper);
        sleeper.resolve();
      }
    },
    pending: () => sleepers.size,
  };
}

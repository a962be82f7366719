/**
 * The cluster-wide circuit breaker: at most `maxActions` applied steps across all targets in any
 * sliding window of `windowMs`. It protects the cluster from a model or signal that suddenly says
 * "everything is at risk" — healing twenty Deployments at once is an outage, not a remedy.
 *
 * Why the window can live outside the process: a breaker kept in memory forgets on restart (a
 * crash-looping autoheal, or a restart mid-storm, would get a fresh allowance every time) and binds
 * only its own process (a CI `autoheal run` next to the server would not count). With a
 * {@link CircuitStore} (the Kubernetes adapter keeps one in a ConfigMap) the window is shared and
 * every slot is taken with a compare-and-swap in the store, so two processes cannot both take the
 * last one. When the store cannot be read or written the breaker fails closed: no step is taken,
 * and the state says why (`unavailable`).
 *
 * Without a store the window lives in memory, as it always did (an SDK user with one process).
 */
import { errorMessage } from '../errors.js';
import type { HealStepKind } from '../healing.js';
import type { CircuitStore } from '../interfaces/circuit-store.js';

/** The breaker's state at one moment. */
export interface CircuitState {
  /** True when no further step may be taken until older steps leave the window (or the store answers again). */
  open: boolean;
  actionsInWindow: number;
  maxActions: number;
  /** Why the shared window could not be read or written: the breaker fails closed until it can. */
  unavailable?: string;
}

/** Who takes a slot (recorded in the shared window, for people reading it). */
export interface SlotOwner {
  target: string;
  holder: string;
  step?: HealStepKind;
}

/** A sliding-window counter of applied steps. */
export interface CircuitBreaker {
  /** The state at `now` (epoch ms), as of the last read of the shared window plus this process's own slots. */
  state(now: number): CircuitState;
  /**
   * Reads the shared window again (no-op without a store; at most once per `refreshMs`, and
   * concurrent callers share one read). Never rejects: a failed read opens the breaker until the
   * next good one.
   */
  refresh(now: number, signal?: AbortSignal): Promise<void>;
  /**
   * Takes one slot at `now` if the breaker is closed (`force`: even when it is open — an operator's
   * forced step still counts, so the automatic loop sees it in the window). The local check and
   * reservation happen in one synchronous step, so two evaluations of this process cannot both take
   * the last slot; the store's compare-and-swap does the same across processes. `why` says why no
   * slot was taken (or, for a forced step the store could not count, that it was not counted).
   */
  acquire(now: number, owner: SlotOwner, options?: { force?: boolean; signal?: AbortSignal }): Promise<{ taken: boolean; why?: string }>;
}

/** Options of {@link createCircuitBreaker}. */
export interface CircuitBreakerOptions {
  maxActions: number;
  windowMs: number;
  /** Steps already taken elsewhere (epoch ms), e.g. read from Kubernetes Events; ignored with a store, which holds them. */
  priorActionTimes?: readonly number[];
  /** Where the window is shared; in memory when absent. */
  store?: CircuitStore;
  /** Longest time a read of the shared window is reused. @default 1000 */
  refreshMs?: number;
}

/**
 * Creates a circuit breaker.
 *
 * @example
 * const breaker = createCircuitBreaker({ maxActions: 5, windowMs: 3_600_000 });
 * const { taken } = await breaker.acquire(clock.now(), { target: 'prod/backend', holder: 'autoheal-0' });
 * if (taken) await healer.apply(target, plan);
 */
export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const { maxActions, windowMs, store, refreshMs = 1_000 } = options;
  // Times of the steps in the window, oldest first: the store's as last read (or this process's own
  // without a store), plus slots this process is taking right now.
  let known: number[] = store ? [] : [...(options.priorActionTimes ?? [])].filter(Number.isFinite).sort((a, b) => a - b);
  let pending = 0;
  let unavailable: string | undefined;
  let lastRead = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | undefined;

  const inWindow = (now: number) => {
    known = known.filter((time) => time > now - windowMs);
    return known.length + pending;
  };

  const state = (now: number): CircuitState => {
    const actionsInWindow = inWindow(now);
    return { open: unavailable !== undefined || actionsInWindow >= maxActions, actionsInWindow, maxActions, ...(unavailable ? { unavailable } : {}) };
  };

  function refresh(now: number, signal?: AbortSignal): Promise<void> {
    if (!store) return Promise.resolve();
    if (reading) return reading;
    if (unavailable === undefined && now - lastRead < refreshMs) return Promise.resolve();
    reading = (async () => {
      try {
        const slots = await store.read({ signal });
        known = slots.map((slot) => slot.at).sort((a, b) => a - b);
        unavailable = undefined;
        lastRead = now;
      } catch (error) {
        unavailable = `the shared circuit breaker (${store.name}) could not be read: ${errorMessage(error)}`;
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  }

  async function acquire(now: number, owner: SlotOwner, acquireOptions: { force?: boolean; signal?: AbortSignal } = {}): Promise<{ taken: boolean; why?: string }> {
    const force = acquireOptions.force === true;
    const before = state(now);
    if (!force && before.open) {
      return { taken: false, why: before.unavailable ?? `circuit breaker open (${before.actionsInWindow}/${maxActions} steps in the last ${windowMs} ms)` };
    }
    if (!store) {
      known.push(now);
      return { taken: true };
    }
    pending += 1;
    try {
      const result = await store.take({ at: now, ...owner }, { maxActions, windowMs, force }, { signal: acquireOptions.signal });
      known = result.slots.map((slot) => slot.at).sort((a, b) => a - b);
      unavailable = undefined;
      lastRead = now;
      if (result.taken) return { taken: true };
      return { taken: false, why: `circuit breaker open (${inWindow(now)}/${maxActions} steps in the last ${windowMs} ms, counted across every autoheal process)` };
    } catch (error) {
      unavailable = `the shared circuit breaker (${store.name}) could not be updated: ${errorMessage(error)}`;
      // A forced step is past the breaker by the operator's choice; it goes ahead, uncounted, and says so.
      if (force) return { taken: true, why: `${unavailable}; the forced step is not counted` };
      return { taken: false, why: `${unavailable}; failing closed` };
    } finally {
      pending -= 1;
    }
  }

  return { state, refresh, acquire };
}

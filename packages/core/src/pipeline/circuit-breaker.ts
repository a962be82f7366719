/**
 * The cluster-wide circuit breaker: at most `maxActions` applied steps across all targets in any
 * sliding window of `windowMs`. It protects the cluster from a model or signal that suddenly says
 * "everything is at risk" — healing twenty Deployments at once is an outage, not a remedy.
 *
 * The window lives in memory: after a restart of autoheal it starts empty. That is deliberate (the
 * per-target cooldown and re-check, which are persisted with the ladder state, still hold).
 */

/** The breaker's state at one moment. */
export interface CircuitState {
  /** True when no further step may be taken until older steps leave the window. */
  open: boolean;
  actionsInWindow: number;
  maxActions: number;
}

/** A sliding-window counter of applied steps. */
export interface CircuitBreaker {
  /** The state at `now` (epoch ms). */
  state(now: number): CircuitState;
  /**
   * Takes one slot at `now` if the breaker is closed; returns false (and takes nothing) if it is
   * open. Checking and taking happen in one synchronous call, so two targets evaluated at the same
   * time cannot both take the last slot.
   */
  tryAcquire(now: number): boolean;
  /**
   * Takes one slot at `now` even when the breaker is open: an operator's forced step
   * (`healNow` with `force`) still counts, so the automatic loop sees it in the window.
   */
  record(now: number): void;
}

/**
 * Creates a circuit breaker.
 *
 * `priorActionTimes` (epoch ms) are steps already taken elsewhere, e.g. read from Kubernetes Events.
 *
 * @example
 * const breaker = createCircuitBreaker({ maxActions: 5, windowMs: 3_600_000 });
 * if (breaker.tryAcquire(clock.now())) await healer.apply(target, plan);
 */
export function createCircuitBreaker(options: { maxActions: number; windowMs: number }, priorActionTimes: readonly number[] = []): CircuitBreaker {
  const { maxActions, windowMs } = options;
  // Times of the steps still in the window, oldest first. A fresh process (the operator CLI) may
  // start from steps read back from the cluster, since the running server's window is not visible.
  const actionTimes: number[] = [...priorActionTimes].filter(Number.isFinite).sort((a, b) => a - b);

  function dropExpired(now: number): void {
    while (actionTimes.length > 0 && actionTimes[0]! <= now - windowMs) actionTimes.shift();
  }

  return {
    state(now) {
      dropExpired(now);
      return { open: actionTimes.length >= maxActions, actionsInWindow: actionTimes.length, maxActions };
    },
    tryAcquire(now) {
      dropExpired(now);
      if (actionTimes.length >= maxActions) return false;
      actionTimes.push(now);
      return true;
    },
    record(now) {
      dropExpired(now);
      actionTimes.push(now);
    },
  };
}

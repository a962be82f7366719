/**
 * The two clocks of the sandbox. The simulation reads time only through `SandboxClock.now()`:
 * a virtual clock is moved by `advance()` (fast, deterministic), a real clock follows the wall.
 */
/** The sandbox's notion of now: virtual (stepped by the simulation) or real (wall clock). */
export interface SandboxClock {
  now(): number; // epoch milliseconds
}

/** A clock that only moves when told to. */
export interface VirtualClock extends SandboxClock {
  readonly kind: 'virtual';
  /** Moves time forward by `milliseconds` (never backwards). */
  advanceBy(milliseconds: number): void;
}

/** The wall clock. */
export interface RealClock extends SandboxClock {
  readonly kind: 'real';
}

/** Midnight UTC on 1 January 2025: the default start of virtual time, so runs are reproducible. */
export const defaultVirtualStartTime = Date.UTC(2025, 0, 1);

/** Creates a virtual clock starting at `startTime` (epoch ms). */
export function createVirtualClock(startTime: number = defaultVirtualStartTime): VirtualClock {
  let now = startTime;
  return {
    kind: 'virtual',
    now: () => now,
    advanceBy(milliseconds) {
      if (milliseconds < 0) throw new RangeError('[autoheal] [sandbox] a virtual clock cannot go backwards');
      now += milliseconds;
    },
  };
}

/** Creates a clock that reads the wall time. */
export function createRealClock(): RealClock {
  return { kind: 'real', now: () => Date.now() };
}

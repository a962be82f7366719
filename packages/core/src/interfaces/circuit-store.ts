import type { HealStepKind } from '../healing.js';
import type { CallOptions } from './call-options.js';

/** One step counted by the circuit breaker. */
export interface CircuitSlot {
  /** Epoch ms when the step was taken. */
  at: number;
  /** `namespace/name` of the target. */
  target: string;
  /** Identity of the process that took it. */
  holder: string;
  step?: HealStepKind;
}

/** The window's limits, as the process taking a slot sees them (its policy). */
export interface CircuitLimits {
  maxActions: number;
  windowMs: number;
  /** Take the slot even when the window is full (an operator's forced step still counts). */
  force?: boolean;
}

/**
 * Where the circuit breaker's window is shared, so that it survives a restart of autoheal and binds
 * every process that acts on the cluster (`serve`, `watch`, `run`, the operator commands). Without a
 * store the window lives in the process's memory.
 */
export interface CircuitStore {
  readonly name: string;
  /** The steps in the window, oldest first. A failure rejects: the breaker then fails closed. */
  read(options?: CallOptions): Promise<CircuitSlot[]>;
  /**
   * Adds `slot` if fewer than `limits.maxActions` steps are in the window ending at `slot.at` (or
   * always, with `force`), as one compare-and-swap: of two processes racing for the last slot, one
   * gets `taken: false`. Resolves with the window after the attempt. A failure rejects.
   */
  take(slot: CircuitSlot, limits: CircuitLimits, options?: CallOptions): Promise<{ taken: boolean; slots: CircuitSlot[] }>;
}

/**
 * The random numbers scenarios are drawn with (mulberry32): tiny, seeded, and independent of the
 * simulation's own generators, so drawing a catalogue never changes how a simulation behaves.
 * The sequence is part of the contract: the shipped model's training runs are drawn with it.
 */

/** Deterministic random numbers. */
export interface ScenarioRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [low, high). */
  between(low: number, high: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
}

/** Creates a generator from a 32-bit seed. */
export function createScenarioRandom(seed: number): ScenarioRandom {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 2 ** 32;
  };
  return {
    next,
    between: (low, high) => low + (high - low) * next(),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
  };
}

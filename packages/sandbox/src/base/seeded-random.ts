/**
 * A small seeded pseudo-random generator. The simulation never uses `Math.random`: every random
 * choice (noise, pod name suffixes, uids, readiness flaps) comes from one of these, so the same
 * seed always replays the same run.
 */

/** A deterministic source of random numbers. */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, exclusiveMax). */
  integer(exclusiveMax: number): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** Standard normal (mean 0, deviation 1), Box–Muller. */
  normal(): number;
  /** `length` characters drawn from `alphabet`. */
  characters(alphabet: string, length: number): string;
  /** A version-4-shaped UUID built from this generator. */
  uuid(): string;
  /** A new generator whose sequence depends on this one's seed and `label` only. */
  fork(label: string): SeededRandom;
}

/** FNV-1a over a string, used to derive sub-seeds from labels. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * Creates a generator (mulberry32: 32-bit state, fast, good enough for simulation noise).
 *
 * @example
 * const random = createSeededRandom(42);
 * random.between(0.9, 1.1);
 */
export function createSeededRandom(seed: number): SeededRandom {
  const initialSeed = seed >>> 0;
  let state = initialSeed;

  function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  }

  const random: SeededRandom = {
    next,
    integer: (exclusiveMax) => Math.floor(next() * exclusiveMax),
    between: (min, max) => min + next() * (max - min),
    normal() {
      // 1 - next() is in (0, 1], so the logarithm is finite.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      return radius * Math.cos(2 * Math.PI * next());
    },
    characters(alphabet, length) {
      let text = '';
      for (let index = 0; index < length; index += 1) text += alphabet[Math.floor(next() * alphabet.length)];
      return text;
    },
    uuid() {
      const hex = random.characters('0123456789abcdef', 32);
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    },
    fork: (label) => createSeededRandom((hashString(label) ^ Math.imul(initialSeed, 0x9e3779b1)) >>> 0),
  };
  return random;
}

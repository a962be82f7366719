/**
 * The built-in load generator: how many requests per second reach a Deployment at a given time.
 * Load = mean × diurnal swing × slow noise × occasional healthy swings × fault spikes, plus a surge's
 * own traffic. Everything
 * random comes from the Deployment's own seeded generator, so adding a Deployment does not change
 * the others' traffic.
 */
import type { SeededRandom } from '../base/seeded-random.js';

const dayMs = 24 * 60 * 60 * 1000;

/** The traffic state of one Deployment. */
export interface LoadGenerator {
  /** Mean requests per second (what `setLoad` changes). */
  meanRequestsPerSecond: number;
  /**
   * Advances the noise by `dtSeconds` and returns the requests per second at `now`: the organic
   * load times `spikeFactor`, plus `extraRequestsPerSecond` (a surge's own traffic, which the
   * organic swings do not scale).
   */
  step(now: number, dtSeconds: number, spikeFactor: number, extraRequestsPerSecond?: number): number;
  /** The last value `step` returned. */
  readonly current: number;
}

/**
 * Creates a generator. The diurnal peak is placed at a random hour per Deployment; healthy swings
 * (±40–80%, 5–30 minutes) start on average every two hours, which gives the trainer realistic
 * "busy but fine" periods.
 */
export function createLoadGenerator(meanRequestsPerSecond: number, random: SeededRandom): LoadGenerator {
  const diurnalPhase = random.next();
  const diurnalAmplitude = random.between(0.15, 0.35);
  let logNoise = 0;
  let swingFactor = 1;
  let swingEndsAt = 0;
  let current = meanRequestsPerSecond;
  return {
    meanRequestsPerSecond,
    get current() {
      return current;
    },
    step(now, dtSeconds, spikeFactor, extraRequestsPerSecond = 0) {
      // Ornstein–Uhlenbeck noise on the log of the load: wanders, then returns to the mean.
      const decay = Math.exp(-dtSeconds / 120);
      logNoise = logNoise * decay + Math.sqrt(1 - decay * decay) * 0.08 * random.normal();
      if (now >= swingEndsAt) swingFactor = 1;
      if (swingFactor === 1 && random.next() < dtSeconds / 7200) {
        swingFactor = random.next() < 0.6 ? random.between(1.4, 1.8) : random.between(0.4, 0.7);
        swingEndsAt = now + random.between(5, 30) * 60_000;
      }
      const diurnal = 1 + diurnalAmplitude * Math.sin(2 * Math.PI * ((now % dayMs) / dayMs + diurnalPhase));
      // Adding 0 leaves every earlier run's load bit for bit as it was (model v1's data).
      current = this.meanRequestsPerSecond * diurnal * Math.exp(logNoise) * swingFactor * spikeFactor + extraRequestsPerSecond;
      return current;
    },
  };
}

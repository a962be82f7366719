/** The detection rule's trees, row by row: what fires, the near misses, and NaN that never fires. */
import { describe, expect, it } from 'vitest';
import { detectionTrees, DETECTION_LOG_ODDS, errorRatioBands, type DetectionRule } from './detection-trees.js';
import { predictRaw } from './gbdt.js';

const COLUMNS = ['ready', 'errors', 'restarts', 'errorExit', 'oomKilled', 'requestsPerSecond', 'errorRise'] as const;
const at = (name: (typeof COLUMNS)[number]) => COLUMNS.indexOf(name);
const RULE: DetectionRule = {
  readyFeature: at('ready'),
  errorFeature: at('errors'),
  minReadyRatio: 0.5,
  maxErrorRatio: 0.05,
  restartsFeature: at('restarts'),
  errorExitFeature: at('errorExit'),
  oomKilledFeature: at('oomKilled'),
  minRestartsPerPod: 1,
  minExitedPodRatio: 0.5,
  requestsFeature: at('requestsPerSecond'),
  rateWindowSeconds: 120,
  errorRiseFeature: at('errorRise'),
};
const model = { baseScore: 0, trees: detectionTrees(RULE), featureCount: COLUMNS.length };
const CALM: Record<(typeof COLUMNS)[number], number> = { ready: 1, errors: 0.001, restarts: 0, errorExit: 0, oomKilled: 0, requestsPerSecond: 500, errorRise: 0 };
const fires = (change: Partial<typeof CALM>) => predictRaw(model, COLUMNS.map((name) => ({ ...CALM, ...change })[name])) >= DETECTION_LOG_ODDS;

describe('detectionTrees', () => {
  const cases: Array<[string, Partial<typeof CALM>, boolean]> = [
    ['a calm row', {}, false],
    ['ready below the objective', { ready: 0.25 }, true],
    ['errors above the objective', { errors: 0.2 }, true],
    ['a crash loop of error exits', { restarts: 2, errorExit: 1 }, true],
    ['an OOM crash loop', { restarts: 1, oomKilled: 0.5 }, true],
    ['near miss: one restart per pod, no exit reason', { restarts: 1 }, false],
    ['NaN ready never fires', { ready: Number.NaN }, false],
    ['NaN errors never fire', { errors: Number.NaN }, false],
    // Counting noise: 0.14 req/s is 17 requests in 2 minutes, one failed reads 5.9%.
    ['near miss: one failed request in 17 (5.9%) at 0.14 req/s', { errors: 1 / 17, requestsPerSecond: 0.14 }, false],
    ['a tiny service failing a third of its requests', { errors: 0.33, requestsPerSecond: 0.14 }, true],
    ['near miss: 6% at 5 req/s (600 requests, 2 SE = 1.8 points)', { errors: 0.06, requestsPerSecond: 5 }, false],
    ['7% at 5 req/s', { errors: 0.07, requestsPerSecond: 5 }, true],
    ['5.1% at 500 req/s (the objective itself from 40,000 requests)', { errors: 0.051, requestsPerSecond: 500 }, true],
    ['near miss: exactly the objective at 500 req/s', { errors: 0.05, requestsPerSecond: 500 }, false],
    ['a missing request rate takes the strictest band', { errors: 0.2, requestsPerSecond: Number.NaN }, false],
    ['5.1% at 8.5 req/s, risen 3 points above its own level beyond noise', { errors: 0.051, requestsPerSecond: 8.5, errorRise: 0.03 }, true],
    ['near miss: 5.1% at 8.5 req/s, no rise beyond noise', { errors: 0.051, requestsPerSecond: 8.5, errorRise: 0 }, false],
    ['near miss: risen, but under the objective', { errors: 0.049, requestsPerSecond: 8.5, errorRise: 0.03 }, false],
    ['near miss: 5.1% at 8.5 req/s with no history for a rise', { errors: 0.051, requestsPerSecond: 8.5, errorRise: Number.NaN }, false],
  ];
  it.each(cases)('%s → fires: %s', (_name, change, expected) => {
    expect(fires(change)).toBe(expected);
  });

  it('has error-ratio limits that fall as the requests grow, two standard errors above the objective, down to the objective', () => {
    const bands = errorRatioBands(0.05, 120);
    expect(bands[0]).toEqual({ minRequestsPerSecond: 5 / 120, maxErrorRatio: 0.05 + 2 * Math.sqrt((0.05 * 0.95) / 5) });
    for (let i = 1; i < bands.length; i++) {
      expect(bands[i]!.minRequestsPerSecond).toBeGreaterThan(bands[i - 1]!.minRequestsPerSecond);
      expect(bands[i]!.maxErrorRatio).toBeLessThan(bands[i - 1]!.maxErrorRatio);
    }
    expect(bands.at(-1)).toEqual({ minRequestsPerSecond: 40_000 / 120, maxErrorRatio: 0.05 });
  });

  it('fires on the error ratio monotonically: at any request rate, a higher ratio never stops it firing', () => {
    for (const requestsPerSecond of [0.05, 0.14, 0.5, 2, 5, 20, 100, 400, 5000]) {
      let fired = false;
      for (let errors = 0; errors <= 1; errors += 0.005) {
        const now = fires({ errors, requestsPerSecond });
        expect(fired && !now).toBe(false);
        fired = now;
      }
      expect(fired).toBe(true);
    }
  });

  it('adds nothing to a row none of its rules fire on, and the log-odds once per rule that fires', () => {
    expect(predictRaw(model, COLUMNS.map((name) => CALM[name]))).toBe(0);
    expect(predictRaw(model, COLUMNS.map((name) => ({ ...CALM, ready: 0, errors: 0.5 })[name]))).toBe(2 * DETECTION_LOG_ODDS);
  });
});

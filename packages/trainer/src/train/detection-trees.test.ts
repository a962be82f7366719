/** The detection rule's trees, row by row: what fires, the near misses, and NaN that never fires. */
import { describe, expect, it } from 'vitest';
import { detectionTrees, DETECTION_LOG_ODDS, type DetectionRule } from './detection-trees.js';
import { predictRaw } from './gbdt.js';

const COLUMNS = ['ready', 'errors', 'restarts', 'errorExit', 'oomKilled', 'memory', 'minutes'] as const;
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
  memoryLimitFeature: at('memory'),
  minutesToLimitFeature: at('minutes'),
  minMemoryLimitRatio: 0.8,
  maxMinutesToLimit: 5,
};
const model = { baseScore: 0, trees: detectionTrees(RULE), featureCount: COLUMNS.length };
const CALM: Record<(typeof COLUMNS)[number], number> = { ready: 1, errors: 0.001, restarts: 0, errorExit: 0, oomKilled: 0, memory: 0.4, minutes: 60 };
const fires = (change: Partial<typeof CALM>) => predictRaw(model, COLUMNS.map((name) => ({ ...CALM, ...change })[name])) >= DETECTION_LOG_ODDS;

describe('detectionTrees', () => {
  const cases: Array<[string, Partial<typeof CALM>, boolean]> = [
    ['a calm row', {}, false],
    ['ready below the objective', { ready: 0.25 }, true],
    ['errors above the objective', { errors: 0.2 }, true],
    ['a crash loop of error exits', { restarts: 2, errorExit: 1 }, true],
    ['an OOM crash loop', { restarts: 1, oomKilled: 0.5 }, true],
    ['near miss: one restart per pod, no exit reason', { restarts: 1 }, false],
    // npm run demo --fault memory-leak: 95% of the limit, reached in 26 s; the learned trees said 0.38.
    ['an imminent OOM kill: 95% of the limit, reached in under a minute', { memory: 0.955, minutes: 0.43 }, true],
    ['an imminent OOM kill at the floor: 80% of the limit, reached in 5 min', { memory: 0.8, minutes: 5 }, true],
    ['near miss: 95% of the limit and flat (a full heap, a warm cache)', { memory: 0.95, minutes: 60 }, false],
    ['near miss: a steep climb far below the limit (a pod warming up)', { memory: 0.4, minutes: 1 }, false],
    ['near miss: just under the floor', { memory: 0.79, minutes: 1 }, false],
    ['near miss: just beyond the horizon', { memory: 0.9, minutes: 5.1 }, false],
    ['NaN memory never fires', { memory: Number.NaN, minutes: 0.5 }, false],
    ['NaN minutes never fire', { memory: 0.95, minutes: Number.NaN }, false],
    ['NaN ready never fires', { ready: Number.NaN }, false],
    ['NaN errors never fire', { errors: Number.NaN }, false],
  ];
  it.each(cases)('%s → fires: %s', (_name, change, expected) => {
    expect(fires(change)).toBe(expected);
  });

  it('adds nothing to a row none of its rules fire on, and the log-odds once per rule that fires', () => {
    expect(predictRaw(model, COLUMNS.map((name) => CALM[name]))).toBe(0);
    expect(predictRaw(model, COLUMNS.map((name) => ({ ...CALM, ready: 0, memory: 0.99, minutes: 0.1 })[name]))).toBe(2 * DETECTION_LOG_ODDS);
  });
});

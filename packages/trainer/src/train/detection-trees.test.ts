/** The detection rule's trees, row by row: what fires, the near misses, and NaN that never fires. */
import { describe, expect, it } from 'vitest';
import { detectionTrees, DETECTION_LOG_ODDS, type DetectionRule } from './detection-trees.js';
import { predictRaw } from './gbdt.js';

const COLUMNS = ['ready', 'errors', 'restarts', 'errorExit', 'oomKilled'] as const;
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
};
const model = { baseScore: 0, trees: detectionTrees(RULE), featureCount: COLUMNS.length };
const CALM: Record<(typeof COLUMNS)[number], number> = { ready: 1, errors: 0.001, restarts: 0, errorExit: 0, oomKilled: 0 };
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
  ];
  it.each(cases)('%s → fires: %s', (_name, change, expected) => {
    expect(fires(change)).toBe(expected);
  });

  it('adds nothing to a row none of its rules fire on, and the log-odds once per rule that fires', () => {
    expect(predictRaw(model, COLUMNS.map((name) => CALM[name]))).toBe(0);
    expect(predictRaw(model, COLUMNS.map((name) => ({ ...CALM, ready: 0, errors: 0.5 })[name]))).toBe(2 * DETECTION_LOG_ODDS);
  });
});

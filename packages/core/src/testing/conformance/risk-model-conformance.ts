/**
 * The RiskModel contract as vitest tests. Every RiskModel adapter runs it, and so does the
 * in-memory model.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURES, type FeatureVector } from '../../features.js';
import type { RiskModel } from '../../interfaces/risk-model.js';
import { AT_RISK_FEATURES, HEALTHY_FEATURES } from '../fixtures.js';
import { runConformanceCheck, type ConformanceCheck } from './conformance-check.js';

/** What the factory of {@link describeRiskModelConformance} returns. */
export interface RiskModelFixture {
  model: RiskModel;
  /**
   * Vectors to score. @default a healthy and an at-risk vector of the default features (other
   * feature names get 0)
   */
  vectors?: FeatureVector[];
  cleanup?: () => Promise<void> | void;
}

/** The harmful default features: more of them must never lower the risk. */
const HARMFUL_DEFAULT_FEATURES = Object.values(DEFAULT_FEATURES)
  .filter((definition) => definition.direction === 'harmful')
  .map((definition) => definition.name);

/** Fills `featureNames` from `source`, with 0 for names it does not know. */
function vectorFor(featureNames: readonly string[], source: Readonly<FeatureVector>): FeatureVector {
  return Object.fromEntries(featureNames.map((name) => [name, source[name] ?? 0]));
}

function defaultVectors(model: RiskModel): FeatureVector[] {
  return [vectorFor(model.featureNames, HEALTHY_FEATURES), vectorFor(model.featureNames, AT_RISK_FEATURES)];
}

/**
 * The RiskModel contract, one check per entry; each check receives a fresh fixture. Exported so that
 * tests can show a broken implementation fails them.
 */
export const riskModelConformanceChecks: ReadonlyArray<ConformanceCheck<RiskModelFixture>> = [
  {
    name: 'has a non-empty name, version and feature list',
    run: async ({ model }) => {
      expect(model.name.length).toBeGreaterThan(0);
      expect(model.version.length).toBeGreaterThan(0);
      expect(model.featureNames.length).toBeGreaterThan(0);
    },
  },
  {
    name: 'scores every vector with a probability in [0, 1]',
    run: async ({ model, vectors }) => {
      for (const vector of vectors ?? defaultVectors(model)) {
        const { probability } = await model.score(vector);

        expect(probability).toBeGreaterThanOrEqual(0);
        expect(probability).toBeLessThanOrEqual(1);
      }
    },
  },
  {
    name: 'scoreBatch returns, in order, what score returns for each row',
    run: async ({ model, vectors }) => {
      const rows = vectors ?? defaultVectors(model);
      const singles: number[] = [];
      for (const row of rows) singles.push((await model.score(row)).probability);

      const batch = await model.scoreBatch(rows);

      expect(batch).toHaveLength(rows.length);
      batch.forEach((score, index) => expect(score.probability).toBeCloseTo(singles[index]!, 6));
    },
  },
  {
    name: 'scoreBatch of no vectors returns an empty list',
    run: async ({ model }) => {
      await expect(model.scoreBatch([])).resolves.toEqual([]);
    },
  },
  {
    name: 'never lowers the probability when a harmful default feature grows',
    run: async ({ model }) => {
      const base = vectorFor(model.featureNames, HEALTHY_FEATURES);
      for (const feature of HARMFUL_DEFAULT_FEATURES.filter((f) => model.featureNames.includes(f))) {
        const probabilities: number[] = [];
        for (const value of [0, 1, 2, 5, 10, 50]) probabilities.push((await model.score({ ...base, [feature]: value })).probability);

        probabilities.slice(1).forEach((probability, index) => {
          expect(probability, `${feature}: probabilities ${probabilities.join(', ')} must not decrease`).toBeGreaterThanOrEqual(probabilities[index]! - 1e-9);
        });
      }
    },
  },
  {
    name: 'names only its own features in contributions, with finite numbers',
    run: async ({ model, vectors }) => {
      for (const vector of vectors ?? defaultVectors(model)) {
        const { contributions = [] } = await model.score(vector);

        for (const contribution of contributions) {
          expect(model.featureNames).toContain(contribution.feature);
          expect(Number.isFinite(contribution.contribution)).toBe(true);
        }
      }
    },
  },
];

/**
 * Registers the RiskModel conformance tests. The factory is called once per test.
 *
 * @example
 * describeRiskModelConformance('onnx', async () => ({ model: await createOnnxRiskModel({ path: 'models/risk.onnx' }) }));
 */
export function describeRiskModelConformance(name: string, factory: () => Promise<RiskModelFixture>): void {
  describe(`RiskModel conformance: ${name}`, () => {
    for (const check of riskModelConformanceChecks) it(check.name, () => runConformanceCheck(factory, check));
  });
}

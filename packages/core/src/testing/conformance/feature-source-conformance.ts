/**
 * The FeatureSource contract as vitest tests. Every FeatureSource adapter runs it, and so does the
 * in-memory source, which keeps the double honest.
 */
import { describe, expect, it } from 'vitest';
import type { FeatureObservation } from '../../features.js';
import type { FeatureSource } from '../../interfaces/feature-source.js';
import { targetKey, type TargetRef } from '../../target.js';
import { runConformanceCheck, type ConformanceCheck } from './conformance-check.js';

/** What the factory of {@link describeFeatureSourceConformance} returns. */
export interface FeatureSourceFixture {
  source: FeatureSource;
  /** A target the source can collect. */
  target: TargetRef;
  /**
   * More targets, ideally with different values, so the order of `collectMany` is checked.
   * @default []
   */
  otherTargets?: TargetRef[];
  cleanup?: () => Promise<void> | void;
}

function expectWellFormed(observation: FeatureObservation, source: FeatureSource, target: TargetRef): void {
  expect(targetKey(observation.target)).toBe(targetKey(target));
  expect(Number.isFinite(observation.observedAt)).toBe(true);
  for (const feature of source.featureNames) {
    const value = observation.values[feature];
    expect(value === null || (typeof value === 'number' && Number.isFinite(value)), `feature "${feature}" must be a finite number or null, got ${String(value)}`).toBe(true);
    if (value === null) {
      expect(observation.missing.map((m) => m.feature), `feature "${feature}" is null, so it needs a "missing" entry with a reason`).toContain(feature);
    }
  }
  for (const entry of observation.missing) {
    expect(observation.values[entry.feature], `"missing" names "${entry.feature}", whose value must then be null`).toBeNull();
    expect(entry.reason.length).toBeGreaterThan(0);
  }
}

/**
 * The FeatureSource contract, one check per entry; each check receives a fresh fixture. Exported so that
 * tests can show a broken implementation fails them.
 */
export const featureSourceConformanceChecks: ReadonlyArray<ConformanceCheck<FeatureSourceFixture>> = [
  {
    name: 'has a non-empty name',
    run: async ({ source }) => {
      expect(typeof source.name).toBe('string');
      expect(source.name.length).toBeGreaterThan(0);
    },
  },
  {
    name: 'declares at least one feature name, without duplicates',
    run: async ({ source }) => {
      expect(source.featureNames.length).toBeGreaterThan(0);
      expect(new Set(source.featureNames).size).toBe(source.featureNames.length);
    },
  },
  {
    name: 'collect returns a number or null for every feature, with a missing entry for each null',
    run: async ({ source, target }) => {
      const observation = await source.collect(target);

      expectWellFormed(observation, source, target);
    },
  },
  {
    name: 'collectMany preserves the order of the targets and matches collect',
    run: async ({ source, target, otherTargets = [] }) => {
      const targets = [target, ...otherTargets];
      const singles: FeatureObservation[] = [];
      for (const t of targets) singles.push(await source.collect(t));

      const many = await source.collectMany(targets);

      expect(many.map((o) => targetKey(o.target))).toEqual(targets.map(targetKey));
      many.forEach((observation, index) => {
        expectWellFormed(observation, source, targets[index]!);
        expect(observation.values).toEqual(singles[index]!.values);
      });
    },
  },
  {
    name: 'collectMany of no targets returns an empty list',
    run: async ({ source }) => {
      await expect(source.collectMany([])).resolves.toEqual([]);
    },
  },
  {
    name: 'collect rejects when the signal is already aborted',
    run: async ({ source, target }) => {
      const controller = new AbortController();
      controller.abort(new Error('test abort'));

      await expect(source.collect(target, { signal: controller.signal })).rejects.toBeDefined();
    },
  },
];

/**
 * Registers the FeatureSource conformance tests. The factory is called once per test; give it
 * stable data (recorded responses, a fixed evaluation time) since `collect` and `collectMany`
 * results are compared.
 *
 * @example
 * describeFeatureSourceConformance('prometheus', async () => ({
 *   source: createPrometheusFeatureSource({ url: server.url }),
 *   target: { namespace: 'prod', kind: 'Deployment', name: 'backend' },
 * }));
 */
export function describeFeatureSourceConformance(name: string, factory: () => Promise<FeatureSourceFixture>): void {
  describe(`FeatureSource conformance: ${name}`, () => {
    for (const check of featureSourceConformanceChecks) it(check.name, () => runConformanceCheck(factory, check));
  });
}

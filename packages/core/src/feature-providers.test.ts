import { describe, expect, it } from 'vitest';
import { describeMissingFeatures, featureSetNames, featureSetNamesFor, featureSetsOf, parseFeatureSetId } from './feature-providers.js';
import { FEATURE_SET_V2_FIRST_LENGTH, FEATURE_SET_V2_NAMES } from './feature-set-v2.js';
import { DEFAULT_FEATURE_NAMES } from './features.js';

describe('feature sets', () => {
  it('expects a v2 model trained before features were appended to take exactly their first names', () => {
    const first = FEATURE_SET_V2_NAMES.slice(0, FEATURE_SET_V2_FIRST_LENGTH);
    expect(featureSetNamesFor('v2', first)).toEqual(first);
    expect(featureSetNamesFor('v2', FEATURE_SET_V2_NAMES)).toBe(FEATURE_SET_V2_NAMES);
    // Shorter than the first v2 models, reordered, or another set: the whole set is expected (and the model refused).
    expect(featureSetNamesFor('v2', first.slice(0, 10))).toBe(FEATURE_SET_V2_NAMES);
    expect(featureSetNamesFor('v2', [...first].reverse())).toBe(FEATURE_SET_V2_NAMES);
    expect(featureSetNamesFor('seed', DEFAULT_FEATURE_NAMES.slice(0, 3))).toBe(DEFAULT_FEATURE_NAMES);
  });

  it('reads a model without feature_set as seed, and v2 under either of its names', () => {
    expect(parseFeatureSetId(undefined)).toBe('seed');
    expect(parseFeatureSetId('v1')).toBe('seed');
    expect(parseFeatureSetId('v2')).toBe('v2');
    expect(parseFeatureSetId('autoheal/v2')).toBe('v2');
    expect(parseFeatureSetId('v3')).toBeUndefined();
  });

  it('names the sets a list of features needs, a shared name counting for neither alone', () => {
    expect(featureSetsOf(DEFAULT_FEATURE_NAMES)).toEqual(['seed']);
    expect(featureSetsOf(FEATURE_SET_V2_NAMES)).toEqual(['v2']);
    expect(featureSetsOf([...DEFAULT_FEATURE_NAMES, ...FEATURE_SET_V2_NAMES])).toEqual(['seed', 'v2']);
    expect(featureSetsOf(['ready_replica_ratio'])).toEqual(['seed']);
    expect(featureSetNames('v2')).toBe(FEATURE_SET_V2_NAMES);
  });

  it('groups missing features by set, each with what provides it', () => {
    const message = describeMissingFeatures(['cpu_usage_pct', 'memory_limit_ratio', 'queue_depth']);
    expect(message).toMatch(/seed feature\(s\) cpu_usage_pct — /);
    expect(message).toMatch(/feature set v2: memory_limit_ratio — the Prometheus adapter computes them when its featureNames option lists them/);
    expect(message).toMatch(/other feature\(s\) queue_depth — .*queries option/);
  });
});

import { describe, expect, it } from 'vitest';
import { FEATURE_SET_V2, FEATURE_SET_V2_NAMES, MEMORY_MINUTES_TO_LIMIT_CAP, RELEASE_AGE_MINUTES_CAP } from './feature-set-v2.js';
import { DEFAULT_FEATURES, DEFAULT_FEATURE_NAMES, completeFeatureVectorSchema, featureDefinition, featureVectorSchema } from './features.js';
import { FEATURE_BASE_SIGNALS, isDerivableFeature } from './derive-features.js';
import { MISSING_RULES } from './missing-explanations.js';

describe('feature set v2', () => {
  it('has a fixed order of unique names, each with its own definition', () => {
    expect(new Set(FEATURE_SET_V2_NAMES).size).toBe(FEATURE_SET_V2_NAMES.length);
    expect(Object.keys(FEATURE_SET_V2)).toEqual([...FEATURE_SET_V2_NAMES]);
    for (const name of FEATURE_SET_V2_NAMES) {
      const definition = FEATURE_SET_V2[name];
      expect(definition.name).toBe(name);
      expect(definition.sources.length).toBeGreaterThan(0);
      expect(definition.promql.length).toBeGreaterThan(0);
      if (definition.cap !== undefined) expect(definition.max).toBe(definition.cap);
    }
  });

  it('shares the ready ratio with the seed set and leaves the seven seed definitions as they were', () => {
    expect(FEATURE_SET_V2_NAMES).toContain('ready_replica_ratio');
    expect(featureDefinition('ready_replica_ratio')).toBe(DEFAULT_FEATURES.ready_replica_ratio);
    expect(DEFAULT_FEATURE_NAMES).toHaveLength(7);
  });

  it('can derive every seed and v2 feature, and every rule names a known feature', () => {
    for (const name of [...DEFAULT_FEATURE_NAMES, ...FEATURE_SET_V2_NAMES]) expect(isDerivableFeature(name)).toBe(true);
    const known = new Set<string>([...DEFAULT_FEATURE_NAMES, ...FEATURE_SET_V2_NAMES]);
    for (const [feature, rules] of Object.entries(MISSING_RULES)) {
      expect(known.has(feature)).toBe(true);
      for (const rule of rules) if (rule.when) expect(known.has(rule.when.feature)).toBe(true);
    }
    for (const feature of Object.keys(FEATURE_BASE_SIGNALS)) expect(known.has(feature)).toBe(true);
  });

  it('validates v2 vectors against each feature\'s range, naming the field and the unit', () => {
    const schema = completeFeatureVectorSchema(FEATURE_SET_V2_NAMES);
    const healthy = Object.fromEntries(FEATURE_SET_V2_NAMES.map((name) => [name, 0]));
    expect(schema.safeParse(healthy).success).toBe(true);
    const result = schema.safeParse({ ...healthy, http_error_ratio: 1.5, memory_minutes_to_limit: MEMORY_MINUTES_TO_LIMIT_CAP + 1, release_age_minutes: RELEASE_AGE_MINUTES_CAP });
    expect(result.success).toBe(false);
    const issues = result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(issues).toEqual(['http_error_ratio: must be <= 1 (ratio)', `memory_minutes_to_limit: must be <= ${MEMORY_MINUTES_TO_LIMIT_CAP} (minutes)`]);
    expect(featureVectorSchema(FEATURE_SET_V2_NAMES).safeParse({ ...healthy, memory_limit_ratio: null }).success).toBe(true);
  });
});

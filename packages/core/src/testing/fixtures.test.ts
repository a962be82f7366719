import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_NAMES } from '../features.js';
import { FEATURE_SET_V2_NAMES } from '../feature-set-v2.js';
import { HEALTHY_FEATURES, HEALTHY_FEATURES_V2 } from './fixtures.js';

describe('healthy vectors', () => {
  it('name exactly the features of their set, so a test spreading one scores a complete vector', () => {
    expect(Object.keys(HEALTHY_FEATURES).sort()).toEqual([...DEFAULT_FEATURE_NAMES].sort());
    expect(Object.keys(HEALTHY_FEATURES_V2).sort()).toEqual([...FEATURE_SET_V2_NAMES].sort());
  });
});

/**
 * @autoheal/core/testing — in-memory doubles of every interface, a fake clock, fixtures, and the
 * conformance suites every adapter runs (the suites need vitest, an optional peer dependency).
 */
export { createFakeClock, type FakeClock } from './fake-clock.js';
export {
  createInMemoryFeatureSource,
  type FeatureValuesFunction,
  type InMemoryFeatureSource,
  type InMemoryFeatureSourceOptions,
} from './in-memory-feature-source.js';
export { createInMemoryRiskModel, IN_MEMORY_RISK_MODEL, type InMemoryRiskModel, type InMemoryRiskModelOptions } from './in-memory-risk-model.js';
export {
  createInMemoryHealer,
  type AppliedStep,
  type HealStepPredicate,
  type InMemoryHealer,
  type InMemoryHealerOptions,
  type PlannedStep,
} from './in-memory-healer.js';
export { createInMemoryNotifier, type InMemoryNotifier, type InMemoryNotifierOptions } from './in-memory-notifier.js';
export { createInMemoryCircuitStore, type InMemoryCircuitStore } from './in-memory-circuit-store.js';
export { AT_RISK_FEATURES, HEALTHY_FEATURES, HEALTHY_FEATURES_V2, makeDecisionRecord } from './fixtures.js';
export * from './conformance/index.js';

/** The conformance suites, one per interface. They import vitest; import them only from tests. */
export { runConformanceCheck, type ConformanceCheck } from './conformance-check.js';
export { describeFeatureSourceConformance, featureSourceConformanceChecks, type FeatureSourceFixture } from './feature-source-conformance.js';
export { describeRiskModelConformance, riskModelConformanceChecks, type RiskModelFixture } from './risk-model-conformance.js';
export { describeHealerConformance, healerConformanceChecks, type HealerFixture } from './healer-conformance.js';
export { describeNotifierConformance, notifierConformanceChecks, type NotifierFixture } from './notifier-conformance.js';

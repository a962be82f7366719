/** The conformance suites, one per interface. They import vitest; import them only from tests. */
export { describeFeatureSourceConformance, type FeatureSourceFixture } from './feature-source-conformance.js';
export { describeRiskModelConformance, type RiskModelFixture } from './risk-model-conformance.js';
export { describeHealerConformance, type HealerFixture } from './healer-conformance.js';
export { describeNotifierConformance, type NotifierFixture } from './notifier-conformance.js';

import { describeFeatureSourceConformance, describeHealerConformance, describeNotifierConformance, describeRiskModelConformance } from './conformance/index.js';
import { AT_RISK_FEATURES, HEALTHY_FEATURES } from './fixtures.js';
import { createInMemoryFeatureSource } from './in-memory-feature-source.js';
import { createInMemoryHealer } from './in-memory-healer.js';
import { createInMemoryNotifier } from './in-memory-notifier.js';
import { createInMemoryRiskModel } from './in-memory-risk-model.js';

const backend = { namespace: 'prod', kind: 'Deployment' as const, name: 'backend' };
const frontend = { namespace: 'prod', kind: 'Deployment' as const, name: 'frontend' };
const partial = { namespace: 'prod', kind: 'Deployment' as const, name: 'partial' };

describeFeatureSourceConformance('in-memory', async () => ({
  source: createInMemoryFeatureSource({
    values: {
      'prod/backend': { ...HEALTHY_FEATURES },
      'prod/frontend': { ...AT_RISK_FEATURES },
      'prod/partial': { ...HEALTHY_FEATURES, http_5xx_error_rate: null },
    },
  }),
  target: backend,
  otherTargets: [frontend, partial],
}));

describeRiskModelConformance('in-memory', async () => ({ model: createInMemoryRiskModel() }));

describeHealerConformance('in-memory', async () => ({ healer: createInMemoryHealer(), target: backend }));

describeNotifierConformance('in-memory', async () => ({ notifier: createInMemoryNotifier() }));

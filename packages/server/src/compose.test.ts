import { createInMemoryFeatureSource, createInMemoryHealer, createInMemoryNotifier, createInMemoryRiskModel } from '@autoheal/core/testing';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAutoheal } from './compose.js';
import { validateConfig } from './config/load-config.js';

const logger = pino({ level: 'silent' });
const backend = { namespace: 'prod', name: 'backend', kind: 'Deployment' } as const;
const frontend = { namespace: 'prod', name: 'frontend', kind: 'Deployment' } as const;

describe('createAutoheal: the threshold', () => {
  it("is core's resolution in predict-only mode: the model's tuned one, per-target ones on top", async () => {
    const config = validateConfig({ policy: { targetThresholds: { 'prod/frontend': 0.7 } } });
    const autoheal = await createAutoheal(config, logger, { riskModel: createInMemoryRiskModel({ recommendedThreshold: 0.22 }) });
    expect(autoheal.pipeline).toBeUndefined();
    expect(autoheal.threshold).toBe(0.22);
    expect(autoheal.policy.threshold).toBe(0.22);
    expect(autoheal.thresholdFor(backend)).toBe(0.22);
    expect(autoheal.thresholdFor(frontend)).toBe(0.7);
  });

  it("is the pipeline's own with a pipeline", async () => {
    const config = validateConfig({ targets: ['prod/backend'], policy: { targetThresholds: { 'prod/frontend': 0.7 } } });
    const autoheal = await createAutoheal(config, logger, {
      riskModel: createInMemoryRiskModel({ recommendedThreshold: 0.22 }),
      featureSource: createInMemoryFeatureSource(),
      healer: createInMemoryHealer(),
      notifiers: [],
    });
    expect(autoheal.pipeline?.policy.threshold).toBe(0.22);
    expect(autoheal.threshold).toBe(0.22);
    expect(autoheal.thresholdFor(frontend)).toBe(autoheal.pipeline?.thresholdFor(frontend));
  });

  it('is the configured one over the model’s', async () => {
    const autoheal = await createAutoheal(validateConfig({ policy: { threshold: 0.6 } }), logger, { riskModel: createInMemoryRiskModel({ recommendedThreshold: 0.22 }) });
    expect(autoheal.threshold).toBe(0.6);
  });
});

describe('createAutoheal: closing', () => {
  it('leaves the parts the caller supplied open (the caller closes them, and tests reuse them)', async () => {
    const notifier = createInMemoryNotifier();
    let sourceClosed = false;
    const autoheal = await createAutoheal(validateConfig({ targets: ['prod/backend'] }), logger, {
      riskModel: createInMemoryRiskModel(),
      featureSource: { ...createInMemoryFeatureSource(), close: async () => void (sourceClosed = true) },
      healer: createInMemoryHealer(),
      notifiers: [notifier],
    });
    await autoheal.close();
    expect(notifier.closed).toBe(false);
    expect(sourceClosed).toBe(false);
  });
});

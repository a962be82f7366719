import { describe, expect, it } from 'vitest';
import { verdictFor } from './assessment.js';
import type { FeatureObservation } from './features.js';
import { explainMissing } from './missing-explanations.js';
import type { FeatureSource } from './interfaces/feature-source.js';
import { createPipeline } from './pipeline/create-pipeline.js';
import { createFakeClock } from './testing/fake-clock.js';
import { HEALTHY_FEATURES } from './testing/fixtures.js';
import { createInMemoryHealer } from './testing/in-memory-healer.js';
import { createInMemoryRiskModel } from './testing/in-memory-risk-model.js';
import type { TargetRef } from './target.js';

const target: TargetRef = { namespace: 'prod', kind: 'Deployment', name: 'backend' };

/** The seven seed features of a workload whose pods are all gone: only kube-state-metrics answers. */
function allDown(kind?: 'failed'): Pick<FeatureObservation, 'values' | 'missing'> {
  const absent = ['restart_count_last_5m', 'cpu_usage_pct', 'memory_usage_bytes', 'network_receive_bytes_per_s', 'http_5xx_error_rate'];
  return {
    values: { ...HEALTHY_FEATURES, ready_replica_ratio: 0, unavailable_replicas: 4, ...Object.fromEntries(absent.map((feature) => [feature, null])) },
    missing: absent.map((feature) => ({ feature, reason: `no series for prod/backend (${feature})`, ...(kind ? { kind } : {}) })),
  };
}

describe('explainMissing', () => {
  it('explains pod-level absences when the Deployment status says no replica is ready', () => {
    const observation = allDown();
    const { explained, unexplained } = explainMissing(observation, ['memory_usage_bytes', 'http_5xx_error_rate']);
    expect(unexplained).toEqual([]);
    expect(explained).toEqual([
      { feature: 'memory_usage_bytes', kind: 'no-data', by: ['ready_replica_ratio'], because: 'no replica is ready, so there is no running container to measure; the Deployment status says what is wrong (ready_replica_ratio is 0)' },
      expect.objectContaining({ feature: 'http_5xx_error_rate', by: ['ready_replica_ratio'] }),
    ]);
  });

  it('does not explain a pod-level absence while some replicas are ready', () => {
    const observation = allDown();
    observation.values.ready_replica_ratio = 0.5;
    expect(explainMissing(observation, ['memory_usage_bytes']).unexplained).toEqual(['memory_usage_bytes']);
  });

  it('never explains a failed query, even when the workload is down', () => {
    expect(explainMissing(allDown('failed'), ['memory_usage_bytes']).unexplained).toEqual(['memory_usage_bytes']);
  });

  it('never explains an absence with an explanation that cannot be seen itself', () => {
    const observation = allDown();
    observation.values.ready_replica_ratio = null;
    expect(explainMissing(observation, ['memory_usage_bytes', 'ready_replica_ratio']).unexplained).toEqual(['memory_usage_bytes', 'ready_replica_ratio']);
  });

  it('never explains an authoritative Deployment-level signal', () => {
    const observation = { values: { unavailable_excess_ratio: null, ready_replica_ratio: 0 }, missing: [{ feature: 'unavailable_excess_ratio', reason: 'no data' }] };
    expect(explainMissing(observation, ['unavailable_excess_ratio']).unexplained).toEqual(['unavailable_excess_ratio']);
  });

  it('explains the kinds a source reports as facts: low traffic, no limit, not configured, an old release', () => {
    const observation = {
      values: { ready_replica_ratio: 1 },
      missing: [
        { feature: 'http_error_ratio', reason: 'too few requests', kind: 'low-traffic' as const },
        { feature: 'memory_limit_ratio', reason: 'no memory limit', kind: 'no-limit' as const },
        { feature: 'http_requests_per_second', reason: 'preset none', kind: 'not-configured' as const },
        { feature: 'previous_release_ready_ratio', reason: 'release 2 h old', kind: 'not-applicable' as const },
        { feature: 'cpu_limit_ratio', reason: 'not applicable is not a CPU kind', kind: 'not-applicable' as const },
      ],
    };
    const { explained, unexplained } = explainMissing(observation, observation.missing.map((entry) => entry.feature));
    expect(explained.map((entry) => entry.feature)).toEqual(['http_error_ratio', 'memory_limit_ratio', 'http_requests_per_second', 'previous_release_ready_ratio']);
    expect(unexplained).toEqual(['cpu_limit_ratio']);
  });

  it('explains a trend without its look-back (no-history) but not one whose look-back query failed or vanished while pods run', () => {
    const observation = {
      values: { ready_replica_ratio: 1 },
      missing: [
        { feature: 'http_error_ratio_rise', reason: 'no request history 15–30 min ago', kind: 'no-history' as const },
        { feature: 'cpu_minutes_to_limit', reason: 'containers younger than 5 min', kind: 'no-history' as const },
        { feature: 'memory_minutes_to_limit', reason: 'no-history is not a memory kind', kind: 'no-history' as const },
      ],
    };
    const { explained, unexplained } = explainMissing(observation, observation.missing.map((entry) => entry.feature));
    expect(explained.map((entry) => entry.feature)).toEqual(['http_error_ratio_rise', 'cpu_minutes_to_limit']);
    expect(unexplained).toEqual(['memory_minutes_to_limit']);
    const failed = explainMissing({ values: { ready_replica_ratio: 1 }, missing: [{ feature: 'cpu_minutes_to_limit', reason: 'timeout', kind: 'failed' as const }] }, ['cpu_minutes_to_limit']);
    expect(failed.unexplained).toEqual(['cpu_minutes_to_limit']);
    const vanished = explainMissing({ values: { ready_replica_ratio: 1 }, missing: [{ feature: 'http_error_ratio_rise', reason: 'no series', kind: 'no-data' as const }] }, ['http_error_ratio_rise']);
    expect(vanished.unexplained).toEqual(['http_error_ratio_rise']);
  });
});

describe('verdictFor', () => {
  it('is unknown with an unexplained missing feature, and judges the probability when every absence is explained', () => {
    expect(verdictFor(0.9, 0.5, ['memory_usage_bytes'])).toBe('unknown');
    expect(verdictFor(0.9, 0.5, ['memory_usage_bytes'], allDown())).toBe('at-risk');
    expect(verdictFor(0.9, 0.5, ['memory_usage_bytes'], allDown('failed'))).toBe('unknown');
    expect(verdictFor(null, 0.5, [], allDown())).toBe('unknown');
  });
});

describe('the pipeline with missing signals', () => {
  /** A source that returns a fixed observation (kinds included), as a real adapter would. */
  function fixedSource(observation: Pick<FeatureObservation, 'values' | 'missing'>): FeatureSource {
    const collect = async (t: TargetRef) => ({ target: t, observedAt: Date.parse('2026-01-01T00:00:00Z'), values: { ...observation.values }, missing: [...observation.missing] });
    return { name: 'fixed', featureNames: Object.keys(HEALTHY_FEATURES), collect, collectMany: async (targets) => Promise.all(targets.map(collect)) };
  }
  function pipelineOver(observation: Pick<FeatureObservation, 'values' | 'missing'>) {
    const healer = createInMemoryHealer();
    const pipeline = createPipeline({ featureSource: fixedSource(observation), riskModel: createInMemoryRiskModel(), healer, clock: createFakeClock(Date.parse('2026-01-01T00:00:00Z')), policy: { threshold: 0.5 }, onError: () => {} });
    return { pipeline, healer };
  }

  it('heals an all-down workload: the absent pod signals are explained by the Deployment status, and recorded as such', async () => {
    const { pipeline, healer } = pipelineOver(allDown());
    const record = await pipeline.evaluate(target);
    expect(record.assessment.verdict).toBe('at-risk');
    expect(record.decision).toBe('heal');
    expect(healer.applied).toHaveLength(1);
    expect(record.assessment.missingFeatures).toHaveLength(5);
    expect(record.assessment.explainedMissing?.map((entry) => [entry.feature, entry.by])).toContainEqual(['memory_usage_bytes', ['ready_replica_ratio']]);
    expect(record.assessment.reason).toBeUndefined();
  });

  it('does not heal when the same signals are missing because their queries failed', async () => {
    const { pipeline, healer } = pipelineOver(allDown('failed'));
    const record = await pipeline.evaluate(target);
    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'unknown', assessment: { verdict: 'unknown' } });
    expect(record.assessment.reason).toMatch(/^missing features: restart_count_last_5m \(no series/);
    expect(record.assessment.explainedMissing).toBeUndefined();
    expect(healer.applied).toHaveLength(0);
  });

  it('does not heal when pod signals vanish while the Deployment reports ready replicas', async () => {
    const observation = allDown();
    observation.values.ready_replica_ratio = 0.75;
    observation.values.unavailable_replicas = 1;
    const { pipeline, healer } = pipelineOver(observation);
    const record = await pipeline.evaluate(target);
    expect(record.assessment.verdict).toBe('unknown');
    expect(healer.applied).toHaveLength(0);
  });
});

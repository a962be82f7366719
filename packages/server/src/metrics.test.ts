/**
 * The server's metrics as a scrape sees them: per-target labels bounded to the configured targets,
 * decisions, actions and suppressions, the handoff gauge, the circuit breaker of a real pipeline
 * read at scrape time, the feature source's reachability, leadership and background errors.
 */
import { createPipeline, decisionKindSchema, healStepKindSchema, suppressedReasonSchema, type DecisionRecord } from '@autoheal/core';
import {
  AT_RISK_FEATURES,
  HEALTHY_FEATURES,
  createFakeClock,
  createInMemoryFeatureSource,
  createInMemoryHealer,
  createInMemoryRiskModel,
  makeDecisionRecord,
} from '@autoheal/core/testing';
import { describe, expect, it } from 'vitest';
import { createServerMetrics, errorComponentOf, OTHER_TARGET, type ServerMetrics } from './metrics.js';

const MODEL = { name: 'risk', version: '1.0.0' };
const backend = { namespace: 'prod', kind: 'Deployment' as const, name: 'backend' };
const stranger = { namespace: 'staging', kind: 'Deployment' as const, name: 'worker' };

/** Every sample of `name` in the next scrape, as `{ labels, value }`. */
async function samples(metrics: ServerMetrics, name: string): Promise<Array<{ labels: Record<string, string | number>; value: number }>> {
  // A histogram is one metric whose values name their series (`_bucket`, `_sum`, `_count`).
  const family = name.replace(/_(bucket|sum|count)$/, '');
  const metric = (await metrics.registry.getMetricsAsJSON()).find((entry) => entry.name === name || entry.name === family);
  const values = (metric?.values ?? []) as Array<{ labels: Record<string, string | number>; value: number; metricName?: string }>;
  return values.filter((sample) => (sample.metricName ?? metric?.name) === name).map(({ labels, value }) => ({ labels: { ...labels }, value }));
}

/** The value of the sample of `name` whose labels include `labels`; undefined when there is none. */
async function valueOf(metrics: ServerMetrics, name: string, labels: Record<string, string | number> = {}): Promise<number | undefined> {
  return (await samples(metrics, name)).find((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value;
}

/** The samples of `name` that moved from their initial 0. */
async function counted(metrics: ServerMetrics, name: string): Promise<Array<{ labels: Record<string, string | number>; value: number }>> {
  return (await samples(metrics, name)).filter((sample) => sample.value !== 0);
}

function record(overrides: Partial<DecisionRecord>): DecisionRecord {
  return makeDecisionRecord({ target: backend, ...overrides });
}

const atRisk = (probability = 0.9): DecisionRecord['assessment'] => ({
  probability,
  threshold: 0.5,
  verdict: 'at-risk',
  model: { name: 'risk', version: '1.0.0' },
  missingFeatures: [],
});

describe('createServerMetrics', () => {
  it('labels the configured targets by namespace and deployment and counts every other one under _other', async () => {
    const metrics = createServerMetrics(MODEL, { targets: [backend] });
    metrics.observeDecision(record({ decision: 'none' }));
    metrics.observeDecision(record({ target: stranger, decision: 'none' }));
    metrics.observeDecision(record({ target: { ...stranger, name: 'another' }, decision: 'none' }));

    expect(await counted(metrics, 'autoheal_decisions_total')).toEqual([
      { labels: { namespace: 'prod', deployment: 'backend', decision: 'none' }, value: 1 },
      { labels: { namespace: OTHER_TARGET, deployment: OTHER_TARGET, decision: 'none' }, value: 2 },
    ]);
    // Gauges only for configured targets: a last value of "some other target" means nothing.
    expect((await samples(metrics, 'autoheal_risk_probability')).map((sample) => sample.labels)).toEqual([{ namespace: 'prod', deployment: 'backend' }]);
    expect(await valueOf(metrics, 'autoheal_target_verdict', { deployment: 'backend', verdict: 'healthy' })).toBe(1);
    expect(await valueOf(metrics, 'autoheal_target_verdict', { deployment: 'backend', verdict: 'at-risk' })).toBe(0);
    expect(await valueOf(metrics, 'autoheal_risk_threshold', { deployment: 'backend' })).toBe(0.5);
  });

  it('starts every counter series of the configured targets at 0, so increase() sees their first change', async () => {
    const metrics = createServerMetrics(MODEL, { targets: [backend, { namespace: 'prod', name: 'frontend' }] });
    // Two targets × every value core declares (decisions, step kinds × success/failure, suppression reasons).
    expect(await samples(metrics, 'autoheal_decisions_total')).toHaveLength(2 * decisionKindSchema.options.length);
    expect(await samples(metrics, 'autoheal_actions_total')).toHaveLength(2 * healStepKindSchema.options.length * 2);
    expect(await samples(metrics, 'autoheal_suppressed_actions_total')).toHaveLength(2 * suppressedReasonSchema.options.length);
    expect(await samples(metrics, 'autoheal_pipeline_errors_total')).toHaveLength(9);
    expect(await counted(metrics, 'autoheal_actions_total')).toEqual([]);
    // No per-target gauge before the first decision: a risk of 0 would be a lie.
    expect(await samples(metrics, 'autoheal_risk_probability')).toEqual([]);
  });

  it('exports no risk for an unknown verdict, even when the model scored the incomplete vector', async () => {
    const metrics = createServerMetrics(MODEL, { targets: [backend] });
    metrics.observeDecision(record({ decision: 'none' }));
    const unknown = { probability: 0.05, threshold: 0.5, verdict: 'unknown' as const, model: MODEL, missingFeatures: ['http_5xx_error_rate'] };
    metrics.observeDecision(record({ decision: 'suppressed', suppressedReason: 'unknown', assessment: unknown }));
    expect(await samples(metrics, 'autoheal_risk_probability')).toEqual([]);
    expect(await valueOf(metrics, 'autoheal_target_verdict', { deployment: 'backend', verdict: 'unknown' })).toBe(1);
  });

  it('counts applied steps by step and outcome, not dry-run plans, and suppressions by reason', async () => {
    const metrics = createServerMetrics(MODEL, { targets: [backend] });
    const plan = { step: { kind: 'restart' as const, scaleUp: false as const }, attempt: 1, operations: [] };
    const outcome = (ok: boolean, dryRun = false) => ({ ok, dryRun, message: '', results: [] });
    metrics.observeDecision(record({ decision: 'heal', assessment: atRisk(), action: { step: 'restart', plan, outcome: outcome(true) } }));
    metrics.observeDecision(record({ decision: 'heal', assessment: atRisk(), action: { step: 'cache', plan, outcome: outcome(false) } }));
    metrics.observeDecision(record({ decision: 'heal', assessment: atRisk(), action: { step: 'rollback', plan, outcome: outcome(true, true) } }));
    metrics.observeDecision(record({ decision: 'suppressed', suppressedReason: 'cooldown', assessment: atRisk() }));
    metrics.observeDecision(record({ decision: 'suppressed', suppressedReason: 'cooldown', assessment: atRisk() }));

    expect(await counted(metrics, 'autoheal_actions_total')).toEqual([
      { labels: { namespace: 'prod', deployment: 'backend', step: 'restart', outcome: 'success' }, value: 1 },
      { labels: { namespace: 'prod', deployment: 'backend', step: 'cache', outcome: 'failure' }, value: 1 },
    ]);
    expect(await counted(metrics, 'autoheal_suppressed_actions_total')).toEqual([{ labels: { namespace: 'prod', deployment: 'backend', reason: 'cooldown' }, value: 2 }]);
    expect(await valueOf(metrics, 'autoheal_risk_probability', { deployment: 'backend' })).toBe(0.9);
  });

  it('keeps a target handed off through unknown evaluations until it is healthy', async () => {
    const metrics = createServerMetrics(MODEL, { targets: [backend] });
    const ladder = { attempt: 3, maxAttempts: 3, nextStep: null };
    const handedOff = () => valueOf(metrics, 'autoheal_target_handed_off', { deployment: 'backend' });

    metrics.observeDecision(record({ decision: 'awaiting-recheck', assessment: atRisk(), ladder }));
    expect(await handedOff()).toBeUndefined(); // the last step is still being judged
    metrics.observeDecision(record({ decision: 'handoff', assessment: atRisk(), ladder }));
    expect(await handedOff()).toBe(1);
    const unknown = { probability: null, threshold: 0.5, verdict: 'unknown' as const, model: MODEL, missingFeatures: ['cpu_usage_pct'] };
    metrics.observeDecision(record({ decision: 'suppressed', suppressedReason: 'unknown', assessment: unknown, ladder }));
    expect(await handedOff()).toBe(1);
    expect(await valueOf(metrics, 'autoheal_risk_probability', { deployment: 'backend' })).toBeUndefined();
    metrics.observeDecision(record({ decision: 'kept', ladder }));
    expect(await handedOff()).toBe(0);
    expect(await valueOf(metrics, 'autoheal_target_ladder_attempt', { deployment: 'backend' })).toBe(3);
  });

  it('reads the circuit breaker of a real pipeline at each scrape, also when no decision follows', async () => {
    const clock = createFakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const pipeline = createPipeline({
      featureSource: createInMemoryFeatureSource({ clock, values: { 'prod/backend': { ...AT_RISK_FEATURES } } }),
      riskModel: createInMemoryRiskModel(),
      healer: createInMemoryHealer(),
      clock,
      policy: { circuitBreaker: { maxActions: 1, windowMs: 60_000 } },
      onError: () => undefined,
    });
    const metrics = createServerMetrics(MODEL, { targets: [backend] });
    metrics.observePipeline(pipeline);
    expect(await valueOf(metrics, 'autoheal_circuit_breaker_open')).toBe(0);

    await pipeline.evaluate(backend);
    expect(await valueOf(metrics, 'autoheal_circuit_breaker_open')).toBe(1);
    expect(await valueOf(metrics, 'autoheal_circuit_breaker_actions')).toBe(1);
    expect(await valueOf(metrics, 'autoheal_circuit_breaker_max_actions')).toBe(1);
    expect(await valueOf(metrics, 'autoheal_actions_total', { step: 'restart', outcome: 'success' })).toBe(1);

    await clock.advance(60_000);
    expect(await valueOf(metrics, 'autoheal_circuit_breaker_open')).toBe(0);
    expect(await valueOf(metrics, 'autoheal_circuit_breaker_actions')).toBe(0);
  });

  it('times the evaluations from their records', async () => {
    const metrics = createServerMetrics(MODEL, { targets: [backend] });
    metrics.observeDecision(record({ decision: 'none', durationMs: 30 }));
    metrics.observeDecision(record({ decision: 'none', durationMs: 3_000 }));
    expect(await valueOf(metrics, 'autoheal_evaluation_duration_seconds_count')).toBe(2);
    expect(await valueOf(metrics, 'autoheal_evaluation_duration_seconds_bucket', { le: 0.05 })).toBe(1);
    expect(await valueOf(metrics, 'autoheal_evaluation_duration_seconds_sum')).toBeCloseTo(3.03);
  });

  it('exports whether the feature source answers, and passes everything else through', async () => {
    const metrics = createServerMetrics(MODEL, { targets: [backend] });
    const source = createInMemoryFeatureSource({ name: 'prometheus', values: { 'prod/backend': { ...HEALTHY_FEATURES } } });
    const instrumented = metrics.instrumentFeatureSource(source);
    expect(await valueOf(metrics, 'autoheal_feature_source_up')).toBeUndefined();

    await instrumented.collect(backend);
    expect(await valueOf(metrics, 'autoheal_feature_source_up', { source: 'prometheus' })).toBe(1);
    source.failWith(new Error('connect ECONNREFUSED 10.0.0.9:9090'));
    await expect(instrumented.collectMany([backend])).rejects.toThrow(/ECONNREFUSED/);
    expect(await valueOf(metrics, 'autoheal_feature_source_up', { source: 'prometheus' })).toBe(0);
    expect(await valueOf(metrics, 'autoheal_feature_source_collect_duration_seconds_count', { outcome: 'failure' })).toBe(1);

    // An abort is the caller leaving, not the source failing.
    source.failWith(null);
    await instrumented.collect(backend);
    const aborted = AbortSignal.abort();
    await expect(instrumented.collect(backend, { signal: aborted })).rejects.toThrow();
    expect(await valueOf(metrics, 'autoheal_feature_source_up', { source: 'prometheus' })).toBe(1);

    expect(instrumented.name).toBe('prometheus');
    expect(instrumented.featureNames).toEqual(source.featureNames);
    expect(instrumented.collectCount).toBe(source.collectCount); // a live getter, not a copy
    instrumented.setValues(backend, { ...AT_RISK_FEATURES });
    expect((await source.collect(backend)).values.unavailable_replicas).toBe(AT_RISK_FEATURES.unavailable_replicas);
  });

  it('exports leadership, and a replica that stands by drops its per-target gauges', async () => {
    const metrics = createServerMetrics(MODEL, { targets: [backend] });
    let leading = true;
    metrics.trackLeadership(() => leading);
    metrics.observeDecision(record({ decision: 'none' }));
    expect(await valueOf(metrics, 'autoheal_leader')).toBe(1);
    expect(await valueOf(metrics, 'autoheal_risk_probability', { deployment: 'backend' })).toBe(0.05);

    leading = false;
    expect(await valueOf(metrics, 'autoheal_leader')).toBe(0);
    expect(await samples(metrics, 'autoheal_risk_probability')).toEqual([]);
    expect(await samples(metrics, 'autoheal_target_verdict')).toEqual([]);
    // Counters are history, not state: they stay.
    expect(await valueOf(metrics, 'autoheal_decisions_total', { deployment: 'backend' })).toBe(1);
  });

  it('counts background failures by a bounded component', async () => {
    const metrics = createServerMetrics(MODEL);
    for (const component of ['watch', 'watch:collectMany:prometheus', 'notifier:slack', 'notifier:log', 'healer:recordDecision', 'something-new']) metrics.observeError({ component });

    expect(await counted(metrics, 'autoheal_pipeline_errors_total')).toEqual([
      { labels: { component: 'evaluation' }, value: 1 },
      { labels: { component: 'collection' }, value: 1 },
      { labels: { component: 'event' }, value: 1 },
      { labels: { component: 'notifier' }, value: 2 },
      { labels: { component: 'other' }, value: 1 },
    ]);
    expect(['watch:targets', 'healer:writeState', 'healer:readState', 'subscriber', 'close:onnx'].map(errorComponentOf)).toEqual(['targets', 'state', 'state', 'subscriber', 'close']);
  });
});

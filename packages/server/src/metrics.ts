/** The server's own Prometheus metrics: what it is asked, what it predicts, decides and does. */
import type { DecisionRecord } from '@autoheal/core';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServerMetrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'method' | 'status'>;
  predictionDuration: Histogram<'route'>;
  observeDecision(record: DecisionRecord): void;
}

/** Creates a fresh registry (one per server, so tests can run several servers in one process). */
export function createServerMetrics(model: { name: string; version: string }): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'autoheal_process_' });
  const httpRequests = new Counter({
    name: 'autoheal_http_requests_total',
    help: 'HTTP requests answered, by route, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const predictionDuration = new Histogram({
    name: 'autoheal_prediction_duration_seconds',
    help: 'Time to validate and score a /predict request (model call included).',
    labelNames: ['route'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
    registers: [registry],
  });
  const risk = new Gauge({
    name: 'autoheal_risk_probability',
    help: 'Latest failure-risk probability per target (absent when unknown).',
    labelNames: ['namespace', 'deployment'] as const,
    registers: [registry],
  });
  const verdict = new Gauge({
    name: 'autoheal_target_verdict',
    help: 'Latest verdict per target: 1 for the current verdict, 0 for the others.',
    labelNames: ['namespace', 'deployment', 'verdict'] as const,
    registers: [registry],
  });
  const decisions = new Counter({
    name: 'autoheal_decisions_total',
    help: 'Decisions taken, by kind (none, heal, suppressed, awaiting-recheck, kept, reset, handoff).',
    labelNames: ['decision'] as const,
    registers: [registry],
  });
  const actions = new Counter({
    name: 'autoheal_actions_total',
    help: 'Healing steps applied, by step (restart, cache, rollback) and outcome (success, failure).',
    labelNames: ['step', 'outcome'] as const,
    registers: [registry],
  });
  const suppressed = new Counter({
    name: 'autoheal_suppressed_actions_total',
    help: 'Due healing steps that a safety rule stopped, by reason (dry-run, cooldown, circuit-open, unknown, recovered, ...).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  new Gauge({ name: 'autoheal_model_info', help: 'The loaded risk model.', labelNames: ['name', 'version'] as const, registers: [registry] })
    .labels(model.name, model.version)
    .set(1);

  return {
    registry,
    httpRequests,
    predictionDuration,
    observeDecision(record) {
      const { namespace, name } = record.target;
      if (record.assessment.probability === null) risk.remove(namespace, name);
      else risk.labels(namespace, name).set(record.assessment.probability);
      for (const v of ['healthy', 'at-risk', 'unknown']) verdict.labels(namespace, name, v).set(record.assessment.verdict === v ? 1 : 0);
      decisions.labels(record.decision).inc();
      if (record.decision === 'heal' && record.action?.outcome && !record.action.outcome.dryRun) {
        actions.labels(record.action.step, record.action.outcome.ok ? 'success' : 'failure').inc();
      }
      if (record.decision === 'suppressed' && record.suppressedReason) suppressed.labels(record.suppressedReason).inc();
    },
  };
}

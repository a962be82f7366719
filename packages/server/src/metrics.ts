/**
 * The server's own Prometheus metrics: what it is asked, what it predicts, decides and does, and
 * whether it can do it (leadership, circuit breaker, the feature source, background failures).
 * `manifests/components/alerts` and the Grafana dashboard in `manifests/grafana` are built on these
 * names; docs/operations.md lists them with their labels and cardinality.
 *
 * Per-target series are bounded: only the targets given in `targets` (the configured ones) get
 * their own `namespace`/`deployment` label values. Any other target is counted under
 * {@link OTHER_TARGET} in the counters and has no per-target gauge.
 */
import { decisionKindSchema, type DeliveryStats, healStepKindSchema, suppressedReasonSchema, targetKey, type DecisionRecord, type FeatureSource, type Pipeline, type TargetRef } from '@autoheal/core';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The `namespace` and `deployment` label value of targets that have no labels of their own. A
 * Kubernetes name cannot start with `_`, so it never collides with a real namespace or Deployment.
 */
export const OTHER_TARGET = '_other';

/** Options of {@link createServerMetrics}. */
export interface ServerMetricsOptions {
  /**
   * The targets with their own label values (the configured ones). Others are counted under
   * `namespace="_other", deployment="_other"`. @default [] (every target is `_other`)
   */
  targets?: ReadonlyArray<Pick<TargetRef, 'namespace' | 'name'>>;
}

const ERROR_COMPONENT_NAMES = ['evaluation', 'targets', 'collection', 'state', 'event', 'notifier', 'subscriber', 'close', 'other'] as const;

/** The `component` label of `autoheal_pipeline_errors_total`, from the pipeline's error context. */
export type ErrorComponent = (typeof ERROR_COMPONENT_NAMES)[number];

export interface ServerMetrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'method' | 'status'>;
  predictionDuration: Histogram<'route'>;
  /** Counts and records one DecisionRecord (what {@link observePipeline} does for each record). */
  observeDecision(record: DecisionRecord): void;
  /** Counts a background failure reported by the pipeline's `onError` (its `context.component`). */
  observeError(context: { component: string }): void;
  /**
   * Records every decision of `pipeline` and exports its circuit breaker, read at each scrape.
   * Returns the unsubscribe function.
   */
  observePipeline(pipeline: Pick<Pipeline, 'subscribe' | 'circuitState'>): () => void;
  /**
   * Wraps a feature source so that each collection is timed and its success or failure exported
   * (`autoheal_feature_source_up`); everything else passes through unchanged.
   */
  instrumentFeatureSource<T extends FeatureSource>(source: T): T;
  /**
   * Exports `autoheal_leader` from `isLeader` at each scrape. A replica that does not lead drops
   * its per-target gauges, so only the acting replica reports risk, verdicts and handoffs.
   */
  trackLeadership(isLeader: () => boolean): void;
  /**
   * The notification queues (core's `pipeline.deliveryStats()`), read at every scrape: depth,
   * delivered, dropped, failed, retries per notifier and for the Event recorder.
   */
  watchDeliveries(stats: () => DeliveryStats[]): void;
}

const VERDICTS = ['healthy', 'at-risk', 'unknown'] as const;
const TARGET_LABELS = ['namespace', 'deployment'] as const;

/** Maps the pipeline's error contexts (`watch`, `notifier:slack`, ...) to a bounded label. */
const ERROR_COMPONENTS: ReadonlyArray<readonly [RegExp, ErrorComponent]> = [
  [/^watch$/, 'evaluation'], // an evaluation that ended without a decision (e.g. the state could not be read)
  [/^watch:targets$/, 'targets'],
  [/^watch:collectMany(:|$)/, 'collection'], // the round's batch failed; each target was collected alone
  [/^healer:(read|write)State$/, 'state'], // the ladder state could not be read (a missing Deployment) or written
  [/^healer:recordDecision$/, 'event'],
  [/^notifier(:|$)/, 'notifier'],
  [/^subscriber$/, 'subscriber'],
  [/^close(:|$)/, 'close'],
];

/** The bounded `component` label of a pipeline error context. */
export function errorComponentOf(component: string): ErrorComponent {
  return ERROR_COMPONENTS.find(([pattern]) => pattern.test(component))?.[1] ?? 'other';
}

/**
 * Creates a fresh registry (one per server, so tests can run several servers in one process).
 *
 * @example
 * const metrics = createServerMetrics({ name: 'risk', version: '1.0.0' }, { targets: config.targets });
 * metrics.observePipeline(pipeline);
 */
export function createServerMetrics(model: { name: string; version: string }, options: ServerMetricsOptions = {}): ServerMetrics {
  const labelled = new Set((options.targets ?? []).map((target) => targetKey({ namespace: target.namespace, name: target.name })));
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'autoheal_process_' });
  const registers = [registry];

  const httpRequests = new Counter({
    name: 'autoheal_http_requests_total',
    help: 'HTTP requests answered, by route, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers,
  });
  const predictionDuration = new Histogram({
    name: 'autoheal_prediction_duration_seconds',
    help: 'Time to validate and score a /predict request (model call included).',
    labelNames: ['route'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
    registers,
  });
  new Gauge({ name: 'autoheal_model_info', help: 'The loaded risk model.', labelNames: ['name', 'version'] as const, registers }).labels(model.name, model.version).set(1);

  // Per configured target, last value (dropped by a replica that does not lead).
  const risk = new Gauge({ name: 'autoheal_risk_probability', help: 'Latest failure-risk probability per target (absent when unknown).', labelNames: TARGET_LABELS, registers });
  const threshold = new Gauge({ name: 'autoheal_risk_threshold', help: 'Threshold in force per target: at risk when the probability is at or above it.', labelNames: TARGET_LABELS, registers });
  const verdict = new Gauge({
    name: 'autoheal_target_verdict',
    help: 'Latest verdict per target: 1 for the current verdict (healthy, at-risk, unknown), 0 for the others.',
    labelNames: [...TARGET_LABELS, 'verdict'] as const,
    registers,
  });
  const attempt = new Gauge({ name: 'autoheal_target_ladder_attempt', help: 'Healing steps taken in the current episode per target (the healing.attempt annotation); 0 when none.', labelNames: TARGET_LABELS, registers });
  const handedOff = new Gauge({
    name: 'autoheal_target_handed_off',
    help: 'Per target: 1 while it is still at risk after the last step of the ladder (a human is needed), else 0.',
    labelNames: TARGET_LABELS,
    registers,
  });
  const perTargetGauges = [risk, threshold, verdict, attempt, handedOff];

  // Per configured target plus the `_other` bucket, cumulative.
  const decisions = new Counter({
    name: 'autoheal_decisions_total',
    help: 'Decisions taken per target, by kind (none, heal, suppressed, awaiting-recheck, kept, reset, handoff).',
    labelNames: [...TARGET_LABELS, 'decision'] as const,
    registers,
  });
  const actions = new Counter({
    name: 'autoheal_actions_total',
    help: 'Healing steps applied per target, by step (restart, cache, rollback, scale) and outcome (success, failure). Dry-run plans are not counted.',
    labelNames: [...TARGET_LABELS, 'step', 'outcome'] as const,
    registers,
  });
  const suppressed = new Counter({
    name: 'autoheal_suppressed_actions_total',
    help: 'Due healing steps that a safety rule stopped, per target, by reason (unknown, dry-run, cooldown, circuit-open, recovered, ceiling-reached, in-flight, refused, rolling-out, not-leader, state-unavailable, paused, maintenance).',
    labelNames: [...TARGET_LABELS, 'reason'] as const,
    registers,
  });
  const evaluationDuration = new Histogram({
    name: 'autoheal_evaluation_duration_seconds',
    help: 'Time from the start of an evaluation to its decision (collection, scoring and any step applied).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers,
  });
  const errors = new Counter({
    name: 'autoheal_pipeline_errors_total',
    help: 'Background failures that did not stop healing, by component (evaluation, targets, collection, state, event, notifier, subscriber, close, other).',
    labelNames: ['component'] as const,
    registers,
  });

  // Every series of the configured targets exists from the start at 0: `increase()` cannot see the
  // first failure of a series that appears with the value 1, and dashboards show 0 instead of nothing.
  for (const component of ERROR_COMPONENT_NAMES) errors.inc({ component }, 0);
  for (const target of options.targets ?? []) {
    const own = { namespace: target.namespace, deployment: target.name };
    for (const decision of decisionKindSchema.options) decisions.inc({ ...own, decision }, 0);
    for (const step of healStepKindSchema.options) for (const outcome of ['success', 'failure']) actions.inc({ ...own, step, outcome }, 0);
    for (const reason of suppressedReasonSchema.options) suppressed.inc({ ...own, reason }, 0);
  }

  /** The label values of a target: its own when configured, the `_other` bucket otherwise. */
  function labelsOf(target: TargetRef): { namespace: string; deployment: string } | undefined {
    return labelled.has(targetKey({ namespace: target.namespace, name: target.name })) ? { namespace: target.namespace, deployment: target.name } : undefined;
  }

  function observeDecision(record: DecisionRecord): void {
    const own = labelsOf(record.target);
    const counted = own ?? { namespace: OTHER_TARGET, deployment: OTHER_TARGET };
    decisions.inc({ ...counted, decision: record.decision });
    if (record.decision === 'heal' && record.action?.outcome && !record.action.outcome.dryRun) {
      actions.inc({ ...counted, step: record.action.step, outcome: record.action.outcome.ok ? 'success' : 'failure' });
    }
    if (record.decision === 'suppressed' && record.suppressedReason) suppressed.inc({ ...counted, reason: record.suppressedReason });
    evaluationDuration.observe(record.durationMs / 1000);
    if (!own) return;

    // A probability computed with a signal missing judges nothing: unknown has no risk value.
    if (record.assessment.probability === null || record.assessment.verdict === 'unknown') risk.remove(own);
    else risk.set(own, record.assessment.probability);
    threshold.set(own, record.assessment.threshold);
    for (const v of VERDICTS) verdict.set({ ...own, verdict: v }, record.assessment.verdict === v ? 1 : 0);
    attempt.set(own, record.ladder.attempt);
    // Handed off from the handoff until the target is healthy or its episode ends; an unknown or
    // in-flight evaluation in between says nothing new, so the alert does not flap on it.
    const ceiling = record.decision === 'handoff' || (record.decision === 'suppressed' && record.suppressedReason === 'ceiling-reached');
    const over = record.assessment.verdict === 'healthy' || record.ladder.attempt < record.ladder.maxAttempts;
    if (ceiling) handedOff.set(own, 1);
    else if (over) handedOff.set(own, 0);
  }

  let pipelineObserved = false;
  let sourceMetrics: { up: Gauge<'source'>; duration: Histogram<'source' | 'outcome'> } | undefined;
  let leadershipTracked = false;

  // The notification queues, read from the pipeline at scrape time (set by watchDeliveries).
  let deliveryStats: () => DeliveryStats[] = () => [];
  new Gauge({
    name: 'autoheal_notification_queue_depth',
    help: 'Decision records waiting for a notifier (or the Event recorder), by audience.',
    labelNames: ['audience'] as const,
    registers,
    collect() {
      this.reset();
      for (const stats of deliveryStats()) this.labels(stats.audience).set(stats.depth);
    },
  });
  new Counter({
    name: 'autoheal_notifications_total',
    help: 'Decision records handed to a notifier (or the Event recorder), by audience and result (delivered, dropped: queue full or closed, failed: gave up after retries).',
    labelNames: ['audience', 'result'] as const,
    registers,
    collect() {
      this.reset();
      for (const stats of deliveryStats()) for (const result of ['delivered', 'dropped', 'failed'] as const) this.labels(stats.audience, result).inc(stats[result]);
    },
  });
  new Counter({
    name: 'autoheal_notification_retries_total',
    help: 'Deliveries tried again after a retryable failure or a time-out, by audience.',
    labelNames: ['audience'] as const,
    registers,
    collect() {
      this.reset();
      for (const stats of deliveryStats()) this.labels(stats.audience).inc(stats.retried);
    },
  });

  return {
    registry,
    httpRequests,
    predictionDuration,
    watchDeliveries(stats) {
      deliveryStats = stats;
    },
    observeDecision,
    observeError(context) {
      errors.inc({ component: errorComponentOf(context.component) });
    },
    observePipeline(pipeline) {
      if (!pipelineObserved) {
        pipelineObserved = true;
        // Read at scrape time: the breaker's window drains with time, between decisions too.
        const state = () => pipeline.circuitState();
        new Gauge({
          name: 'autoheal_circuit_breaker_open',
          help: 'Circuit breaker: 1 while open (no step is taken on any target), 0 while closed.',
          registers,
          collect() {
            this.set(state().open ? 1 : 0);
          },
        });
        new Gauge({
          name: 'autoheal_circuit_breaker_actions',
          help: 'Healing steps counted in the circuit breaker window, across all targets.',
          registers,
          collect() {
            this.set(state().actionsInWindow);
          },
        });
        new Gauge({
          name: 'autoheal_circuit_breaker_max_actions',
          help: 'Steps allowed in the circuit breaker window before it opens (policy.circuitBreaker.maxActions).',
          registers,
          collect() {
            this.set(state().maxActions);
          },
        });
      }
      return pipeline.subscribe(observeDecision);
    },
    instrumentFeatureSource<T extends FeatureSource>(source: T): T {
      sourceMetrics ??= {
        up: new Gauge({
          name: 'autoheal_feature_source_up',
          help: 'Per feature source (e.g. prometheus): 1 when its last collection answered, 0 when it failed (unreachable, every query failed).',
          labelNames: ['source'] as const,
          registers,
        }),
        duration: new Histogram({
          name: 'autoheal_feature_source_collect_duration_seconds',
          help: 'Time to collect the features of one target or one round of targets, by source and outcome (success, failure).',
          labelNames: ['source', 'outcome'] as const,
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          registers,
        }),
      };
      const { up, duration } = sourceMetrics;
      const timed = <A extends unknown[], R>(collect: (...args: A) => Promise<R>) =>
        async (...args: A): Promise<R> => {
          const started = process.hrtime.bigint();
          const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
          try {
            const result = await collect(...args);
            up.set({ source: source.name }, 1);
            duration.observe({ source: source.name, outcome: 'success' }, seconds());
            return result;
          } catch (error) {
            // A caller giving up (shutdown) says nothing about the source.
            const signal = (args[1] as { signal?: AbortSignal } | undefined)?.signal;
            if (!signal?.aborted) {
              up.set({ source: source.name }, 0);
              duration.observe({ source: source.name, outcome: 'failure' }, seconds());
            }
            throw error;
          }
        };
      const collect = timed(source.collect.bind(source));
      const collectMany = timed(source.collectMany.bind(source));
      // A Proxy, not a copy: every other member (ping, close, queryRange, live getters) stays the source's own.
      return new Proxy(source, {
        get(target, property) {
          if (property === 'collect') return collect;
          if (property === 'collectMany') return collectMany;
          return Reflect.get(target, property, target);
        },
      });
    },
    trackLeadership(isLeader) {
      if (leadershipTracked) return;
      leadershipTracked = true;
      new Gauge({
        name: 'autoheal_leader',
        help: 'Leader election: 1 when this replica holds the leader Lease (or leader election is off) and so evaluates and heals, 0 when it stands by.',
        registers,
        collect() {
          const leading = isLeader();
          this.set(leading ? 1 : 0);
          // A replica that lost the Lease would otherwise export its last risk and verdicts forever.
          if (!leading) for (const gauge of perTargetGauges) gauge.reset();
        },
      });
    },
  };
}

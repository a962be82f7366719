/**
 * `createPipeline`: the wiring of FeatureSource → RiskModel → policy → Healer → Notifiers. Each
 * evaluation of a target produces exactly one DecisionRecord. To follow one evaluation, read in
 * order: `watch-loop.ts` (rounds) → `evaluation.ts` (one target) → `look.ts` (collect + score) →
 * `ladder.ts` (the pure rules) → `take-step.ts` (the only effects) → `decision-record.ts` and
 * `publisher.ts` (the record and who hears of it).
 */
import { errorMessage, ConfigError } from '../errors.js';
import { describeMissingFeatures } from '../feature-providers.js';
import { targetRefSchema, type TargetRef, type TargetRefInput } from '../target.js';
import { parseWithSchema } from '../validation.js';
import { createCircuitBreaker } from './circuit-breaker.js';
import { createDecisionIdGenerator } from './decision-id.js';
import { createEvaluator } from './evaluation.js';
import { createLooker } from './look.js';
import { healNowOptionsSchema, pipelineOptionsSchema, runOnceOptionsSchema, watchOptionsSchema } from './pipeline-options.js';
import type { Policy } from './policy.js';
import { createPublisher } from './publisher.js';
import { createStepExecutor } from './take-step.js';
import { resolveThreshold } from './threshold.js';
import type { Pipeline, PipelineErrorContext, PipelineOptions } from './types.js';
import { runUntilSettled, watchTargets } from './watch-loop.js';

const COMPONENT = 'pipeline';

/** A name for this pipeline's claims when the caller gives none: unique per pipeline, so never mistaken for another process's. */
function defaultIdentity(): string {
  const random = globalThis.crypto?.randomUUID?.().slice(0, 8) ?? Math.random().toString(16).slice(2, 10);
  return `autoheal-${random}`;
}

/**
 * Composes the four adapters and the policy into a {@link Pipeline}.
 *
 * Throws a `ConfigError` when an option is wrong (the message names each field), and a `ConfigError`
 * with code `COMPOSITION_INVALID` when the feature source does not provide every feature the risk
 * model needs.
 *
 * A failed step (`outcome.ok === false`) still counts as an attempt: the ladder escalates at the
 * next re-check, so a step that cannot work is not retried forever.
 *
 * @example
 * const pipeline = createPipeline({
 *   featureSource: createPrometheusFeatureSource({ url: 'http://prometheus:9090' }),
 *   riskModel: await createOnnxRiskModel({ modelPath: 'models/risk.onnx' }),
 *   healer: createKubernetesHealer({}),
 *   notifiers: [createSlackNotifier({ webhookUrl: process.env.SLACK_WEBHOOK_URL })],
 *   policy: { dryRun: true },
 * });
 * const record = await pipeline.evaluate({ namespace: 'prod', name: 'backend' });
 * console.log(record.summary);
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  const parsed = parseWithSchema(pipelineOptionsSchema, options, COMPONENT, 'invalid pipeline options');
  const { featureSource, riskModel, healer, notifiers, clock, delivery, fence } = parsed;
  const identity = parsed.identity ?? defaultIdentity();
  const policy: Policy = { ...parsed.policy, threshold: resolveThreshold(parsed.policy.threshold, riskModel) };
  const onError = parsed.onError ?? ((error: unknown, context: PipelineErrorContext) => console.error(`[autoheal] [${context.component}]`, errorMessage(error)));

  const notProvided = riskModel.featureNames.filter((feature) => !featureSource.featureNames.includes(feature));
  if (notProvided.length > 0) {
    throw new ConfigError(
      `risk model "${riskModel.name}" (version ${riskModel.version}) needs features that feature source "${featureSource.name}" does not provide: ${describeMissingFeatures(notProvided)}. ` +
        `Configure the source to provide them, or use a model trained on the source's features (${featureSource.featureNames.join(', ')}).`,
      { component: COMPONENT, code: 'COMPOSITION_INVALID', details: { missing: notProvided, featureSource: featureSource.name, riskModel: riskModel.name } },
    );
  }

  /** Reports a background failure; a throwing `onError` must not break the evaluation either. */
  function reportError(error: unknown, context: PipelineErrorContext): void {
    try {
      onError(error, context);
    } catch {
      // Nothing sensible is left to do with an error handler that fails.
    }
  }

  const circuit = createCircuitBreaker({ ...policy.circuitBreaker, priorActionTimes: parsed.circuitHistory, ...(parsed.circuitStore ? { store: parsed.circuitStore } : {}) });
  const looker = createLooker({ featureSource, riskModel, clock, reportError });
  const executor = createStepExecutor({ healer, looker, circuit, clock, policy, identity, reportError, ...(fence ? { fence } : {}) });
  const publisher = createPublisher({
    notifiers,
    healer,
    reportError,
    delivery: { capacity: delivery.queueCapacity, retries: delivery.retries, retryDelayMs: delivery.retryDelayMs, timeoutMs: delivery.timeoutMs },
  });
  const evaluator = createEvaluator({
    policy,
    looker,
    executor,
    circuit,
    publisher,
    clock,
    identity,
    nextId: createDecisionIdGenerator(),
    pauses: parsed.pauses,
    overridesFor: parsed.targetOverrides,
  });
  const parseTarget = (input: TargetRefInput, what = 'watch'): TargetRef => parseWithSchema(targetRefSchema, input, COMPONENT, `${what}: invalid target`, 'INPUT_INVALID');
  const thresholdFor = (target: TargetRef) => evaluator.policyFor(target).threshold;
  const loopParts = { featureSource, looker, clock, reportError, parseTarget, thresholdFor, evaluate: evaluator.evaluate };
  let closing: Promise<void> | undefined;

  return {
    policy,
    thresholdFor: (input) => thresholdFor(parseTarget(input, 'thresholdFor')),
    policyFor: (input) => evaluator.policyFor(parseTarget(input, 'policyFor')),
    evaluate: async (input, evaluateOptions = {}) => evaluator.evaluate(parseTarget(input, 'evaluate'), evaluateOptions.signal),
    resetTarget: async (input, resetOptions = {}) => evaluator.reset(parseTarget(input, 'resetTarget'), resetOptions.reason, resetOptions.signal),
    async healNow(input, healOptions = {}) {
      const { signal, step, force, dryRun, reason } = parseWithSchema(healNowOptionsSchema, healOptions, COMPONENT, 'healNow: invalid options');
      const target = parseTarget(input, 'healNow');
      return evaluator.healNow(target, { kind: 'heal-now', force, dryRun, ...(step ? { step } : {}), ...(reason ? { reason } : {}) }, signal);
    },
    inspect: async (input, inspectOptions = {}) => evaluator.inspect(parseTarget(input, 'inspect'), inspectOptions.signal),
    async runOnce(input, runOptions = {}) {
      const { signal, onWait, unknownRetry } = parseWithSchema(runOnceOptionsSchema, runOptions, COMPONENT, 'runOnce: invalid options');
      const retry = { withinMs: unknownRetry?.withinMs ?? policy.recheckDelayMs, everyMs: unknownRetry?.everyMs ?? 15_000 };
      return runUntilSettled(loopParts, parseTarget(input, 'evaluate'), { signal, onWait, unknownRetry: retry });
    },
    async watch(targets, watchOptions = {}) {
      const { intervalMs, concurrency, signal } = parseWithSchema(watchOptionsSchema, watchOptions, COMPONENT, 'watch: invalid options');
      return watchTargets(loopParts, targets, { intervalMs, concurrency, signal });
    },
    subscribe: (listener) => publisher.subscribe(listener),
    circuitState: () => circuit.state(clock.now()),
    identity,
    flush: (flushOptions = {}) => publisher.flush(flushOptions.timeoutMs),
    deliveryStats: () => publisher.stats(),
    drain: (drainOptions = {}) => publisher.drain(drainOptions.timeoutMs ?? delivery.drainTimeoutMs),
    close() {
      closing ??= (async () => {
        // Notifications first (bounded): a CI run must not exit before Slack is told.
        await publisher.drain(delivery.drainTimeoutMs);
        // The same object may fill two roles (a healer that also notifies): close it once.
        const adapters = [...new Set<{ name: string; close?: () => Promise<void> }>([featureSource, riskModel, healer, ...notifiers])];
        await Promise.all(
          adapters.map(async (adapter) => {
            try {
              await adapter.close?.();
            } catch (error) {
              reportError(error, { component: `close:${adapter.name}` });
            }
          }),
        );
      })();
      return closing;
    },
  };
}

/**
 * The pipeline: FeatureSource → RiskModel → policy → Healer → Notifiers, and the healing state
 * machine with its safety rules. Each evaluation of a target produces exactly one DecisionRecord.
 *
 * The state machine (the ladder position is the Healer's persisted `HealingState`):
 *
 * - healthy, attempt 0 → `none`.
 * - at risk, attempt n < ladder length → take step `ladder[n]` (attempt n+1) → `heal`, unless a
 *   safety rule stops it → `suppressed` with the rule's reason.
 * - within `recheckDelayMs` of the last step → `awaiting-recheck` (nothing is judged yet).
 * - at the re-check: still at risk → the next step (escalation); healthy → `kept` (once), then
 *   `none` while the healthy period runs, then `reset` (state cleared) after `healthyResetMs`.
 * - at risk after the last step → `handoff` (once), then `suppressed`/`ceiling-reached`. Only a
 *   reset after the healthy period, or an operator clearing the state, ends the episode.
 */
import { z } from 'zod';
import { verdictFor, type RiskAssessment, type RiskScore } from '../assessment.js';
import { systemClock, type Clock } from '../clock.js';
import type { DecisionKind, DecisionRecord, SuppressedReason } from '../decision.js';
import { AutohealError, ConfigError, HealingError, errorMessage } from '../errors.js';
import { missingFeatures, type FeatureObservation, type FeatureVector } from '../features.js';
import { healStepSchema, type HealingState, type HealOutcome, type HealPlan, type HealStep, type HealStepKind } from '../healing.js';
import type { FeatureSource } from '../interfaces/feature-source.js';
import type { Healer } from '../interfaces/healer.js';
import type { Notifier } from '../interfaces/notifier.js';
import type { RiskModel } from '../interfaces/risk-model.js';
import { targetKey, targetRefSchema, type TargetRef, type TargetRefInput } from '../target.js';
import { parseWithSchema } from '../validation.js';
import { createCircuitBreaker } from './circuit-breaker.js';
import { createDecisionIdGenerator } from './decision-id.js';
import { policySchema, type Policy } from './policy.js';
import { resolveThreshold, thresholdForTarget } from './threshold.js';
import type { HealNowOptions, Pipeline, PipelineErrorContext, PipelineOptions, RunOnceOptions, TargetInspection, WatchOptions } from './types.js';

const COMPONENT = 'pipeline';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const hasMethods = (value: unknown, methods: string[]): boolean => isObject(value) && methods.every((method) => typeof value[method] === 'function');
const hasName = (value: unknown): boolean => isObject(value) && typeof value.name === 'string' && value.name.length > 0;
const hasFeatureNames = (value: unknown): boolean => isObject(value) && Array.isArray(value.featureNames) && value.featureNames.length > 0;

const pipelineOptionsSchema = z.object({
  featureSource: z.custom<FeatureSource>(
    (value) => hasName(value) && hasFeatureNames(value) && hasMethods(value, ['collect', 'collectMany']),
    'must be a FeatureSource: an object with a name, a non-empty featureNames list, collect() and collectMany(), e.g. createPrometheusFeatureSource(...)',
  ),
  riskModel: z.custom<RiskModel>(
    (value) => hasName(value) && hasFeatureNames(value) && isObject(value) && typeof value.version === 'string' && hasMethods(value, ['score', 'scoreBatch']),
    'must be a RiskModel: an object with a name, a version, a non-empty featureNames list, score() and scoreBatch(), e.g. createOnnxRiskModel(...)',
  ),
  healer: z.custom<Healer>(
    (value) => hasName(value) && hasMethods(value, ['readState', 'writeState', 'plan', 'apply']),
    'must be a Healer: an object with a name, readState(), writeState(), plan() and apply(), e.g. createKubernetesHealer(...)',
  ),
  notifiers: z
    .array(z.custom<Notifier>((value) => hasName(value) && hasMethods(value, ['notify']), 'must be a Notifier: an object with a name and notify(), e.g. createSlackNotifier(...)'))
    .default([]),
  policy: policySchema.prefault({}),
  clock: z.custom<Clock>((value) => hasMethods(value, ['now', 'sleep']), 'must be a Clock: an object with now() and sleep(ms, signal)').default(systemClock),
  onError: z.custom<NonNullable<PipelineOptions['onError']>>((value) => typeof value === 'function', 'must be a function (error, context) => void').optional(),
  circuitHistory: z.array(z.number('must be epoch milliseconds')).default([]),
});

const healNowOptionsSchema = z.object({
  step: z.enum(['restart', 'cache', 'rollback'], { message: 'must be restart, cache or rollback' }).optional(),
  force: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  reason: z.string().optional(),
  signal: z.custom<AbortSignal>((value) => isObject(value) && typeof value.aborted === 'boolean', 'must be an AbortSignal').optional(),
});

const watchOptionsSchema = z.object({
  intervalMs: z.number().int('must be a whole number of milliseconds').positive('must be > 0, e.g. 15000').default(15_000),
  concurrency: z.number().int('must be a whole number').min(1, 'must be at least 1').default(8),
  signal: z.custom<AbortSignal>((value) => isObject(value) && typeof value.aborted === 'boolean', 'must be an AbortSignal').optional(),
});

const runOnceOptionsSchema = z.object({
  signal: z.custom<AbortSignal>((value) => isObject(value) && typeof value.aborted === 'boolean', 'must be an AbortSignal').optional(),
  onWait: z.custom<NonNullable<RunOnceOptions['onWait']>>((value) => typeof value === 'function', 'must be a function (untilMs, record) => void').optional(),
});

/** What one look at a target found: the collected features and the model's judgement. */
interface Look {
  observation: FeatureObservation;
  assessment: RiskAssessment;
}

/** What the state machine decided, before it is turned into a DecisionRecord. */
interface Decided {
  decision: DecisionKind;
  suppressedReason?: SuppressedReason;
  /** The ladder state after the decision. */
  state: HealingState;
  action?: { step: HealStepKind; plan: HealPlan; outcome?: HealOutcome };
  /** Extra words for the summary (why it was suppressed, when the reset is due, ...). */
  note?: string;
  /** Set for a reset or a step asked for by an operator rather than decided by the loop. */
  byOperator?: boolean;
  /** Overrides `policy.dryRun` in the record (an operator's dry-run of one step). */
  dryRun?: boolean;
}

function formatProbability(probability: number): string {
  return probability.toFixed(2);
}

/** "risk 0.82 >= 0.50", "risk 0.10 < 0.50" or "risk unknown (why)". */
function describeRisk(assessment: RiskAssessment): string {
  if (assessment.verdict === 'unknown' || assessment.probability === null) return `risk unknown (${assessment.reason ?? 'no probability'})`;
  const comparison = assessment.verdict === 'at-risk' ? '>=' : '<';
  return `risk ${formatProbability(assessment.probability)} ${comparison} ${formatProbability(assessment.threshold)}`;
}

function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** Runs `work` for every item, at most `limit` at a time. `work` must not reject. */
async function forEachWithConcurrency<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let nextIndex = 0;
  const worker = async (): Promise<void> => {
    while (nextIndex < items.length) {
      const item = items[nextIndex++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
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
 *   riskModel: await createOnnxRiskModel({ path: 'models/risk.onnx' }),
 *   healer: createKubernetesHealer({}),
 *   notifiers: [createSlackNotifier({ webhookUrl: process.env.SLACK_WEBHOOK_URL })],
 *   policy: { threshold: 0.6, dryRun: true },
 * });
 * const record = await pipeline.evaluate({ namespace: 'prod', name: 'backend' });
 * console.log(record.summary);
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  const parsed = parseWithSchema(pipelineOptionsSchema, options, COMPONENT, 'invalid pipeline options');
  const { featureSource, riskModel, healer, notifiers, clock } = parsed;
  const policy: Policy = { ...parsed.policy, threshold: resolveThreshold(parsed.policy.threshold, riskModel) };
  const onError = parsed.onError ?? ((error: unknown, context: PipelineErrorContext) => console.error(`[autoheal] [${context.component}]`, errorMessage(error)));

  const notProvided = riskModel.featureNames.filter((feature) => !featureSource.featureNames.includes(feature));
  if (notProvided.length > 0) {
    throw new ConfigError(
      `risk model "${riskModel.name}" (version ${riskModel.version}) needs features that feature source "${featureSource.name}" does not provide: ${notProvided.join(', ')}. ` +
        `Configure the source to provide them, or use a model trained on the source's features (${featureSource.featureNames.join(', ')}).`,
      { component: COMPONENT, code: 'COMPOSITION_INVALID', details: { missing: notProvided, featureSource: featureSource.name, riskModel: riskModel.name } },
    );
  }

  const maxAttempts = policy.ladder.length;
  const circuit = createCircuitBreaker(policy.circuitBreaker, parsed.circuitHistory);
  const nextId = createDecisionIdGenerator();
  const listeners = new Set<(record: DecisionRecord) => void>();
  // Targets with an evaluation between "read the state" and "state written": at most one action per target.
  const inFlightTargets = new Set<string>();
  let closing: Promise<void> | undefined;

  /** Reports a background failure; a throwing `onError` must not break the evaluation either. */
  function reportError(error: unknown, context: PipelineErrorContext): void {
    try {
      onError(error, context);
    } catch {
      // Nothing sensible is left to do with an error handler that fails.
    }
  }

  /** After an adapter failed: if the caller aborted, stop the evaluation instead of recording `unknown`. */
  function throwIfAborted(signal: AbortSignal | undefined, cause: unknown): void {
    if (signal?.aborted) throw new AutohealError('evaluation aborted', { component: COMPONENT, code: 'ABORTED', cause });
  }

  function unknownAssessment(threshold: number, reason: string): RiskAssessment {
    return { probability: null, threshold, verdict: 'unknown', model: { name: riskModel.name, version: riskModel.version }, missingFeatures: [...riskModel.featureNames], reason };
  }

  /**
   * Collects (unless `prefetched` is given) and scores one target. Source and model failures become an
   * `unknown` verdict with the reason.
   */
  async function look(target: TargetRef, threshold: number, signal: AbortSignal | undefined, prefetched?: FeatureObservation): Promise<Look> {
    let observation: FeatureObservation;
    try {
      observation = prefetched ?? (await featureSource.collect(target, { signal }));
    } catch (error) {
      throwIfAborted(signal, error);
      const reason = `feature source "${featureSource.name}" failed: ${errorMessage(error)}`;
      return {
        observation: {
          target,
          observedAt: clock.now(),
          values: Object.fromEntries(featureSource.featureNames.map((feature) => [feature, null])),
          missing: featureSource.featureNames.map((feature) => ({ feature, reason })),
        },
        assessment: unknownAssessment(threshold, reason),
      };
    }

    // The model gets exactly its own features, in its order; extra source features are only recorded.
    const vector: FeatureVector = Object.fromEntries(riskModel.featureNames.map((feature) => [feature, observation.values[feature] ?? null]));
    const missing = missingFeatures(vector, riskModel.featureNames);
    let score: RiskScore | undefined;
    let modelFailure: string | undefined;
    try {
      score = await riskModel.score(vector, { signal });
      if (!Number.isFinite(score.probability) || score.probability < 0 || score.probability > 1) {
        modelFailure = `risk model "${riskModel.name}" returned probability ${score.probability}, outside [0, 1]`;
        score = undefined;
      }
    } catch (error) {
      throwIfAborted(signal, error);
      modelFailure = `risk model "${riskModel.name}" failed: ${errorMessage(error)}`;
    }

    const probability = score?.probability ?? null;
    const reasons: string[] = [];
    if (missing.length > 0) {
      const why = (feature: string) => observation.missing.find((entry) => entry.feature === feature)?.reason ?? 'no value';
      reasons.push(`missing features: ${missing.map((feature) => `${feature} (${why(feature)})`).join(', ')}`);
    }
    if (modelFailure) reasons.push(modelFailure);
    const assessment: RiskAssessment = {
      probability,
      threshold,
      verdict: verdictFor(probability, threshold, missing),
      model: { name: riskModel.name, version: riskModel.version },
      missingFeatures: missing,
    };
    if (score?.contributions) assessment.contributions = score.contributions;
    if (reasons.length > 0) assessment.reason = reasons.join('; ');
    return { observation, assessment };
  }

  async function readState(target: TargetRef, signal: AbortSignal | undefined): Promise<HealingState> {
    try {
      return await healer.readState(target, { signal });
    } catch (error) {
      throwIfAborted(signal, error);
      throw new HealingError(`could not read the ladder state of ${targetKey(target)} from healer "${healer.name}": ${errorMessage(error)}`, {
        component: COMPONENT,
        cause: error,
        retryable: true,
      });
    }
  }

  /**
   * Saves the ladder state (never in dry-run). No signal is passed on purpose: a step that ran must be
   * counted even when autoheal is shutting down, or the next run would repeat it. A failed write
   * goes to `onError` and into the summary; it does not undo the decision.
   */
  async function saveState(target: TargetRef, state: HealingState | null): Promise<string | undefined> {
    if (policy.dryRun) return undefined;
    try {
      await healer.writeState(target, state);
      return undefined;
    } catch (error) {
      reportError(error, { component: 'healer:writeState', target });
      return `the ladder state could not be saved (${errorMessage(error)})`;
    }
  }

  function stepLabel(attempt: number, kind: HealStepKind | undefined): string {
    return `step ${attempt}/${maxAttempts}${kind ? ` (${kind})` : ''}`;
  }

  /**
   * Applies a plan, giving up after `policy.actionTimeoutMs`: the healer's signal is then aborted and
   * the step is reported as failed. A thrown error becomes a failed outcome too; neither is rethrown,
   * because the step may have changed the cluster and must be counted.
   */
  async function applyWithTimeout(target: TargetRef, plan: HealPlan, signal: AbortSignal | undefined): Promise<HealOutcome> {
    const failed = (message: string): HealOutcome => ({ ok: false, dryRun: false, message, results: [] });
    const controller = new AbortController();
    const forwardAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) forwardAbort();
    else signal?.addEventListener('abort', forwardAbort, { once: true });

    const applying = healer.apply(target, plan, { signal: controller.signal }).catch((error: unknown) => failed(`apply failed: ${errorMessage(error)}`));
    const timedOut = clock.sleep(policy.actionTimeoutMs, controller.signal).then(
      () => failed(`apply timed out after ${policy.actionTimeoutMs} ms (healer "${healer.name}"); the step may be partly done`),
      () => new Promise<never>(() => {}), // the step ended first and cancelled the timer: never wins the race
    );
    try {
      return await Promise.race([applying, timedOut]);
    } finally {
      signal?.removeEventListener('abort', forwardAbort);
      // Cancels the timer, or tells a step that is still running to stop.
      controller.abort(new HealingError(`step on ${targetKey(target)} stopped waiting`, { component: COMPONENT }));
    }
  }

  async function decideWhenHealthy(target: TargetRef, state: HealingState, now: number): Promise<Decided> {
    if (state.attempt === 0) return { decision: 'none', state };
    const healthySince = state.healthySince ?? now;
    if (now - healthySince >= policy.healthyResetMs) {
      const problem = await saveState(target, null);
      return { decision: 'reset', state: { attempt: 0 }, note: problem };
    }
    const next: HealingState = { ...state, healthySince, keptNotified: true };
    const problem = next.healthySince !== state.healthySince || !state.keptNotified ? await saveState(target, next) : undefined;
    const resetNote = `the attempt count resets at ${isoTime(healthySince + policy.healthyResetMs)} if it stays healthy`;
    // `kept` is reported once per step; later healthy evaluations are quiet (`none`) until the reset.
    return { decision: state.keptNotified ? 'none' : 'kept', state: next, note: [resetNote, problem].filter(Boolean).join('; ') };
  }

  async function decideWhenAtRisk(target: TargetRef, threshold: number, stored: HealingState, now: number, signal: AbortSignal | undefined): Promise<Decided> {
    let state = stored;
    if (state.healthySince !== undefined) {
      // The healthy streak is broken: the reset timer starts again at the next healthy evaluation.
      const { healthySince: _dropped, ...rest } = state;
      state = rest;
      await saveState(target, state);
    }

    if (state.attempt >= maxAttempts) {
      if (state.handoffNotified) {
        return { decision: 'suppressed', suppressedReason: 'ceiling-reached', state, note: 'every step of the ladder was tried; waiting for a human' };
      }
      const next: HealingState = { ...state, handoffNotified: true };
      return { decision: 'handoff', state: next, note: await saveState(target, next) };
    }

    const attempt = state.attempt + 1;
    const step: HealStep = policy.ladder[state.attempt]!;
    const suppress = (suppressedReason: SuppressedReason, note: string, action?: Decided['action']): Decided => ({
      decision: 'suppressed',
      suppressedReason,
      state,
      note: `${stepLabel(attempt, step.kind)} not taken: ${note}`,
      ...(action ? { action } : {}),
    });

    if (state.lastActionAt !== undefined && now < state.lastActionAt + policy.cooldownMs) {
      return suppress('cooldown', `cooldown until ${isoTime(state.lastActionAt + policy.cooldownMs)}`);
    }
    const circuitNow = circuit.state(now);
    if (circuitNow.open) {
      return suppress('circuit-open', `circuit breaker open (${circuitNow.actionsInWindow}/${circuitNow.maxActions} steps in the last ${policy.circuitBreaker.windowMs} ms)`);
    }
    if (policy.revalidateBeforeAction) {
      // A fresh look right before acting: never heal a target that recovered while we were deciding.
      const fresh = await look(target, threshold, signal);
      if (fresh.assessment.verdict === 'unknown') return suppress('unknown', `re-validation could not judge the target: ${describeRisk(fresh.assessment)}`);
      if (fresh.assessment.verdict === 'healthy') return suppress('recovered', `re-validation found it healthy (${describeRisk(fresh.assessment)})`);
    }

    let plan: HealPlan;
    try {
      plan = await healer.plan(target, step, attempt, { signal });
    } catch (error) {
      throwIfAborted(signal, error);
      // A plan that cannot be computed is treated like a refusal: nothing is applied, and the next
      // evaluation tries again.
      plan = { step, attempt, operations: [], refusal: `planning failed: ${errorMessage(error)}` };
    }
    if (plan.refusal !== undefined) return suppress('refused', `healer "${healer.name}" refused: ${plan.refusal}`, { step: step.kind, plan });
    if (policy.dryRun) {
      const wouldDo = plan.operations.map((operation) => operation.description).join(', ') || 'nothing';
      return suppress('dry-run', `dry-run, nothing applied; would ${wouldDo}`, { step: step.kind, plan });
    }

    const actedAt = clock.now();
    if (!circuit.tryAcquire(actedAt)) {
      // Another target took the last slot while this one was re-validating and planning.
      const current = circuit.state(actedAt);
      return suppress('circuit-open', `circuit breaker open (${current.actionsInWindow}/${current.maxActions} steps in the window)`);
    }
    const outcome = await applyWithTimeout(target, plan, signal);
    // A failed step still counts as an attempt, so the ladder escalates instead of repeating it.
    const next: HealingState = { attempt, lastActionAt: actedAt, lastStep: step.kind, keptNotified: false, handoffNotified: false };
    const problem = await saveState(target, next);
    return { decision: 'heal', state: next, action: { step: step.kind, plan, outcome }, note: problem };
  }

  async function decide(target: TargetRef, threshold: number, first: Look, signal: AbortSignal | undefined): Promise<Decided> {
    const state = await readState(target, signal);
    const now = clock.now();
    const { verdict } = first.assessment;
    if (verdict === 'unknown') {
      return { decision: 'suppressed', suppressedReason: 'unknown', state, note: 'never act on what cannot be seen' };
    }
    if (state.attempt > 0 && state.lastActionAt !== undefined && now < state.lastActionAt + policy.recheckDelayMs) {
      return { decision: 'awaiting-recheck', state };
    }
    return verdict === 'healthy' ? decideWhenHealthy(target, state, now) : decideWhenAtRisk(target, threshold, state, now, signal);
  }

  function summarize(key: string, assessment: RiskAssessment, decided: Decided, recheckAt: number | undefined): string {
    const { state, action } = decided;
    const risk = describeRisk(assessment);
    const lastStep = stepLabel(state.attempt, state.lastStep);
    const words = ((): string => {
      switch (decided.decision) {
        case 'none':
          return state.attempt === 0 ? `healthy (${risk}), nothing to do` : `healthy (${risk}) after ${lastStep}`;
        case 'heal':
          return `${assessment.verdict === 'at-risk' ? 'at risk' : assessment.verdict} (${risk}): ${stepLabel(state.attempt, action?.step)} ${action?.outcome?.ok ? 'applied' : `failed: ${action?.outcome?.message ?? 'no outcome'}`}${decided.byOperator ? ' by an operator' : ''}`;
        case 'awaiting-recheck':
          return `${lastStep} taken, re-check at ${recheckAt === undefined ? 'once due' : isoTime(recheckAt)} (${risk})`;
        case 'kept':
          return `healthy again (${risk}) after ${lastStep}: keeping it`;
        case 'reset':
          if (decided.byOperator) return `reset by an operator (${risk}): attempt count back to 0`;
          return `healthy for ${policy.healthyResetMs} ms after the last step (${risk}): attempt count reset to 0`;
        case 'handoff':
          return `still at risk (${risk}) after the last step, ${lastStep}: a human is needed`;
        case 'suppressed':
          return `${assessment.verdict === 'unknown' ? risk : `${assessment.verdict === 'healthy' ? 'healthy' : 'at risk'} (${risk})`}, suppressed (${decided.suppressedReason})`;
      }
    })();
    // One line, whatever the adapters' error messages contain: logs, Slack and Events show it as is.
    return `${key}: ${words}${decided.note ? `; ${decided.note}` : ''}`.replace(/\s*[\r\n]+\s*/g, ' ');
  }

  function buildRecord(target: TargetRef, startedAt: number, first: Look, decided: Decided): DecisionRecord {
    const now = clock.now();
    const { state } = decided;
    const ladder: DecisionRecord['ladder'] = { attempt: state.attempt, maxAttempts, nextStep: policy.ladder[state.attempt]?.kind ?? null };
    if (state.lastActionAt !== undefined && state.lastActionAt + policy.cooldownMs > now) ladder.cooldownUntil = state.lastActionAt + policy.cooldownMs;
    const recheckPending = (decided.decision === 'heal' || decided.decision === 'awaiting-recheck') && state.lastActionAt !== undefined;
    if (recheckPending) ladder.recheckAt = state.lastActionAt! + policy.recheckDelayMs;
    const record: DecisionRecord = {
      id: nextId(startedAt),
      target,
      time: isoTime(startedAt),
      features: { ...first.observation.values },
      missing: [...first.observation.missing],
      assessment: first.assessment,
      decision: decided.decision,
      ladder,
      circuit: circuit.state(now),
      dryRun: decided.dryRun ?? policy.dryRun,
      summary: summarize(targetKey(target), first.assessment, decided, ladder.recheckAt),
      durationMs: Math.max(0, now - startedAt),
    };
    if (decided.suppressedReason) record.suppressedReason = decided.suppressedReason;
    if (decided.action) record.action = decided.action;
    return record;
  }

  /** Hands the record to listeners, notifiers and the healer's recorder; their failures go to onError. */
  async function publish(record: DecisionRecord): Promise<void> {
    for (const listener of listeners) {
      try {
        listener(record);
      } catch (error) {
        reportError(error, { component: 'subscriber', target: record.target, record });
      }
    }
    const deliveries: Array<{ component: string; deliver: () => Promise<void> }> = notifiers.map((notifier) => ({
      component: `notifier:${notifier.name}`,
      deliver: () => notifier.notify(record),
    }));
    if (healer.recordDecision) deliveries.push({ component: 'healer:recordDecision', deliver: () => healer.recordDecision!(record) });
    // Awaited (so a CI run does not exit before Slack is told), but never rejected: each failure is reported alone.
    await Promise.all(
      deliveries.map(async ({ component, deliver }) => {
        try {
          await deliver();
        } catch (error) {
          reportError(error, { component, target: record.target, record });
        }
      }),
    );
  }

  function parseTarget(input: TargetRefInput, what: string): TargetRef {
    return parseWithSchema(targetRefSchema, input, COMPONENT, `${what}: invalid target`, 'INPUT_INVALID');
  }

  async function evaluate(input: TargetRefInput, evaluateOptions: { signal?: AbortSignal } = {}): Promise<DecisionRecord> {
    return evaluateTarget(parseTarget(input, 'evaluate'), evaluateOptions.signal);
  }

  /** One evaluation; `prefetched` is the target's observation when `watch` already collected it in a batch. */
  async function evaluateTarget(target: TargetRef, signal: AbortSignal | undefined, prefetched?: FeatureObservation): Promise<DecisionRecord> {
    const key = targetKey(target);
    const startedAt = clock.now();
    const threshold = thresholdForTarget(policy, target);
    const first = await look(target, threshold, signal, prefetched);

    return decideExclusively(target, startedAt, first, signal, () => decide(target, threshold, first, signal), {
      note: 'another evaluation of this target is still deciding or acting',
    });
  }

  /**
   * Runs `decideStep` holding the target's in-flight lock (or reports `in-flight` when another
   * evaluation holds it), then records and publishes the decision. Shared by the loop and `healNow`.
   */
  async function decideExclusively(
    target: TargetRef,
    startedAt: number,
    first: Look,
    signal: AbortSignal | undefined,
    decideStep: () => Promise<Decided>,
    inFlight: { note: string; byOperator?: boolean },
  ): Promise<DecisionRecord> {
    const key = targetKey(target);
    let decided: Decided;
    if (inFlightTargets.has(key)) {
      decided = {
        decision: 'suppressed',
        suppressedReason: 'in-flight',
        state: await readState(target, signal),
        note: inFlight.note,
        ...(inFlight.byOperator ? { byOperator: true } : {}),
      };
    } else {
      inFlightTargets.add(key);
      try {
        decided = await decideStep();
      } finally {
        inFlightTargets.delete(key);
      }
    }
    const record = buildRecord(target, startedAt, first, decided);
    await publish(record);
    return record;
  }

  async function resetTarget(input: TargetRefInput, resetOptions: { signal?: AbortSignal; reason?: string } = {}): Promise<DecisionRecord> {
    const { signal, reason } = resetOptions;
    const target = parseTarget(input, 'resetTarget');
    const key = targetKey(target);
    const startedAt = clock.now();
    const first = await look(target, thresholdForTarget(policy, target), signal);
    if (inFlightTargets.has(key)) {
      throw new HealingError(`cannot reset ${key} while an evaluation is deciding or acting on it; try again in a moment`, { component: COMPONENT, retryable: true });
    }
    inFlightTargets.add(key);
    let previous: HealingState;
    try {
      previous = await readState(target, signal);
      // Written even in dry-run: the operator asked for it explicitly.
      await healer.writeState(target, null, { signal });
    } catch (error) {
      if (AutohealError.isInstance(error)) throw error;
      throw new HealingError(`could not reset the ladder state of ${key} in healer "${healer.name}": ${errorMessage(error)}`, { component: COMPONENT, cause: error, retryable: true });
    } finally {
      inFlightTargets.delete(key);
    }
    const note = `was ${stepLabel(previous.attempt, previous.lastStep)}${reason ? `; reason: ${reason}` : ''}`;
    const record = buildRecord(target, startedAt, first, { decision: 'reset', state: { attempt: 0 }, note, byOperator: true });
    await publish(record);
    return record;
  }

  /** The settings of a step kind: the ladder's own when the kind is in the ladder, else the defaults. */
  function stepOfKind(kind: HealStepKind): HealStep {
    return policy.ladder.find((step) => step.kind === kind) ?? healStepSchema.parse({ kind });
  }

  /**
   * The decision of `healNow`. The same rules as the loop, in the same order, except that the look
   * taken at the start of the call is the re-validation, and `force` lets the overridable ones pass
   * (each one it passes is named in the note).
   */
  async function decideHealNow(target: TargetRef, first: Look, options: z.output<typeof healNowOptionsSchema>, signal: AbortSignal | undefined): Promise<Decided> {
    const state = await readState(target, signal);
    const now = clock.now();
    const dryRun = options.dryRun || policy.dryRun;
    const overridden: SuppressedReason[] = [];
    const reasonNote = options.reason ? `; reason: ${options.reason}` : '';

    // No named step and no step left: the ceiling. Forced, the last step of the ladder runs again.
    const ladderStep = policy.ladder[state.attempt];
    const ceiling = options.step === undefined && ladderStep === undefined;
    const step: HealStep = options.step !== undefined ? stepOfKind(options.step) : (ladderStep ?? policy.ladder[maxAttempts - 1]!);
    const attempt = state.attempt + 1;
    const refuse = (suppressedReason: SuppressedReason, note: string, action?: Decided['action']): Decided => ({
      decision: 'suppressed',
      suppressedReason,
      state,
      note: `${stepLabel(attempt, step.kind)} by an operator not taken: ${note}${reasonNote}`,
      byOperator: true,
      ...(dryRun ? { dryRun: true } : {}),
      ...(action ? { action } : {}),
    });

    // Rules `force` may override, each with the words that explain it.
    const rules: Array<{ reason: SuppressedReason; applies: boolean; note: () => string }> = [
      { reason: 'unknown', applies: first.assessment.verdict === 'unknown', note: () => `the target cannot be judged (${describeRisk(first.assessment)})` },
      { reason: 'recovered', applies: first.assessment.verdict === 'healthy', note: () => `not at risk now (${describeRisk(first.assessment)})` },
      {
        reason: 'cooldown',
        applies: state.lastActionAt !== undefined && now < state.lastActionAt + policy.cooldownMs,
        note: () => `cooldown until ${isoTime((state.lastActionAt ?? 0) + policy.cooldownMs)}`,
      },
      {
        reason: 'circuit-open',
        applies: circuit.state(now).open,
        note: () => {
          const current = circuit.state(now);
          return `circuit breaker open (${current.actionsInWindow}/${current.maxActions} steps in the last ${policy.circuitBreaker.windowMs} ms)`;
        },
      },
      { reason: 'ceiling-reached', applies: ceiling, note: () => `every step of the ladder was tried (attempt ${state.attempt}/${maxAttempts}); name a step or reset the target` },
    ];
    for (const rule of rules) {
      if (!rule.applies) continue;
      if (!options.force) return refuse(rule.reason, rule.note());
      overridden.push(rule.reason);
    }

    let plan: HealPlan;
    try {
      plan = await healer.plan(target, step, attempt, { signal });
    } catch (error) {
      throwIfAborted(signal, error);
      plan = { step, attempt, operations: [], refusal: `planning failed: ${errorMessage(error)}` };
    }
    // The healer's refusal and dry-run hold even when forced.
    if (plan.refusal !== undefined) return refuse('refused', `healer "${healer.name}" refused: ${plan.refusal}`, { step: step.kind, plan });
    if (dryRun) {
      const wouldDo = plan.operations.map((operation) => operation.description).join(', ') || 'nothing';
      const forcedNote = overridden.length > 0 ? ` (with --force past: ${overridden.join(', ')})` : '';
      return refuse('dry-run', `dry-run, nothing applied; would ${wouldDo}${forcedNote}`, { step: step.kind, plan });
    }

    const actedAt = clock.now();
    if (!circuit.tryAcquire(actedAt)) {
      // The breaker filled up while planning (another target acted): forced, count the step anyway.
      if (!options.force) {
        const current = circuit.state(actedAt);
        return refuse('circuit-open', `circuit breaker open (${current.actionsInWindow}/${current.maxActions} steps in the window)`);
      }
      if (!overridden.includes('circuit-open')) overridden.push('circuit-open');
      circuit.record(actedAt);
    }
    const outcome = await applyWithTimeout(target, plan, signal);
    const next: HealingState = { attempt, lastActionAt: actedAt, lastStep: step.kind, keptNotified: false, handoffNotified: false };
    const problem = await saveState(target, next);
    const forcedNote = overridden.length > 0 ? `forced past: ${overridden.join(', ')}` : undefined;
    const note = [forcedNote, options.reason ? `reason: ${options.reason}` : undefined, problem].filter(Boolean).join('; ');
    return { decision: 'heal', state: next, action: { step: step.kind, plan, outcome }, byOperator: true, ...(note ? { note } : {}) };
  }

  async function healNow(input: TargetRefInput, healOptions: HealNowOptions = {}): Promise<DecisionRecord> {
    const options = parseWithSchema(healNowOptionsSchema, healOptions, COMPONENT, 'healNow: invalid options');
    const { signal } = options;
    const target = parseTarget(input, 'healNow');
    const key = targetKey(target);
    const startedAt = clock.now();
    const threshold = thresholdForTarget(policy, target);
    const first = await look(target, threshold, signal);

    // In flight is never overridden, not even by force: two actors on one Deployment undo each other.
    return decideExclusively(target, startedAt, first, signal, () => decideHealNow(target, first, options, signal), {
      note: 'another evaluation of this target is still deciding or acting; try again in a moment',
      byOperator: true,
    });
  }

  async function inspect(input: TargetRefInput, inspectOptions: { signal?: AbortSignal } = {}): Promise<TargetInspection> {
    const { signal } = inspectOptions;
    const target = parseTarget(input, 'inspect');
    const key = targetKey(target);
    const startedAt = clock.now();
    const first = await look(target, thresholdForTarget(policy, target), signal);
    const state = await readState(target, signal);
    const now = clock.now();
    const ladder: TargetInspection['ladder'] = { attempt: state.attempt, maxAttempts, nextStep: policy.ladder[state.attempt]?.kind ?? null };
    if (state.lastActionAt !== undefined && state.lastActionAt + policy.cooldownMs > now) ladder.cooldownUntil = state.lastActionAt + policy.cooldownMs;
    if (state.attempt > 0 && state.lastActionAt !== undefined && state.lastActionAt + policy.recheckDelayMs > now) ladder.recheckAt = state.lastActionAt + policy.recheckDelayMs;
    return {
      target,
      time: isoTime(startedAt),
      features: { ...first.observation.values },
      missing: [...first.observation.missing],
      assessment: first.assessment,
      state,
      ladder,
      circuit: circuit.state(now),
    };
  }

  async function runOnce(input: TargetRefInput, runOptions: RunOnceOptions = {}) {
    const { signal, onWait } = parseWithSchema(runOnceOptionsSchema, runOptions, COMPONENT, 'runOnce: invalid options');
    const records: DecisionRecord[] = [];
    for (;;) {
      const record = await evaluate(input, { signal });
      records.push(record);
      if (record.decision !== 'heal' && record.decision !== 'awaiting-recheck') return { records, final: record };
      const until = record.ladder.recheckAt ?? clock.now();
      onWait?.(until, record);
      await clock.sleep(Math.max(0, until - clock.now()), signal);
    }
  }

  /**
   * Collects every target of a watch round with one `collectMany` (a number of backend queries
   * proportional to the features, not the targets). If the batch fails, each evaluation collects its
   * own target instead, so one bad target or a batch limit never blinds the whole round. The batch
   * may be a little old by the time a target's turn comes; the re-validation before any step
   * collects afresh.
   */
  async function collectRound(targets: readonly TargetRef[], signal: AbortSignal | undefined): Promise<Map<string, FeatureObservation>> {
    const byKey = new Map<string, FeatureObservation>();
    if (targets.length === 0) return byKey;
    try {
      const observations = await featureSource.collectMany(targets, { signal });
      if (observations.length !== targets.length) {
        throw new AutohealError(`collectMany returned ${observations.length} observations for ${targets.length} targets`, { component: featureSource.name, code: 'ADAPTER_FAILED' });
      }
      observations.forEach((observation, index) => byKey.set(targetKey(targets[index]!), observation));
    } catch (error) {
      if (!signal?.aborted) reportError(error, { component: `watch:collectMany:${featureSource.name}` });
      byKey.clear();
    }
    return byKey;
  }

  async function watch(targets: readonly TargetRefInput[] | (() => Promise<readonly TargetRefInput[]>), watchOptions: WatchOptions = {}): Promise<void> {
    const { intervalMs, concurrency, signal } = parseWithSchema(watchOptionsSchema, watchOptions, COMPONENT, 'watch: invalid options');
    while (!signal?.aborted) {
      let round: readonly TargetRefInput[] = [];
      try {
        round = typeof targets === 'function' ? await targets() : targets;
      } catch (error) {
        reportError(error, { component: 'watch:targets' });
      }
      const valid: TargetRef[] = [];
      for (const input of round) {
        try {
          valid.push(parseTarget(input, 'watch'));
        } catch (error) {
          reportError(error, { component: 'watch' });
        }
      }
      const prefetched = await collectRound(valid, signal);
      await forEachWithConcurrency(valid, concurrency, async (target) => {
        if (signal?.aborted) return;
        try {
          await evaluateTarget(target, signal, prefetched.get(targetKey(target)));
        } catch (error) {
          // An abort is how the loop ends, not a failure worth reporting.
          if (!signal?.aborted) reportError(error, { component: 'watch', target });
        }
      });
      if (signal?.aborted) break;
      try {
        await clock.sleep(intervalMs, signal);
      } catch {
        break; // only an abort rejects the sleep
      }
    }
  }

  return {
    policy,
    thresholdFor: (input) => thresholdForTarget(policy, parseTarget(input, 'thresholdFor')),
    evaluate,
    resetTarget,
    healNow,
    inspect,
    runOnce,
    watch,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    circuitState: () => circuit.state(clock.now()),
    close() {
      closing ??= (async () => {
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

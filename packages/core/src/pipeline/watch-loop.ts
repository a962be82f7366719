/**
 * The two loops over evaluations: `watch` (every target, every interval, until aborted) and
 * `runOnce` (the original project's CI step: heal, wait for the re-check, escalate or keep, until
 * the episode settles).
 *
 * Why a round collects every target in one batch and scores it in one call: a Prometheus query per
 * feature per target would cost thousands of queries per round on a large fleet (`collectMany` costs
 * a number proportional to the features), and one `scoreBatch` of 10,000 rows costs about what a few
 * hundred single-row calls do. A target whose batch entry is missing or failed still looks on its
 * own. The re-validation right before a step always looks afresh (`take-step.ts`).
 */
import { mapWithConcurrency } from '../concurrency.js';
import { AutohealError } from '../errors.js';
import type { Clock } from '../clock.js';
import type { DecisionRecord } from '../decision.js';
import type { FeatureObservation } from '../features.js';
import type { FeatureSource } from '../interfaces/feature-source.js';
import type { TargetSource } from '../interfaces/target-source.js';
import { targetKey, type TargetRef, type TargetRefInput } from '../target.js';
import type { Look, Looker, RoundEntry } from './look.js';
import type { PipelineErrorContext, RunOnceResult } from './types.js';

export interface LoopParts {
  featureSource: FeatureSource;
  looker: Pick<Looker, 'lookMany'>;
  clock: Clock;
  reportError(error: unknown, context: PipelineErrorContext): void;
  /** Validates one target (throws an input error naming the field). */
  parseTarget(input: TargetRefInput): TargetRef;
  /** The threshold that judges a target (the same the evaluation would use). */
  thresholdFor(target: TargetRef): number;
  /** One evaluation; `prefetched` is the target's look from the round's batch. */
  evaluate(target: TargetRef, signal: AbortSignal | undefined, prefetched?: Look): Promise<DecisionRecord>;
}

/**
 * Collects every target of a round with one `collectMany`. If the batch fails, each evaluation
 * collects its own target instead, so one bad target or a batch limit never blinds the whole round.
 * The batch may be a little old by the time a target's turn comes; the re-validation before any
 * step collects afresh.
 */
async function collectRound(parts: LoopParts, targets: readonly TargetRef[], signal: AbortSignal | undefined): Promise<Map<string, FeatureObservation>> {
  const { featureSource, reportError } = parts;
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

/**
 * The round's looks: every observation of the batch scored with one `scoreBatch` call. A target
 * without an observation (the batch failed) or whose threshold cannot be resolved (its overrides are
 * invalid) has no look here and looks on its own in its evaluation.
 */
async function lookRound(parts: LoopParts, targets: readonly TargetRef[], signal: AbortSignal | undefined): Promise<Map<string, Look>> {
  const observations = await collectRound(parts, targets, signal);
  const entries: RoundEntry[] = [];
  for (const target of targets) {
    const observation = observations.get(targetKey(target));
    if (observation === undefined) continue;
    let threshold: number;
    try {
      threshold = parts.thresholdFor(target);
    } catch {
      continue; // its evaluation reports the problem
    }
    entries.push({ target, threshold, observation });
  }
  const looks = new Map<string, Look>();
  try {
    const scored = await parts.looker.lookMany(entries, signal);
    scored.forEach((look, index) => looks.set(targetKey(entries[index]!.target), look));
  } catch (error) {
    // Only an abort rejects lookMany: the loop is ending.
    if (!signal?.aborted) parts.reportError(error, { component: 'watch:scoreBatch' });
  }
  return looks;
}

/** Validated targets of one round; a bad entry is reported and skipped, the others still run. */
function validTargets(parts: LoopParts, round: readonly TargetRefInput[]): TargetRef[] {
  const valid: TargetRef[] = [];
  for (const input of round) {
    try {
      valid.push(parts.parseTarget(input));
    } catch (error) {
      parts.reportError(error, { component: 'watch' });
    }
  }
  return valid;
}

/** What `watch` evaluates: a fixed list, a function asked every round, or a {@link TargetSource}. */
export type WatchTargets = readonly TargetRefInput[] | (() => Promise<readonly TargetRefInput[]>) | TargetSource;

const isTargetSource = (targets: WatchTargets): targets is TargetSource => !Array.isArray(targets) && typeof (targets as TargetSource).targets === 'function';

/** This round's targets: the current set is asked for at every round, so discovered targets come and go between rounds. */
async function roundTargets(targets: WatchTargets, signal: AbortSignal | undefined): Promise<readonly TargetRefInput[]> {
  if (isTargetSource(targets)) return (await targets.targets({ signal })).targets.map((entry) => entry.target);
  return typeof targets === 'function' ? targets() : (targets as readonly TargetRefInput[]);
}

/** Evaluates `targets` every `intervalMs`, at most `concurrency` at once, until `signal` aborts. */
export async function watchTargets(
  parts: LoopParts,
  targets: WatchTargets,
  options: { intervalMs: number; concurrency: number; signal?: AbortSignal | undefined },
): Promise<void> {
  const { intervalMs, concurrency, signal } = options;
  while (!signal?.aborted) {
    let round: readonly TargetRefInput[] = [];
    try {
      round = await roundTargets(targets, signal);
    } catch (error) {
      parts.reportError(error, { component: 'watch:targets' });
    }
    const valid = validTargets(parts, round);
    const prefetched = await lookRound(parts, valid, signal);
    await mapWithConcurrency(valid, concurrency, async (target) => {
      if (signal?.aborted) return;
      try {
        await parts.evaluate(target, signal, prefetched.get(targetKey(target)));
      } catch (error) {
        // An abort is how the loop ends, not a failure worth reporting.
        if (!signal?.aborted) parts.reportError(error, { component: 'watch', target });
      }
    });
    if (signal?.aborted) break;
    try {
      await parts.clock.sleep(intervalMs, signal);
    } catch {
      break; // only an abort rejects the sleep
    }
  }
}

/** How `runUntilSettled` rides out a re-check that cannot see the target. */
export interface UnknownRetry {
  /** Keep looking for this long after the first `unknown` re-check. */
  withinMs: number;
  /** Time between two looks. */
  everyMs: number;
}

/**
 * Evaluates one target; after a step, waits for the re-check and evaluates again, until it settles.
 *
 * A step due but in its cooldown (a relapse while holding) waits for the cooldown and judges again.
 * A re-check during an episode that lands on missing data (pods restarting, counters too young for
 * a rate), or a workload that is still rolling out, is not the end: it looks again every
 * `unknownRetry.everyMs` for up to `withinMs`, then stops with that record — never acting on it
 * (unknown never heals, a rollout is not judged).
 */
export async function runUntilSettled(
  parts: Pick<LoopParts, 'clock' | 'evaluate'>,
  target: TargetRef,
  options: { signal?: AbortSignal | undefined; onWait?: ((untilMs: number, record: DecisionRecord) => void) | undefined; unknownRetry: UnknownRetry },
): Promise<RunOnceResult> {
  const { signal, onWait, unknownRetry } = options;
  const { clock } = parts;
  const records: DecisionRecord[] = [];
  let blindSince: number | undefined;
  for (;;) {
    const record = await parts.evaluate(target, signal);
    records.push(record);
    // Blind (pods restarting after a step) or mid-rollout: look again for a while rather than end the run on it.
    const blind =
      record.decision === 'suppressed' && ((record.suppressedReason === 'unknown' && record.ladder.attempt > 0) || record.suppressedReason === 'rolling-out');
    if (!blind) blindSince = undefined;
    else blindSince ??= clock.now();
    const keepLooking = blind && clock.now() - blindSince! < unknownRetry.withinMs;
    // A relapse while holding can find the next step in its cooldown: the episode is not over, so
    // wait for the cooldown (as the original script waited for its re-check) and judge again.
    const coolingDown = record.decision === 'suppressed' && record.suppressedReason === 'cooldown' && record.ladder.cooldownUntil !== undefined;
    if (record.decision !== 'heal' && record.decision !== 'awaiting-recheck' && !keepLooking && !coolingDown) return { records, final: record };
    const until = keepLooking ? clock.now() + unknownRetry.everyMs : coolingDown ? record.ladder.cooldownUntil! : (record.ladder.recheckAt ?? clock.now());
    onWait?.(until, record);
    await clock.sleep(Math.max(0, until - clock.now()), signal);
  }
}

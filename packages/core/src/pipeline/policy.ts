/** The healing policy: thresholds, the ladder, timings and the safety envelope. */
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { DEFAULT_LADDER, healStepKindSchema, healStepSchema } from '../healing.js';
import { maintenanceWindowSchema } from '../maintenance-window.js';
import { targetKey, type TargetRef } from '../target.js';

const probability = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

export const policySchema = z.strictObject({
  /**
   * At-risk when probability >= threshold. Unset: the threshold the risk model was tuned for
   * (`riskModel.recommendedThreshold`), else 0.5 (the original project's RISK_THRESHOLD); see
   * `resolveThreshold`. @default the model's recommended threshold, else 0.5
   */
  threshold: probability.optional(),
  /** Per-target thresholds, keyed by `namespace/name` (or `cluster/namespace/name`). */
  targetThresholds: z.record(z.string(), probability).default({}),
  /**
   * How the next step is chosen. `diagnose` (default): the step the diagnosis names when it is
   * confident and the step is in the ladder (or is `scale` and a ladder step scales up), else the
   * ladder's next rung. `ladder`: always the ladder in its order — the original project's behaviour.
   */
  strategy: z.enum(['diagnose', 'ladder']).default('diagnose'),
  /** The ladder, one step per attempt. @default restart, cache, rollback */
  ladder: z.array(healStepSchema).min(1, 'needs at least one step').prefault(DEFAULT_LADDER as never),
  /** Wait this long after a step before judging it (escalate or keep). @default 120000 (120 s) */
  recheckDelayMs: z.number().int().min(0).default(120_000),
  /** Minimum time between two steps on the same target. @default 120000 */
  cooldownMs: z.number().int().min(0).default(120_000),
  /**
   * When a step counts as having worked ("kept"): the target must be healthy at this many
   * evaluations in a row after the re-check, spanning at least `minHealthyMs`. A single healthy
   * look is not enough: a flapping release looks healthy between its failures. A relapse before
   * then continues the ladder. `{ healthyEvaluations: 1, minHealthyMs: 0 }` keeps at the first
   * healthy re-check (the original project's behaviour).
   */
  keep: z
    .strictObject({
      /** @default 3 */
      healthyEvaluations: z.number().int().min(1, 'must be at least 1').default(3),
      /** @default 60000 (1 min) */
      minHealthyMs: z.number().int().min(0).default(60_000),
      /**
       * Once kept, put back the replica count (or the autoscaler's floor) the ladder's steps raised
       * this episode, when the healer can (`healer.undoScaleUp`). @default true
       */
      undoScaleUp: z.boolean().default(true),
    })
    .prefault({}),
  /** Reset the attempt count after this long continuously healthy after a step. @default 600000 */
  healthyResetMs: z.number().int().min(0).default(600_000),
  /** Cluster-wide circuit breaker: at most `maxActions` steps across all targets per `windowMs`. */
  circuitBreaker: z
    .strictObject({
      maxActions: z.number().int().min(1).default(5),
      windowMs: z.number().int().min(1).default(3_600_000),
    })
    .default({ maxActions: 5, windowMs: 3_600_000 }),
  /**
   * Do not judge a workload that is still starting (its first version, never complete yet, younger
   * than its progress deadline and not yet available) or rolling out (a new version replacing the
   * old one, not stalled): a due step is
   * `suppressed`/`rolling-out`. Needs a healer that reports the rollout (`healer.readTarget`). The
   * loop's rule: an operator's `healNow` is the operator's judgement and is not held by it.
   * @default true
   */
  rolloutGuard: z.boolean().default(true),
  /** Plan and record, change nothing. @default false */
  dryRun: z.boolean().default(false),
  /**
   * Pause every target: look and record only, no step and no state written (`suppressed`/`paused`).
   * One target is paused through the pipeline's `pauses` source.
   */
  pause: z
    .strictObject({
      /** @default false */
      all: z.boolean().default(false),
      /** Why, shown in every record while paused. */
      reason: z.string().min(1).optional(),
    })
    .prefault({}),
  /**
   * Schedules during which autoheal only looks and records (`suppressed`/`maintenance`): weekly
   * `{ days?, start, end, timeZone? }` or one-off `{ from, until }`. @default []
   */
  maintenanceWindows: z.array(maintenanceWindowSchema).default([]),
  /** Re-collect and re-score right before each step; skip it if the target recovered. @default true */
  revalidateBeforeAction: z.boolean().default(true),
  /**
   * Longest a step may run. A step still running then is reported as failed (it counts as an
   * attempt) and the target is released, so a hung API call cannot hold the target forever.
   * @default 300000 (5 min)
   */
  actionTimeoutMs: z.number().int().min(1, 'must be at least 1 ms, e.g. 300000').default(300_000),
});

/** The effective policy: defaults applied and the threshold resolved (see `resolveThreshold`). */
export type Policy = Omit<z.output<typeof policySchema>, 'threshold'> & { threshold: number };
export type PolicyInput = z.input<typeof policySchema>;

/**
 * What one workload may change of the policy (given by the pipeline's `targetOverrides`, e.g. read
 * from the workload's annotations): its threshold, the steps it allows, and how the next step is chosen.
 */
export const targetOverridesSchema = z.strictObject({
  threshold: probability.optional(),
  /**
   * The step kinds this workload allows: the policy's ladder keeps only its rungs of these kinds,
   * in its own order (so the attempt ceiling is the number of rungs left).
   */
  steps: z.array(healStepKindSchema).min(1, 'needs at least one step').optional(),
  strategy: z.enum(['diagnose', 'ladder']).optional(),
});
export type TargetOverrides = z.output<typeof targetOverridesSchema>;

/**
 * The policy that judges one target: its threshold (its override, else `targetThresholds`, else the
 * default), its ladder (the rungs of its allowed steps) and its strategy. Pure. Throws a
 * `ConfigError` when the allowed steps leave no rung of the ladder.
 *
 * @example
 * policyForTarget(policy, { namespace: 'prod', name: 'web' }, { steps: ['restart', 'rollback'] }).ladder.map((s) => s.kind); // ['restart', 'rollback']
 */
export function policyForTarget(policy: Policy, target: Pick<TargetRef, 'namespace' | 'name' | 'cluster'>, overrides?: TargetOverrides): Policy {
  const threshold = overrides?.threshold ?? policy.targetThresholds[targetKey(target)] ?? policy.threshold;
  if (!overrides?.steps && !overrides?.strategy && threshold === policy.threshold) return policy;
  const allowed = overrides?.steps;
  const ladder = allowed ? policy.ladder.filter((step) => allowed.includes(step.kind)) : policy.ladder;
  if (ladder.length === 0) {
    throw new ConfigError(
      `${targetKey(target)}: the allowed steps (${allowed!.join(', ')}) leave no step of the ladder (${policy.ladder.map((step) => step.kind).join(', ')}); allow at least one of them`,
      { component: 'policy', code: 'CONFIG_INVALID' },
    );
  }
  return { ...policy, threshold, ladder, ...(overrides?.strategy ? { strategy: overrides.strategy } : {}) };
}

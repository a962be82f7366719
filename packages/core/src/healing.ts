/** The healing ladder's vocabulary: steps, plans, outcomes and the persisted attempt state. */
import { z } from 'zod';

/** The three kinds of step of the original project's playbook. */
export const healStepKindSchema = z.enum(['restart', 'cache', 'rollback']);
export type HealStepKind = z.output<typeof healStepKindSchema>;

const scaleUpSchema = z.object({
  /** Replicas to add. @default 1 */
  by: z.number().int().min(0).default(1),
  /** Never scale beyond this many replicas. @default 10 */
  maxReplicas: z.number().int().min(1).default(10),
});

/** One rung of the ladder. */
export const healStepSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('restart'),
    /** Scale up as part of the step (`false` to only restart). */
    scaleUp: z.union([scaleUpSchema, z.literal(false)]).default({ by: 1, maxReplicas: 10 }),
  }),
  z.object({
    kind: z.literal('cache'),
    /** The command run in every ready pod to clear its cache. */
    command: z.array(z.string().min(1)).min(1).default(['sh', '-c', 'rm -rf /tmp/cache/*']),
    /** Container to exec into; the first container when unset. */
    container: z.string().optional(),
    /** Per-pod time limit for the command, in ms. @default 10000 */
    perPodTimeoutMs: z.number().int().positive().default(10_000),
    /** Restart after clearing. @default true */
    restart: z.boolean().default(true),
    scaleUp: z.union([scaleUpSchema, z.literal(false)]).default({ by: 1, maxReplicas: 10 }),
  }),
  z.object({
    kind: z.literal('rollback'),
    /** Roll back to this revision; the previous one (see `previous`) when unset. */
    toRevision: z.number().int().positive().optional(),
    /**
     * What "previous" means when `toRevision` is unset. `release` (default): the newest earlier
     * revision whose pod template differs by more than a restart. Each restart (the ladder's own
     * steps 1 and 2, or `kubectl rollout restart`) makes a revision that differs only in the
     * `kubectl.kubernetes.io/restartedAt` annotation; rolling back to one of those would bring back
     * the same bad release. `revision`: exactly `kubectl rollout undo` (the second-highest revision).
     * Unset means `release`.
     */
    previous: z.enum(['release', 'revision']).optional(),
  }),
]);
export type HealStep = z.output<typeof healStepSchema>;
export type HealStepInput = z.input<typeof healStepSchema>;

/** The original project's playbook: restart + scale, clear cache + restart + scale, roll back. */
export const DEFAULT_LADDER: readonly HealStepInput[] = [{ kind: 'restart' }, { kind: 'cache' }, { kind: 'rollback' }];

/** One write a step will make (or made), in words and data, so dry-run shows exactly what would happen. */
export const healOperationSchema = z.object({
  op: z.enum(['restart', 'scale', 'scale-hpa', 'exec', 'rollback', 'annotate', 'event']),
  description: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type HealOperation = z.output<typeof healOperationSchema>;

/** What a step will do to one target, computed without writing anything. */
export const healPlanSchema = z.object({
  step: healStepSchema,
  /** The attempt number this step is (1-based). */
  attempt: z.number().int().min(1),
  operations: z.array(healOperationSchema),
  /** Set when the step cannot run (paused Deployment, no previous revision, ...): the reason. */
  refusal: z.string().optional(),
});
export type HealPlan = z.output<typeof healPlanSchema>;

/** The result of one operation of a plan. */
export const operationResultSchema = z.object({
  op: healOperationSchema.shape.op,
  ok: z.boolean(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type OperationResult = z.output<typeof operationResultSchema>;

/** What applying a plan did. `ok` is false when any operation failed (partial failure is reported, not hidden). */
export const healOutcomeSchema = z.object({
  ok: z.boolean(),
  dryRun: z.boolean(),
  message: z.string(),
  results: z.array(operationResultSchema),
});
export type HealOutcome = z.output<typeof healOutcomeSchema>;

/**
 * The ladder state of one target, persisted by the Healer (the Kubernetes healer keeps `attempt` in
 * the Deployment's `healing.attempt` annotation, as the original project did), so it survives a
 * restart of autoheal.
 */
export const healingStateSchema = z.object({
  /** Steps taken in the current episode: 0 = none, 3 = the whole default ladder. */
  attempt: z.number().int().min(0),
  /** Epoch ms of the last applied step. */
  lastActionAt: z.number().optional(),
  lastStep: healStepKindSchema.optional(),
  /**
   * The kinds of the steps taken this episode, in order (the last is `lastStep`). Absent in states
   * written before it existed: then the first `attempt` rungs of the ladder are the steps taken.
   */
  steps: z.array(healStepKindSchema).optional(),
  /** Steps the healer refused this episode (no earlier release, paused, forbidden): never tried again until a reset. */
  skipped: z.array(healStepKindSchema).optional(),
  /** The step after which the target was last kept: run again on a relapse when no other step is left. */
  worked: healStepKindSchema.optional(),
  /** Epoch ms since which the target has been continuously healthy after an action. */
  healthySince: z.number().optional(),
  /** Healthy evaluations in a row since `healthySince` (a step is kept once enough of them span enough time). */
  healthyCount: z.number().int().min(0).optional(),
  /** Whether the "kept" notification for the last action was already sent. */
  keptNotified: z.boolean().optional(),
  /** Whether the "a human is needed" notification was already sent for this episode. */
  handoffNotified: z.boolean().optional(),
});
export type HealingState = z.output<typeof healingStateSchema>;

export const EMPTY_HEALING_STATE: HealingState = Object.freeze({ attempt: 0 }) as HealingState;

/** The healing ladder's vocabulary: steps, plans, outcomes and the persisted attempt state. */
import { z } from 'zod';

/**
 * The kinds of step: the three of the original project's playbook, and `scale` — only the scale-up
 * the restart step already does, for a workload that is short of capacity (a restart would only
 * take capacity away while it rolls).
 */
export const healStepKindSchema = z.enum(['restart', 'cache', 'rollback', 'scale']);
export type HealStepKind = z.output<typeof healStepKindSchema>;

const scaleUpSchema = z.strictObject({
  /** Replicas to add. @default 1 */
  by: z.number().int().min(0).default(1),
  /** Never scale beyond this many replicas. @default 10 */
  maxReplicas: z.number().int().min(1).default(10),
});

/** One rung of the ladder. */
export const healStepSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('restart'),
    /** Scale up as part of the step (`false` to only restart). */
    scaleUp: z.union([scaleUpSchema, z.literal(false)]).default({ by: 1, maxReplicas: 10 }),
  }),
  z.strictObject({
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
  z.strictObject({
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
  z.strictObject({
    kind: z.literal('scale'),
    /** Replicas to add (an HPA's `minReplicas` is raised by as many, within its max). @default 1 */
    by: z.number().int().min(1).default(1),
    /** Never scale beyond this many replicas. @default 10 */
    maxReplicas: z.number().int().min(1).default(10),
  }),
]);
export type HealStep = z.output<typeof healStepSchema>;
export type HealStepInput = z.input<typeof healStepSchema>;

/** The original project's playbook: restart + scale, clear cache + restart + scale, roll back. */
export const DEFAULT_LADDER: readonly HealStepInput[] = [{ kind: 'restart' }, { kind: 'cache' }, { kind: 'rollback' }];

// ---- operations: what a plan hands to apply --------------------------------------------------
//
// One variant per kind of write, discriminated on `op`, with the data `apply` needs typed, so a
// healer's `apply` reads its own plan without casts. Every variant keeps `description`: the human
// words dry-run, Slack and the dashboard show. The typed data sits under `details`, where it has
// always been on the wire.

const description = z.string();
const replicaCount = z.number().int().min(0);
// A Deployment's revision; 0 when its annotation is missing, as kubectl counts it.
const revisionNumber = z.number().int().min(0);

/** One JSON Patch (RFC 6902) operation, as a rollback plan carries its exact write. */
export const jsonPatchOperationSchema = z.object({
  op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
  path: z.string(),
  value: z.unknown().optional(),
  from: z.string().optional(),
});
export type JsonPatchOperation = z.output<typeof jsonPatchOperationSchema>;

/** A rolling restart (a new pod template annotation, as `kubectl rollout restart`). */
export const restartOperationSchema = z.object({
  op: z.literal('restart'),
  description,
  details: z.object({ /** The pod-template annotation the restart sets. */ annotation: z.string() }).optional(),
});

/** Scale-up of the workload's own replica count. */
export const scaleOperationSchema = z.object({
  op: z.literal('scale'),
  description,
  details: z.object({
    /** Replicas when planned. */
    from: replicaCount,
    /** Replicas wanted; never lowers a count someone raised since the plan. */
    to: replicaCount,
    /** The step's `maxReplicas`. */
    ceiling: replicaCount,
    /** Already at the ceiling: nothing to write. */
    noop: z.literal(true).optional(),
  }),
});

/** Scale-up through a HorizontalPodAutoscaler's floor (the HPA owns the replica count). */
export const scaleHpaOperationSchema = z.object({
  op: z.literal('scale-hpa'),
  description,
  details: z.object({
    /** The HPA's name. */
    hpa: z.string(),
    /** `minReplicas` when planned. */
    from: replicaCount,
    /** `minReplicas` wanted. */
    to: replicaCount,
    /** The workload's replicas when planned. */
    replicas: replicaCount,
    /** The lower of the step's `maxReplicas` and the HPA's `maxReplicas`. */
    ceiling: replicaCount,
    /** The user's own `minReplicas`, restored on reset. */
    originalMinReplicas: replicaCount,
    noop: z.literal(true).optional(),
  }),
});

/** A command run in each ready pod (the cache clear). */
export const execOperationSchema = z.object({
  op: z.literal('exec'),
  description,
  details: z.object({
    command: z.array(z.string()).min(1),
    container: z.string(),
    /** The ready pods the command runs in, by name. */
    pods: z.array(z.string()),
    /** Pods left out because they are not ready, with why. */
    skipped: z.array(z.object({ pod: z.string(), reason: z.string() })),
    /** Time limit of the command in each pod, in ms. */
    perPodTimeoutMs: z.number().int().positive(),
    /** The ReplicaSet whose pods were chosen. */
    replicaSet: z.string().optional(),
  }),
});

const rollbackSkipDetails = z.object({
  /** The template already matches the target revision: nothing to write (kubectl's "skipped rollback"). */
  skip: z.literal(true),
  revision: revisionNumber,
  replicaSet: z.string(),
});
const rollbackTargetDetails = z.object({
  /** The revision rolled back to. */
  revision: revisionNumber,
  /** The revision the workload is at when planned. */
  fromRevision: revisionNumber.optional(),
  replicaSet: z.string(),
  images: z.array(z.string()),
  /** Set when a GitOps controller (Argo CD, Flux) manages the workload: its sync reverts a rollback not made in Git. */
  gitOpsManager: z.string().optional(),
});

/** A rollback to an earlier revision (or the reason it is skipped). */
export const rollbackOperationSchema = z.object({
  op: z.literal('rollback'),
  description,
  details: z.union([rollbackSkipDetails, rollbackTargetDetails.extend({ /** The exact write. */ patch: z.array(jsonPatchOperationSchema) })]),
});

/** The record of the step where operators look (a Kubernetes Event). */
export const eventOperationSchema = z.object({
  op: z.literal('event'),
  description,
  details: z.object({ /** The Event's reason, e.g. `AutohealRestart`. */ reason: z.string() }),
});

/** One write a step will make, in words and typed data, so dry-run shows exactly what would happen. */
export const healOperationSchema = z.discriminatedUnion('op', [
  restartOperationSchema,
  scaleOperationSchema,
  scaleHpaOperationSchema,
  execOperationSchema,
  rollbackOperationSchema,
  eventOperationSchema,
]);
export type HealOperation = z.output<typeof healOperationSchema>;
/** The kinds of operation. */
export type HealOperationKind = HealOperation['op'];
/** The operation of kind `K`. */
export type HealOperationOf<K extends HealOperationKind> = Extract<HealOperation, { op: K }>;

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

/** What one command did in one pod. */
export const podExecResultSchema = z.object({
  pod: z.string(),
  container: z.string(),
  ok: z.boolean(),
  /** The command's exit code, when it ran to the end. */
  exitCode: z.number().int().optional(),
  stdout: z.string(),
  stderr: z.string(),
  /** True when the time limit cut the command off. */
  timedOut: z.boolean(),
  /** Why it failed, when it did. */
  error: z.string().optional(),
  durationMs: z.number().min(0),
});
export type PodExecResult = z.output<typeof podExecResultSchema>;

// A result carries `details` only when the operation got far enough to have them (a failed or
// "not attempted" operation has its message only).
const resultBase = { ok: z.boolean(), message: z.string() };

/** The result of one operation of a plan, discriminated on `op` like the operation. */
export const operationResultSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('restart'),
    ...resultBase,
    details: z.object({ /** The annotation value written. */ restartedAt: z.string(), generation: z.number().int().optional() }).optional(),
  }),
  z.object({
    op: z.literal('scale'),
    ...resultBase,
    details: scaleOperationSchema.shape.details.extend({ /** Replicas after the operation (or found already there). */ replicas: replicaCount.optional() }).optional(),
  }),
  z.object({
    op: z.literal('scale-hpa'),
    ...resultBase,
    details: scaleHpaOperationSchema.shape.details.extend({ /** The HPA's `minReplicas` after the operation. */ minReplicas: replicaCount.optional() }).optional(),
  }),
  z.object({
    op: z.literal('exec'),
    ...resultBase,
    details: execOperationSchema.shape.details
      .extend({
        /** False in dry-run: nothing was run. */
        ran: z.literal(false).optional(),
        /** One entry per pod the command ran in. */
        results: z.array(podExecResultSchema).optional(),
      })
      .optional(),
  }),
  z.object({
    op: z.literal('rollback'),
    ...resultBase,
    details: z.union([rollbackSkipDetails, rollbackTargetDetails.extend({ generation: z.number().int().optional() })]).optional(),
  }),
  z.object({ op: z.literal('event'), ...resultBase }),
]);
export type OperationResult = z.output<typeof operationResultSchema>;
/** The result of an operation of kind `K`. */
export type OperationResultOf<K extends HealOperationKind> = Extract<OperationResult, { op: K }>;

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
/**
 * The claim on one attempt: who took it, when, and until when it counts as in flight. It is written
 * (with the state after the step) before any change to the workload, under a precondition on the
 * state that was read, so of two actors (a second replica, a CI `autoheal run` next to the server)
 * only one claims an attempt. A claim whose holder never reported back (crashed, partitioned) stops
 * counting as in flight at its `deadline`; its attempt stays counted and is never applied again.
 */
export const healingIntentSchema = z.object({
  /** The attempt claimed (1-based): the step is this attempt's, once. */
  attempt: z.number().int().min(1),
  step: healStepKindSchema,
  /** Identity of the process that claimed it (its pipeline `identity`). */
  holder: z.string().min(1),
  /** Epoch ms of the claim. */
  startedAt: z.number(),
  /** Epoch ms after which nobody waits for the holder any more. */
  deadline: z.number(),
});
export type HealingIntent = z.output<typeof healingIntentSchema>;

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
  /**
   * A step claimed but not yet reported back: written with the state after the step, before any
   * change to the workload, and cleared once the step returns (see {@link healingIntentSchema}).
   */
  intent: healingIntentSchema.optional(),
});
export type HealingState = z.output<typeof healingStateSchema>;

export const EMPTY_HEALING_STATE: HealingState = Object.freeze({ attempt: 0 }) as HealingState;

/** The state without its intent (the state a finished step leaves). */
export function withoutIntent(state: HealingState): HealingState {
  const { intent: _intent, ...rest } = state;
  return rest;
}

/** JSON with object keys sorted and `undefined` dropped, so two equal states compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Whether two ladder states are the same (field by field, whatever the key order). Healers use it
 * for conditional writes (`writeState(…, { expected })`): the write goes ahead only if the stored
 * state is still the one the caller read.
 */
export function sameHealingState(a: HealingState, b: HealingState): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * The DecisionRecord: one per evaluation of one target. The same record feeds Slack, the dashboard,
 * Kubernetes Events, the server's metrics and logs, so every consumer tells the same story.
 */
import { z } from 'zod';
import { riskAssessmentSchema } from './assessment.js';
import { MISSING_KINDS } from './missing-explanations.js';
import { healOutcomeSchema, healPlanSchema, healStepKindSchema } from './healing.js';
import { holdSchema } from './pause.js';
import { targetRefSchema } from './target.js';

/**
 * What the policy decided:
 * - `none`: healthy and nothing pending.
 * - `heal`: a step was planned and applied (or, in dry-run, planned only — see `action.dryRun`).
 * - `suppressed`: a step would have been due but a safety rule stopped it (see `suppressedReason`).
 * - `awaiting-recheck`: a step ran recently; waiting for `recheckDelay` before judging it.
 * - `kept`: after a step the target is healthy again: keep the rollout.
 * - `reset`: healthy long enough after a step: the attempt count went back to 0.
 * - `handoff`: still at risk after the last step of the ladder: a human is needed.
 */
export const decisionKindSchema = z.enum(['none', 'heal', 'suppressed', 'awaiting-recheck', 'kept', 'reset', 'handoff']);
export type DecisionKind = z.output<typeof decisionKindSchema>;

/** Why a due step was not taken. */
export const suppressedReasonSchema = z.enum([
  'unknown', // a signal was missing or the model failed: never act on what we cannot see
  'dry-run', // planned and recorded, nothing changed
  'cooldown', // the target acted too recently
  'circuit-open', // too many actions across all targets in the window
  'recovered', // re-validation right before acting found the target healthy
  'ceiling-reached', // every step of the ladder was already tried
  'in-flight', // another action on this target is still running
  'refused', // the healer refused the step (paused Deployment, no previous revision, ...)
  'rolling-out', // the workload is still starting or rolling out: not judged as failing yet
  'not-leader', // this process does not hold the leader Lease with time to spare (fencing)
  'state-unavailable', // the ladder state could not be read or claimed: nothing is done without it
  'paused', // an operator paused this target or every target (or the pause marks could not be read)
  'maintenance', // a maintenance window is in force: look and record only
]);
export type SuppressedReason = z.output<typeof suppressedReasonSchema>;

/**
 * What the diagnosis found: the cause's family. `unclear` → the ladder runs in its order.
 * `outside-pods` names no step: the trouble is not in anything the ladder's steps change, so the
 * target is handed off (strategy `diagnose`).
 */
export const diagnosisCauseSchema = z.enum(['bad-release', 'memory', 'cpu-saturation', 'cache', 'outside-pods', 'unclear']);
export type DiagnosisCause = z.output<typeof diagnosisCauseSchema>;

/** The most likely cause of a target's trouble, named before a step is chosen (`pipeline/diagnose.ts`). */
export const diagnosisSchema = z.object({
  cause: diagnosisCauseSchema,
  /** The step that addresses the cause; absent when unclear, or when no step can (`outside-pods`). */
  step: healStepKindSchema.optional(),
  /** The facts the rule matched on, in words ("the current release is 3 min old", …). */
  evidence: z.array(z.string()),
  /** One line: "rollback first: the current release is 3 min old; before it: 0.0% errors, 100% ready; now: 42% of requests fail". */
  summary: z.string(),
  /**
   * Pods were exiting with errors at this look (crashing, not OOM-killed). A step that held once and
   * whose trouble is back as a crash loop did not fix its cause, so the ladder climbs instead of
   * repeating it. Absent when no pod crashed.
   */
  crashLoop: z.literal(true).optional(),
});
export type Diagnosis = z.output<typeof diagnosisSchema>;

export const decisionRecordSchema = z.object({
  /** Unique id (time-ordered). */
  id: z.string(),
  target: targetRefSchema,
  /** ISO-8601 time of the evaluation. */
  time: z.string(),
  features: z.record(z.string(), z.number().nullable()),
  /** Missing features with the source's reason and, when it knows, the kind of absence. */
  missing: z.array(z.object({ feature: z.string(), reason: z.string(), kind: z.enum(MISSING_KINDS).optional() })),
  assessment: riskAssessmentSchema,
  decision: decisionKindSchema,
  suppressedReason: suppressedReasonSchema.optional(),
  /** The ladder position after this decision. */
  ladder: z.object({
    attempt: z.number().int().min(0),
    maxAttempts: z.number().int().min(0),
    /** The step that the next escalation would take, if any. */
    nextStep: healStepKindSchema.nullable(),
    /** Epoch ms until which the target is in cooldown, if it is. */
    cooldownUntil: z.number().optional(),
    /** Epoch ms of the next re-check, when one is pending. */
    recheckAt: z.number().optional(),
  }),
  circuit: z.object({
    open: z.boolean(),
    actionsInWindow: z.number().int(),
    maxActions: z.number().int(),
    /** Set when the shared window could not be read: the breaker then counts as open (fails closed). */
    unavailable: z.string().optional(),
  }),
  dryRun: z.boolean(),
  /**
   * What held the target at this evaluation (its pause, a global pause, a maintenance window), most
   * specific first; absent when nothing did. Shown whatever the decision, so a paused healthy target
   * is seen as paused too.
   */
  holds: z.array(holdSchema).optional(),
  /** The diagnosis of an at-risk target (strategy `diagnose`): the cause, its evidence and the step it calls for. */
  diagnosis: diagnosisSchema.optional(),
  /** The step planned or taken, with its exact plan and (when applied) outcome. */
  action: z
    .object({
      step: healStepKindSchema,
      plan: healPlanSchema,
      outcome: healOutcomeSchema.optional(),
    })
    .optional(),
  /** A one-line human summary used by logs, Slack and Events. */
  summary: z.string(),
  /** How long the evaluation took, in ms. */
  durationMs: z.number().min(0),
});
export type DecisionRecord = z.output<typeof decisionRecordSchema>;

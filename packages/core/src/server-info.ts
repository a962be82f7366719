/**
 * The wire contract of the autoheal server's `GET /api/info`: what the server runs (model, features)
 * and how its policy is configured. Declared once here: the server builds its answer as a
 * {@link ServerInfo} (and a test validates it against {@link serverInfoSchema}), and the dashboard
 * imports the type (types only, so no zod reaches its bundle).
 */
import { z } from 'zod';
import { healStepKindSchema } from './healing.js';

const probability = z.number().min(0).max(1);
const durationMs = z.number().int().min(0);

/** What the dashboard needs to show a feature: its unit and what it measures. */
export const serverFeatureInfoSchema = z.strictObject({
  /** e.g. `bytes`, `ratio`, `percent of one core`; empty when the feature is not a default one. */
  unit: z.string(),
  description: z.string(),
});

/** The policy as the server runs it (the ladder's step kinds only, not their options). */
export const serverPolicyInfoSchema = z.strictObject({
  /** The default threshold (per-target thresholds are in the targets API). */
  threshold: probability,
  /** One entry per attempt, in order. */
  ladder: z.array(z.strictObject({ kind: healStepKindSchema })).min(1),
  recheckDelayMs: durationMs,
  cooldownMs: durationMs,
  healthyResetMs: durationMs,
  circuitBreaker: z.strictObject({ maxActions: z.number().int().min(1), windowMs: z.number().int().min(1) }),
});

/**
 * Schema of `GET /api/info`. Strict: a field the server sends must be declared here first, so this
 * stays the one description of the contract.
 */
export const serverInfoSchema = z.strictObject({
  name: z.literal('autoheal'),
  /** The server's package version. */
  version: z.string().min(1),
  /** When true the server refuses every write (`POST .../evaluate` answers 403). */
  readOnly: z.boolean(),
  /** When true heal steps are planned and recorded but never applied. */
  dryRun: z.boolean(),
  /** `predict-only`: no Prometheus and no targets, only `/predict` works; `full`: the pipeline runs. */
  mode: z.enum(['full', 'predict-only']),
  /** Whether replicas elect a leader (only the leader evaluates and heals). */
  leaderElection: z.boolean(),
  /** The loaded risk model and the default threshold `/predict` judges against. */
  model: z.strictObject({ name: z.string(), version: z.string(), threshold: probability }),
  /** The model's feature names, in its input order. */
  featureNames: z.array(z.string().min(1)),
  /** Unit and description per feature name. */
  features: z.record(z.string(), serverFeatureInfoSchema),
  /** Described in predict-only mode too: the dashboard shows the ladder the server would run. */
  policy: serverPolicyInfoSchema,
});

/** `GET /api/info`. */
export type ServerInfo = z.output<typeof serverInfoSchema>;
/** One entry of {@link ServerInfo.features}. */
export type ServerFeatureInfo = z.output<typeof serverFeatureInfoSchema>;
/** {@link ServerInfo.policy}. */
export type ServerPolicyInfo = z.output<typeof serverPolicyInfoSchema>;

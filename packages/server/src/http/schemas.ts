/** Request and response schemas of the HTTP API (the OpenAPI document is generated from these). */
import { featureContributionSchema, verdictSchema } from '@autoheal/core';
import { z } from 'zod';

export const predictResponseSchema = z.object({
  probability: z.number().min(0).max(1),
  verdict: verdictSchema,
  threshold: z.number(),
  model_version: z.string(),
  /** The model that answered: the judging model for a body of its features, the compatibility model (v1) for the original seven-field body. */
  model: z.object({ name: z.string(), version: z.string(), feature_set: z.string() }),
  contributions: z.array(featureContributionSchema),
});
export type PredictResponse = z.output<typeof predictResponseSchema>;

/** At most this many vectors per batch request. */
export const MAX_BATCH = 10_000;

/** `{ "instances": [ {...}, ... ] }` (a bare array is accepted too). */
export const batchPredictRequestSchema = z.object({
  instances: z.array(z.record(z.string(), z.unknown())).min(1, 'needs at least one vector').max(MAX_BATCH, `at most ${MAX_BATCH} vectors per request`),
});

/**
 * The query of `GET /api/targets/{namespace}/{name}` and `POST …/evaluate`: the target's cluster,
 * for a target watched in a named one.
 */
export const targetQuerySchema = z.object({
  /** The target's cluster, exactly as `GET /api/targets` lists it; leave it out for a target without one. */
  cluster: z.string().min(1, 'must not be empty; leave cluster out for a target without one').optional(),
});

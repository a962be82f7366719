/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same zod schemas that validate the
 * requests, so the document cannot drift from the code.
 */
import { decisionRecordSchema, riskAssessmentSchema, featureContributionSchema, serverInfoSchema } from '@autoheal/core';
import { z } from 'zod';
import { batchPredictRequestSchema, predictResponseSchema, targetQuerySchema } from './schemas.js';

function schemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

/** The document for a server whose `/predict` takes `predictRequestSchema`. */
export function buildOpenApiDocument(options: { version: string; predictRequestSchema: z.ZodType }): Record<string, unknown> {
  const errorSchema = {
    type: 'object',
    required: ['error', 'message'],
    properties: {
      error: { type: 'string' },
      message: { type: 'string' },
      fields: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
    },
  };
  const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const targetParams = [
    { name: 'namespace', in: 'path', required: true, schema: { type: 'string' } },
    { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
    {
      name: 'cluster',
      in: 'query',
      required: false,
      description: "The target's cluster, as `GET /api/targets` lists it (`target.cluster`). Leave it out for a target without one.",
      schema: (schemaOf(targetQuerySchema, 'input') as { properties: Record<string, unknown> }).properties.cluster,
    },
  ];
  return {
    openapi: '3.1.0',
    info: { title: 'autoheal', version: options.version, description: 'Predicts Kubernetes workload failures and heals them.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'AUTOHEAL_API_TOKEN' } },
      schemas: {
        PredictRequest: schemaOf(options.predictRequestSchema, 'input'),
        BatchPredictRequest: schemaOf(batchPredictRequestSchema, 'input'),
        PredictResponse: schemaOf(predictResponseSchema),
        RiskAssessment: schemaOf(riskAssessmentSchema),
        FeatureContribution: schemaOf(featureContributionSchema),
        DecisionRecord: schemaOf(decisionRecordSchema),
        ServerInfo: schemaOf(serverInfoSchema),
        Error: errorSchema,
      },
    },
    paths: {
      '/healthz': { get: { summary: 'Liveness', responses: { 200: { description: 'alive' } } } },
      '/readyz': { get: { summary: 'Readiness: model loaded, sources reachable', responses: { 200: { description: 'ready' }, 503: { description: 'not ready; the body says which check failed' } } } },
      '/predict': {
        post: {
          summary: "Score one feature vector: a body of the judging model's features, or the original project's seven-field body (answered by the compatibility model, v1); the response's model names which answered",
          requestBody: { required: true, ...json(ref('PredictRequest')) },
          responses: { 200: { description: 'assessment', ...json(ref('PredictResponse')) }, 400: { description: 'invalid body', ...json(ref('Error')) } },
        },
      },
      '/predict/batch': {
        post: {
          summary: 'Score many feature vectors in one model call',
          requestBody: { required: true, ...json(ref('BatchPredictRequest')) },
          responses: {
            200: { description: 'one result per vector, in order', ...json({ type: 'object', properties: { results: { type: 'array', items: ref('PredictResponse') } } }) },
            400: { description: 'invalid body', ...json(ref('Error')) },
          },
        },
      },
      '/metrics': { get: { summary: 'Prometheus exposition', responses: { 200: { description: 'text/plain; version=0.0.4' } } } },
      '/api/info': { get: { summary: 'Server, model and policy', responses: { 200: { description: 'info', ...json(ref('ServerInfo')) } } } },
      '/api/targets': {
        get: { summary: 'Watched targets with their latest decision and what holds each (hold: paused, pause-unknown, maintenance or rolling-out, with reason, by, since, until; null when nothing); address one by its target.namespace, target.name and (when set) target.cluster. skipped: the discovered Deployments that opted in (autoheal.dev/enabled) but are not evaluated, each with key, target, reason (invalid-overrides), message (what is wrong and the fix) and origin; notOptedIn: how many Deployments discovery saw without the opt-in (autoheal status lists them)', responses: { 200: { description: 'targets' } } },
      },
      '/api/targets/{namespace}/{name}': {
        get: {
          summary: 'Latest decision and recent history of one target',
          parameters: targetParams,
          responses: {
            200: { description: 'target' },
            400: { description: 'invalid query (an empty cluster)', ...json(ref('Error')) },
            404: { description: 'no such target; the message names the clusters where this namespace/name is watched', ...json(ref('Error')) },
          },
        },
      },
      '/api/targets/{namespace}/{name}/evaluate': {
        post: {
          summary: 'Check now: evaluate (and maybe heal) one target',
          security: [{ bearer: [] }],
          parameters: targetParams,
          responses: {
            200: { description: 'the decision', ...json(ref('DecisionRecord')) },
            401: { description: 'missing or wrong token', ...json(ref('Error')) },
            403: { description: 'read-only mode', ...json(ref('Error')) },
            404: { description: 'no such target; the message names the clusters where this namespace/name is watched', ...json(ref('Error')) },
          },
        },
      },
      '/api/events': { get: { summary: 'Server-sent events: one `decision` event per DecisionRecord', responses: { 200: { description: 'text/event-stream' } } } },
    },
  };
}

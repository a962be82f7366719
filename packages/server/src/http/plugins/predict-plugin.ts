/**
 * `POST /predict` (the original project's body) and `POST /predict/batch`. Plain `/predict` requests
 * are answered by the fast path before Hapi's router (see `../fast-predict.ts`); this plugin installs
 * it, and its Hapi route answers everything else (CORS, odd headers) the same way.
 */
import type Hapi from '@hapi/hapi';
import { completeFeatureVectorSchema, describeIssues, verdictFor, type FieldIssue, type RiskModel } from '@autoheal/core';
import type { ServerMetrics } from '../../metrics.js';
import { routeAccess } from '../auth.js';
import { invalidBody, invalidRequest, type ErrorMapping } from '../error-mapping.js';
import { createFastPredictHandler, isFastPredictRequest } from '../fast-predict.js';
import { createPredictBatcher } from '../predict-batcher.js';
import { batchPredictRequestSchema, type PredictResponse } from '../schemas.js';

/** Options of {@link predictPlugin}. */
export interface PredictPluginOptions {
  riskModel: RiskModel;
  /** The threshold answers are judged against. */
  threshold: number;
  /** The server's body limit (the fast path takes only bodies within it). */
  bodyLimitBytes: number;
  metrics: ServerMetrics;
  /** Words the fast path's error answers like Hapi's. */
  errors: ErrorMapping;
}

/** The prediction routes and the `/predict` fast path. */
export const predictPlugin: Hapi.Plugin<PredictPluginOptions> = {
  name: 'autoheal-predict',
  register(server, options) {
    const { riskModel, metrics } = options;
    const predictSchema = completeFeatureVectorSchema(riskModel.featureNames);
    // Concurrent /predict requests share one model call (see predict-batcher.ts).
    const batcher = createPredictBatcher(riskModel);
    const toResponse = (probability: number, contributions: PredictResponse['contributions']): PredictResponse => ({
      probability,
      verdict: verdictFor(probability, options.threshold, []),
      threshold: options.threshold,
      model_version: riskModel.version,
      model: { name: riskModel.name, version: riskModel.version },
      contributions,
    });

    server.route([
      {
        method: 'POST',
        path: '/predict',
        // Open, like the original project's backend (CI pipelines call it): it scores the vector it is sent and reveals no cluster state.
        options: { app: routeAccess('open'), payload: { parse: true, allow: ['application/json'] } },
        handler: async (request) => {
          const started = process.hrtime.bigint();
          const parsed = predictSchema.safeParse(request.payload);
          if (!parsed.success) throw invalidBody(parsed.error);
          const score = await batcher.score(parsed.data as Record<string, number>);
          metrics.predictionDuration.labels('/predict').observe(Number(process.hrtime.bigint() - started) / 1e9);
          return toResponse(score.probability, score.contributions ?? []);
        },
      },
      {
        method: 'POST',
        path: '/predict/batch',
        options: { app: routeAccess('open'), payload: { parse: true, allow: ['application/json'], maxBytes: Math.max(options.bodyLimitBytes, 4 * 1024 * 1024) } },
        handler: async (request) => {
          const started = process.hrtime.bigint();
          const body = Array.isArray(request.payload) ? { instances: request.payload } : request.payload;
          const envelope = batchPredictRequestSchema.safeParse(body);
          if (!envelope.success) throw invalidBody(envelope.error);
          const vectors: Record<string, number>[] = [];
          const fields: FieldIssue[] = [];
          envelope.data.instances.forEach((instance, index) => {
            const parsed = predictSchema.safeParse(instance);
            if (parsed.success) vectors.push(parsed.data as Record<string, number>);
            else for (const f of describeIssues(parsed.error)) fields.push({ path: `instances.${index}.${f.path}`, message: f.message });
          });
          if (fields.length > 0) {
            throw invalidRequest(fields, `${fields.length} invalid field(s): ${fields.slice(0, 10).map((f) => `${f.path}: ${f.message}`).join('; ')}`);
          }
          const scores = await riskModel.scoreBatch(vectors);
          metrics.predictionDuration.labels('/predict/batch').observe(Number(process.hrtime.bigint() - started) / 1e9);
          return { results: scores.map((s) => toResponse(s.probability, s.contributions ?? [])) };
        },
      },
    ]);

    // Plain `POST /predict` requests skip Hapi (see fast-predict.ts): Hapi's own 'request' listener
    // is kept and called for every other request.
    const fastPredict = createFastPredictHandler({ predictSchema, batcher, bodyLimitBytes: options.bodyLimitBytes, metrics, toResponse, errors: options.errors });
    const listener = server.listener;
    const hapiHandlers = listener.listeners('request') as Array<(req: unknown, res: unknown) => void>;
    listener.removeAllListeners('request');
    listener.on('request', (req, res) => {
      if (isFastPredictRequest(req, options.bodyLimitBytes)) fastPredict(req, res);
      else for (const handler of hapiHandlers) handler.call(listener, req, res);
    });
  },
};

/**
 * `POST /predict` (a body of the judging model's features, or the original project's seven-field body
 * for the compatibility model) and `POST /predict/batch`. Plain `/predict` requests
 * are answered by the fast path before Hapi's router (see `../fast-predict.ts`); this plugin installs
 * it, and its Hapi route answers everything else (CORS, odd headers) the same way.
 */
import type Hapi from '@hapi/hapi';
import { verdictFor, type FieldIssue } from '@autoheal/core';
import type { ServerMetrics } from '../../metrics.js';
import { routeAccess } from '../auth.js';
import { invalidBody, invalidRequest, type ErrorMapping } from '../error-mapping.js';
import { createFastPredictHandler, isFastPredictRequest } from '../fast-predict.js';
import type { PredictModel, PredictRouter } from '../predict-models.js';
import { batchPredictRequestSchema, type PredictResponse } from '../schemas.js';

/** Options of {@link predictPlugin}. */
export interface PredictPluginOptions {
  /** The judging model and, when it takes other features, the compatibility model for the seven-field body (see `../predict-models.ts`). */
  router: PredictRouter;
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
    const { metrics } = options;
    const { router } = options;
    const toResponse = (model: PredictModel, probability: number, contributions: PredictResponse['contributions']): PredictResponse => ({
      probability,
      verdict: verdictFor(probability, model.threshold, []),
      threshold: model.threshold,
      model_version: model.riskModel.version,
      model: { name: model.riskModel.name, version: model.riskModel.version, feature_set: model.featureSet },
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
          const routed = router.route(request.payload);
          if (!routed.ok) throw routed.error;
          const score = await routed.model.batcher.score(routed.vector);
          metrics.predictionDuration.labels('/predict').observe(Number(process.hrtime.bigint() - started) / 1e9);
          return toResponse(routed.model, score.probability, score.contributions ?? []);
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
          // Each vector goes to the model its fields name; each model scores its vectors in one call.
          const groups = new Map<PredictModel, { indexes: number[]; vectors: Record<string, number>[] }>();
          const fields: FieldIssue[] = [];
          envelope.data.instances.forEach((instance, index) => {
            const routed = router.route(instance, `instances.${index}.`);
            if (!routed.ok) {
              fields.push(...(routed.error.fields ?? []));
              return;
            }
            const group = groups.get(routed.model) ?? { indexes: [], vectors: [] };
            group.indexes.push(index);
            group.vectors.push(routed.vector);
            groups.set(routed.model, group);
          });
          if (fields.length > 0) {
            throw invalidRequest(fields, `${fields.length} invalid field(s): ${fields.slice(0, 10).map((f) => `${f.path}: ${f.message}`).join('; ')}`);
          }
          const results: PredictResponse[] = new Array(envelope.data.instances.length);
          for (const [model, group] of groups) {
            const scores = await model.riskModel.scoreBatch(group.vectors);
            scores.forEach((score, k) => (results[group.indexes[k]!] = toResponse(model, score.probability, score.contributions ?? [])));
          }
          metrics.predictionDuration.labels('/predict/batch').observe(Number(process.hrtime.bigint() - started) / 1e9);
          return { results };
        },
      },
    ]);

    // Plain `POST /predict` requests skip Hapi (see fast-predict.ts): Hapi's own 'request' listener
    // is kept and called for every other request.
    const fastPredict = createFastPredictHandler({ router, bodyLimitBytes: options.bodyLimitBytes, metrics, toResponse, errors: options.errors });
    const listener = server.listener;
    const hapiHandlers = listener.listeners('request') as Array<(req: unknown, res: unknown) => void>;
    listener.removeAllListeners('request');
    listener.on('request', (req, res) => {
      if (isFastPredictRequest(req, options.bodyLimitBytes)) fastPredict(req, res);
      else for (const handler of hapiHandlers) handler.call(listener, req, res);
    });
  },
};

/**
 * The hot path for `POST /predict`, served before Hapi's router. Hapi's per-request machinery
 * (request object, lifecycle, response marshalling) costs more than scoring itself, and `/predict` is
 * the route called at high rates (CI pipelines, batch jobs, dashboards' what-if). Only plain requests
 * take this path: exactly `POST /predict`, a JSON content type, a Content-Length within the limit, and
 * no Origin header (CORS stays Hapi's job). Everything else goes to Hapi, which answers the same way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerMetrics } from '../metrics.js';
import { ApiError, type ErrorMapping } from './error-mapping.js';
import type { PredictModel, PredictRouter } from './predict-models.js';
import type { PredictResponse } from './schemas.js';

export interface FastPredictOptions {
  /** Picks the model a body's fields name and validates the body with its schema. */
  router: PredictRouter;
  bodyLimitBytes: number;
  metrics: ServerMetrics;
  toResponse: (model: PredictModel, probability: number, contributions: PredictResponse['contributions']) => PredictResponse;
  /** The server's error mapping, so that errors are worded exactly as Hapi's route words them. */
  errors: ErrorMapping;
}

/** True when the request can be answered by the fast path (decided from the headers alone). */
export function isFastPredictRequest(req: IncomingMessage, bodyLimitBytes: number): boolean {
  if (req.method !== 'POST' || req.url !== '/predict') return false;
  const type = req.headers['content-type'];
  if (!type || !/^application\/json\s*(;|$)/i.test(type)) return false;
  if (req.headers.origin !== undefined || req.headers.expect !== undefined) return false;
  const length = Number(req.headers['content-length']);
  return Number.isInteger(length) && length >= 0 && length <= bodyLimitBytes;
}

/** Answers one fast-path request. Errors go through the same mapping as Hapi's answers. */
export function createFastPredictHandler(options: FastPredictOptions) {
  const { metrics } = options;
  const request = { method: 'POST', path: '/predict' };
  const send = (res: ServerResponse, status: number, body: unknown, started: bigint | undefined) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    metrics.httpRequests.labels('/predict', 'POST', String(status)).inc();
    if (started !== undefined) metrics.predictionDuration.labels('/predict').observe(Number(process.hrtime.bigint() - started) / 1e9);
  };
  const fail = (res: ServerResponse, error: unknown) => {
    const { status, body } = options.errors.answer(error, request);
    send(res, status, body, undefined);
  };

  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const started = process.hrtime.bigint();
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        fail(res, new ApiError(400, 'invalid-request', 'the request body is not valid JSON'));
        return;
      }
      const routed = options.router.route(payload);
      if (!routed.ok) {
        fail(res, routed.error);
        return;
      }
      routed.model.batcher.score(routed.vector).then(
        (score) => send(res, 200, options.toResponse(routed.model, score.probability, score.contributions ?? []), started),
        (error: unknown) => fail(res, error),
      );
    });
  };
}

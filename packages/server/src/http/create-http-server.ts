/**
 * The Hapi server: health, prediction, the targets API, the live event stream, metrics, the OpenAPI
 * document and the dashboard. It only reads and triggers the pipeline; all decisions are the
 * pipeline's.
 */
import { readFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import Hapi from '@hapi/hapi';
import {
  DEFAULT_FEATURES,
  completeFeatureVectorSchema,
  describeIssues,
  errorMessage,
  targetKey,
  verdictFor,
  type DecisionRecord,
  type FeatureSource,
  type Pipeline,
  type RiskModel,
  type TargetRef,
} from '@autoheal/core';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { DecisionHistory } from '../decision-history.js';
import type { ServerMetrics } from '../metrics.js';
import { bearerTokenMatches } from './auth.js';
import { buildOpenApiDocument } from './openapi.js';
import { createFastPredictHandler, isFastPredictRequest } from './fast-predict.js';
import { createPredictBatcher } from './predict-batcher.js';
import { MAX_BATCH, batchPredictRequestSchema, type PredictResponse } from './schemas.js';

export interface HttpServerOptions {
  host: string;
  port: number;
  readOnly: boolean;
  apiToken?: string;
  corsOrigins: string[];
  bodyLimitBytes: number;
  /** The threshold `/predict` judges against. */
  threshold: number;
  riskModel: RiskModel;
  /** Checked by `/readyz` (its `ping`). */
  featureSource?: FeatureSource;
  /** Needed for "check now"; without it that route answers 503. */
  pipeline?: Pipeline;
  /** False while another replica holds the leader Lease: "check now" answers 503. @default always true */
  canAct?: () => boolean;
  /** Thresholds per target key, for the targets API. */
  thresholdFor: (target: TargetRef) => number;
  history: DecisionHistory;
  metrics: ServerMetrics;
  logger: Logger;
  /** What `/api/info` says about the server and the policy. */
  info: Record<string, unknown>;
  /** Folder holding `risk-dashboard.js`; the dashboard is served at `/` when set. */
  dashboardDir?: string;
  /** Extra readiness checks (e.g. the Kubernetes API). */
  readinessChecks?: Array<{ name: string; check: () => Promise<void> }>;
  version: string;
}

export interface HttpServer {
  hapi: Hapi.Server;
  start(): Promise<string>;
  /** Stops accepting requests, ends event streams, waits for in-flight requests (up to `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
}

function invalid(h: Hapi.ResponseToolkit, error: z.ZodError, message = 'the request body is invalid') {
  const fields = describeIssues(error);
  return h
    .response({ error: 'invalid-request', message: `${message}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`, fields })
    .code(400);
}

export async function createHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { riskModel, history, metrics, logger } = options;
  const predictSchema = completeFeatureVectorSchema(riskModel.featureNames);
  const server = Hapi.server({
    host: options.host,
    port: options.port,
    routes: {
      cors: options.corsOrigins.length > 0 ? { origin: options.corsOrigins, additionalHeaders: ['authorization'], credentials: false } : false,
      payload: { maxBytes: options.bodyLimitBytes },
      // Hapi's own validation errors are rewritten in onPreResponse below.
    },
    router: { stripTrailingSlash: true },
  });

  const openStreams = new Set<PassThrough>();

  // Every error answer has the same JSON shape; client mistakes never become 500s.
  server.ext('onPreResponse', (request, h) => {
    const response = request.response;
    if (response && 'isBoom' in response && response.isBoom) {
      const status = response.output.statusCode;
      let error = 'error';
      let message = response.message;
      if (status === 400) {
        error = 'invalid-request';
        message = /Invalid request payload JSON format/i.test(message) ? 'the request body is not valid JSON' : message;
      } else if (status === 404) {
        error = 'not-found';
        message = `no route ${request.method.toUpperCase()} ${request.path}; see /openapi.json`;
      } else if (status === 405) error = 'method-not-allowed';
      else if (status === 413) {
        error = 'payload-too-large';
        message = `the request body is larger than ${options.bodyLimitBytes} bytes`;
      } else if (status === 415) {
        error = 'unsupported-media-type';
        message = 'send the body as application/json';
      } else if (status >= 500) {
        logger.error({ err: response, path: request.path }, 'request failed');
        error = 'internal-error';
        message = 'internal error; see the server log';
      }
      return h.response({ error, message }).code(status);
    }
    return h.continue;
  });

  server.events.on('response', (request) => {
    const route = request.route.path;
    const status = 'statusCode' in (request.response ?? {}) ? (request.response as { statusCode: number }).statusCode : 0;
    metrics.httpRequests.labels(route, request.method.toUpperCase(), String(status)).inc();
  });

  const requireMutation = (request: Hapi.Request, h: Hapi.ResponseToolkit) => {
    if (options.readOnly) {
      return h.response({ error: 'read-only', message: 'this server runs in read-only mode; mutating routes are turned off' }).code(403).takeover();
    }
    if (!options.apiToken) {
      return h
        .response({ error: 'unauthorized', message: 'no API token is configured on the server; set AUTOHEAL_API_TOKEN to enable mutating routes' })
        .code(401)
        .takeover();
    }
    if (!bearerTokenMatches(request.headers.authorization as string | undefined, options.apiToken)) {
      return h.response({ error: 'unauthorized', message: 'send the API token as "Authorization: Bearer <token>"' }).code(401).header('WWW-Authenticate', 'Bearer').takeover();
    }
    return h.continue;
  };

  const batcher = createPredictBatcher(riskModel);
  const predictOne = async (vector: Record<string, number>): Promise<PredictResponse> => {
    const score = await batcher.score(vector);
    return toPredictResponse(score.probability, score.contributions ?? []);
  };
  const toPredictResponse = (probability: number, contributions: PredictResponse['contributions']): PredictResponse => ({
    probability,
    verdict: verdictFor(probability, options.threshold, []),
    threshold: options.threshold,
    model_version: riskModel.version,
    model: { name: riskModel.name, version: riskModel.version },
    contributions,
  });

  server.route([
    { method: 'GET', path: '/healthz', handler: () => ({ status: 'ok' }) },
    {
      method: 'GET',
      path: '/readyz',
      handler: async (_request, h) => {
        const checks: Array<{ name: string; ok: boolean; message?: string }> = [
          { name: 'model', ok: true, message: `${riskModel.name} ${riskModel.version} loaded` },
        ];
        const pending: Array<{ name: string; check: () => Promise<void> }> = [...(options.readinessChecks ?? [])];
        if (options.featureSource?.ping) {
          const source = options.featureSource;
          pending.unshift({ name: `features:${source.name}`, check: () => source.ping!({ signal: AbortSignal.timeout(3000) }) });
        }
        for (const { name, check } of pending) {
          try {
            await check();
            checks.push({ name, ok: true });
          } catch (error) {
            checks.push({ name, ok: false, message: errorMessage(error) });
          }
        }
        const ready = checks.every((c) => c.ok);
        return h.response({ status: ready ? 'ready' : 'not-ready', checks }).code(ready ? 200 : 503);
      },
    },
    {
      method: 'POST',
      path: '/predict',
      options: { payload: { parse: true, allow: ['application/json'] } },
      handler: async (request, h) => {
        const started = process.hrtime.bigint();
        const parsed = predictSchema.safeParse(request.payload);
        if (!parsed.success) return invalid(h, parsed.error);
        const result = await predictOne(parsed.data as Record<string, number>);
        metrics.predictionDuration.labels('/predict').observe(Number(process.hrtime.bigint() - started) / 1e9);
        return result;
      },
    },
    {
      method: 'POST',
      path: '/predict/batch',
      options: { payload: { parse: true, allow: ['application/json'], maxBytes: Math.max(options.bodyLimitBytes, 4 * 1024 * 1024) } },
      handler: async (request, h) => {
        const started = process.hrtime.bigint();
        const body = Array.isArray(request.payload) ? { instances: request.payload } : request.payload;
        const envelope = batchPredictRequestSchema.safeParse(body);
        if (!envelope.success) return invalid(h, envelope.error);
        const vectors: Record<string, number>[] = [];
        const fields: Array<{ path: string; message: string }> = [];
        envelope.data.instances.forEach((instance, index) => {
          const parsed = predictSchema.safeParse(instance);
          if (parsed.success) vectors.push(parsed.data as Record<string, number>);
          else for (const f of describeIssues(parsed.error)) fields.push({ path: `instances.${index}.${f.path}`, message: f.message });
        });
        if (fields.length > 0) {
          return h.response({ error: 'invalid-request', message: `${fields.length} invalid field(s): ${fields.slice(0, 10).map((f) => `${f.path}: ${f.message}`).join('; ')}`, fields }).code(400);
        }
        const scores = await riskModel.scoreBatch(vectors);
        metrics.predictionDuration.labels('/predict/batch').observe(Number(process.hrtime.bigint() - started) / 1e9);
        return { results: scores.map((s) => toPredictResponse(s.probability, s.contributions ?? [])) };
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handler: async (_request, h) => h.response(await metrics.registry.metrics()).type(metrics.registry.contentType),
    },
    {
      method: 'GET',
      path: '/openapi.json',
      handler: () => buildOpenApiDocument({ version: options.version, predictRequestSchema: predictSchema }),
    },
    {
      method: 'GET',
      path: '/api/info',
      handler: () => ({
        name: 'autoheal',
        version: options.version,
        readOnly: options.readOnly,
        model: { name: riskModel.name, version: riskModel.version, threshold: options.threshold },
        featureNames: riskModel.featureNames,
        features: Object.fromEntries(
          riskModel.featureNames.map((name) => {
            const definition = (DEFAULT_FEATURES as Record<string, { unit: string; description: string } | undefined>)[name];
            return [name, { unit: definition?.unit ?? '', description: definition?.description ?? '' }];
          }),
        ),
        ...options.info,
      }),
    },
    {
      method: 'GET',
      path: '/api/targets',
      handler: () => ({
        targets: history.list().map((entry) => ({ key: entry.key, target: entry.target, threshold: options.thresholdFor(entry.target), latest: entry.latest })),
      }),
    },
    {
      method: 'GET',
      path: '/api/targets/{namespace}/{name}',
      handler: (request, h) => {
        const key = targetKey({ namespace: String(request.params.namespace), name: String(request.params.name) });
        const entry = history.get(key);
        if (!entry) return h.response({ error: 'not-found', message: `target ${key} is not watched; GET /api/targets lists the watched targets` }).code(404);
        return { key, target: entry.target, threshold: options.thresholdFor(entry.target), latest: entry.latest, history: entry.history };
      },
    },
    {
      method: 'POST',
      path: '/api/targets/{namespace}/{name}/evaluate',
      options: { pre: [{ method: requireMutation }], payload: { parse: true, allow: ['application/json', 'text/plain', 'application/x-www-form-urlencoded'], failAction: 'ignore' } },
      handler: async (request, h) => {
        const key = targetKey({ namespace: String(request.params.namespace), name: String(request.params.name) });
        const entry = history.get(key);
        if (!entry) return h.response({ error: 'not-found', message: `target ${key} is not watched; add it to the config's targets` }).code(404);
        if (!options.pipeline) return h.response({ error: 'unavailable', message: 'this server has no pipeline (no Prometheus or Kubernetes configured)' }).code(503);
        if (options.canAct && !options.canAct()) {
          return h.response({ error: 'not-leader', message: 'another autoheal replica holds the leader Lease and does the healing; ask it, or retry' }).code(503);
        }
        const record = await options.pipeline.evaluate(entry.target);
        return record;
      },
    },
    {
      method: 'GET',
      path: '/api/events',
      handler: (request, h) => {
        const stream = new PassThrough();
        openStreams.add(stream);
        stream.write('retry: 3000\n\n');
        const send = (record: DecisionRecord) => {
          stream.write(`id: ${record.id}\nevent: decision\ndata: ${JSON.stringify(record)}\n\n`);
        };
        const unsubscribe = history.subscribe(send);
        const ping = setInterval(() => stream.write(': ping\n\n'), 15_000);
        const end = () => {
          clearInterval(ping);
          unsubscribe();
          openStreams.delete(stream);
          if (!stream.destroyed) stream.end();
        };
        request.raw.req.once('close', end);
        stream.once('close', end);
        return h
          .response(stream)
          .type('text/event-stream')
          .header('Cache-Control', 'no-cache, no-transform')
          .header('Connection', 'keep-alive')
          .header('X-Accel-Buffering', 'no')
          // An encoded (gzip) stream would be buffered; events must reach the browser at once.
          .header('Content-Encoding', 'identity');
      },
    },
  ]);

  if (options.dashboardDir) {
    const dir = options.dashboardDir;
    server.route([
      {
        method: 'GET',
        path: '/risk-dashboard.js',
        handler: async (_request, h) => h.response(await readFile(`${dir}/risk-dashboard.js`)).type('text/javascript; charset=utf-8').header('Cache-Control', 'no-cache'),
      },
      {
        method: 'GET',
        path: '/',
        handler: (_request, h) => h.response(dashboardPage(options.readOnly)).type('text/html; charset=utf-8'),
      },
    ]);
  }

  // Plain `POST /predict` requests skip Hapi's router (see fast-predict.ts); Hapi keeps every other
  // request, and any /predict request that needs more than the fast path does (CORS, odd headers).
  const fastPredict = createFastPredictHandler({ predictSchema, batcher, bodyLimitBytes: options.bodyLimitBytes, metrics, toResponse: toPredictResponse });
  const listener = server.listener;
  const hapiHandlers = listener.listeners('request') as Array<(req: unknown, res: unknown) => void>;
  listener.removeAllListeners('request');
  listener.on('request', (req, res) => {
    if (isFastPredictRequest(req, options.bodyLimitBytes)) fastPredict(req, res);
    else for (const handler of hapiHandlers) handler.call(listener, req, res);
  });

  return {
    hapi: server,
    async start() {
      await server.start();
      return server.info.uri.replace('0.0.0.0', '127.0.0.1');
    },
    async stop(timeoutMs = 10_000) {
      for (const stream of openStreams) stream.end();
      await server.stop({ timeout: timeoutMs });
    },
  };
}

function dashboardPage(readOnly: boolean): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>autoheal</title>
<script type="module" src="/risk-dashboard.js"></script>
<style>body { margin: 0; font-family: system-ui, sans-serif; }</style>
</head>
<body>
<risk-dashboard api-base=""${readOnly ? ' read-only' : ''} theme="auto"></risk-dashboard>
<script>
  // The token for "Check now" is kept in this browser only (sessionStorage), never in the page.
  const dashboard = document.querySelector('risk-dashboard');
  const token = new URLSearchParams(location.hash.slice(1)).get('token') || sessionStorage.getItem('autoheal-token');
  if (token) { sessionStorage.setItem('autoheal-token', token); dashboard.setAttribute('token', token); history.replaceState(null, '', location.pathname); }
</script>
</body>
</html>
`;
}

export { MAX_BATCH };

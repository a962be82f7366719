/**
 * The Hapi server: one plugin per route group (`plugins/`), one error mapping, one access control.
 * This file only wires them together; it reads and triggers the pipeline through the plugins, and
 * all decisions are the pipeline's.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import Hapi from '@hapi/hapi';
import type { FeatureSource, Pipeline, RiskModel, SkippedTarget, TargetRef } from '@autoheal/core';
import type { Logger } from 'pino';
import type { DecisionHistory } from '../decision-history.js';
import type { ServerMetrics } from '../metrics.js';
import { createAccessControl, registerAccessControl } from './auth.js';
import { createErrorMapping, registerErrorMapping, requestTimeoutMessage } from './error-mapping.js';
import { dashboardPlugin } from './plugins/dashboard-plugin.js';
import { eventsPlugin } from './plugins/events-plugin.js';
import { healthPlugin, type ReadinessCheck } from './plugins/health-plugin.js';
import { infoPlugin, type ServerInfoSettings } from './plugins/info-plugin.js';
import { metricsPlugin } from './plugins/metrics-plugin.js';
import { openApiPlugin } from './plugins/openapi-plugin.js';
import { predictPlugin } from './plugins/predict-plugin.js';
import { createPredictRouter } from './predict-models.js';
import { targetsPlugin } from './plugins/targets-plugin.js';

export type { ServerInfoSettings } from './plugins/info-plugin.js';
export type { ReadinessCheck } from './plugins/health-plugin.js';

/** Everything the HTTP server serves from. */
export interface HttpServerOptions {
  host: string;
  port: number;
  readOnly: boolean;
  /** Bearer token for mutations; it grants reads too. */
  apiToken?: string;
  /** `token` closes the dashboard, the `/api/*` reads and the event stream to anyone without a read token. @default 'open' */
  readAccess?: 'open' | 'token';
  /** A token that grants reads only. */
  viewerToken?: string;
  /** The token `/metrics` needs; without one `/metrics` is open. */
  metricsToken?: string;
  corsOrigins: string[];
  bodyLimitBytes: number;
  /** How long a client may take to send a request (slow clients get 408 and are disconnected). @default {@link DEFAULT_TIMEOUTS} */
  timeouts?: HttpTimeouts;
  /** The threshold `/predict` judges against. */
  threshold: number;
  riskModel: RiskModel;
  /** Answers `/predict` bodies of the original seven fields when `riskModel` takes other features. */
  compatibilityModel?: RiskModel;
  /** Checked by `/readyz` (its `ping`). */
  featureSource?: FeatureSource;
  /** Needed for "check now"; without it that route answers 503. */
  pipeline?: Pipeline;
  /** False while another replica holds the leader Lease: "check now" answers 503. @default always true */
  canAct?: () => boolean;
  /** Thresholds per target key, for the targets API. */
  thresholdFor: (target: TargetRef) => number;
  /** The workloads discovery left out at its last listing, for the targets API. @default none */
  skippedTargets?: () => readonly SkippedTarget[];
  history: DecisionHistory;
  metrics: ServerMetrics;
  logger: Logger;
  /** What `/api/info` says about the configuration (the rest comes from the model and the options above). */
  info: ServerInfoSettings;
  /** Folder holding `risk-dashboard.js`; the dashboard is served at `/` when set. */
  dashboardDir?: string;
  /** Extra readiness checks (e.g. the Kubernetes API). */
  readinessChecks?: ReadinessCheck[];
  version: string;
}

/** Limits for slow clients, in ms (the `server.timeouts` config section). */
export interface HttpTimeouts {
  /** The request line and headers must arrive within this (a slowloris client never finishes them). */
  headersMs: number;
  /** The whole request, headers and body, must arrive within this. */
  requestMs: number;
  /** An idle kept-alive connection is closed after this. */
  keepAliveMs: number;
}

/** The defaults of `server.timeouts`: 10 s for the headers, 30 s for the whole request, 5 s of keep-alive. */
export const DEFAULT_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 };

/**
 * The Node server under Hapi, with the slow-client limits. Node checks them every
 * `connectionsCheckingInterval` (30 s by default, which would let a slow client stay up to 30 s past
 * its limit), so the check runs often enough for the shortest limit. A client that is too slow gets
 * a 408 with the usual JSON error body and the connection is closed (Hapi would answer 400).
 */
function createListener(timeouts: HttpTimeouts): http.Server {
  return http.createServer({
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(timeouts.headersMs / 4))),
  });
}

/** Answers Node's request time-outs with 408 before Hapi's own client-error handler (a 400 for everything) sees them. */
function answerTimeoutsWith408(listener: http.Server, timeouts: HttpTimeouts): void {
  const others = listener.listeners('clientError') as Array<(error: NodeJS.ErrnoException, socket: Socket) => void>;
  listener.removeAllListeners('clientError');
  const body = JSON.stringify({ error: 'request-timeout', message: requestTimeoutMessage(timeouts) });
  const answer = `HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  listener.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code !== 'ERR_HTTP_REQUEST_TIMEOUT') {
      for (const handler of others) handler.call(listener, error, socket);
      return;
    }
    if (socket.writable) socket.end(answer);
    else socket.destroy();
  });
}

/** A created (not yet started) server. */
export interface HttpServer {
  hapi: Hapi.Server;
  /** Starts listening; resolves with the URL. */
  start(): Promise<string>;
  /** Stops accepting requests, ends event streams, waits for in-flight requests (up to `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Creates the server with every route group registered.
 *
 * @example
 * const http = await createHttpServer({ host: '127.0.0.1', port: 8080, riskModel, history, metrics, logger, ... });
 * const url = await http.start();
 */
export async function createHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { riskModel, history, metrics, logger } = options;
  const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
  const server = Hapi.server({
    host: options.host,
    port: options.port,
    listener: createListener(timeouts),
    routes: {
      cors: options.corsOrigins.length > 0 ? { origin: options.corsOrigins, additionalHeaders: ['authorization'], credentials: false } : false,
      // Hapi's own body time-out (10 s by default) follows the one documented limit for the whole request.
      payload: { maxBytes: options.bodyLimitBytes, timeout: timeouts.requestMs },
      // Cookies other applications on this host set never fail a request (only the dashboard's session is read).
      state: { parse: true, failAction: 'ignore' },
    },
    router: { stripTrailingSlash: true },
  });
  answerTimeoutsWith408(server.listener, timeouts);

  const errors = createErrorMapping({ bodyLimitBytes: options.bodyLimitBytes, timeouts, logger });
  registerErrorMapping(server, errors);
  const access = createAccessControl({
    readOnly: options.readOnly,
    apiToken: options.apiToken,
    readAccess: options.readAccess,
    viewerToken: options.viewerToken,
    metricsToken: options.metricsToken,
  });
  registerAccessControl(server, access);
  const predictRouter = createPredictRouter({ riskModel, threshold: options.threshold }, options.compatibilityModel);

  await server.register([
    { plugin: metricsPlugin, options: { metrics } },
    { plugin: healthPlugin, options: { riskModel, featureSource: options.featureSource, readinessChecks: options.readinessChecks } },
    { plugin: predictPlugin, options: { router: predictRouter, bodyLimitBytes: options.bodyLimitBytes, metrics, errors } },
    { plugin: openApiPlugin, options: { version: options.version, router: predictRouter } },
    { plugin: infoPlugin, options: { version: options.version, readOnly: options.readOnly, riskModel, threshold: options.threshold, settings: options.info } },
    { plugin: targetsPlugin, options: { history, thresholdFor: options.thresholdFor, pipeline: options.pipeline, canAct: options.canAct, skipped: options.skippedTargets, access } },
    { plugin: eventsPlugin, options: { history, access } },
  ]);
  if (options.dashboardDir) {
    await server.register({ plugin: dashboardPlugin, options: { dashboardDir: options.dashboardDir, readOnly: options.readOnly, access } });
  }

  return {
    hapi: server,
    async start() {
      await server.start();
      return server.info.uri.replace('0.0.0.0', '127.0.0.1');
    },
    async stop(timeoutMs = 10_000) {
      await server.stop({ timeout: timeoutMs });
    },
  };
}

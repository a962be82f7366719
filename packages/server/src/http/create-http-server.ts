/**
 * The Hapi server: one plugin per route group (`plugins/`), one error mapping, one access control.
 * This file only wires them together; it reads and triggers the pipeline through the plugins, and
 * all decisions are the pipeline's.
 */
import Hapi from '@hapi/hapi';
import type { FeatureSource, Pipeline, RiskModel, TargetRef } from '@autoheal/core';
import type { Logger } from 'pino';
import type { DecisionHistory } from '../decision-history.js';
import type { ServerMetrics } from '../metrics.js';
import { createAccessControl } from './auth.js';
import { createErrorMapping, registerErrorMapping } from './error-mapping.js';
import { dashboardPlugin } from './plugins/dashboard-plugin.js';
import { eventsPlugin } from './plugins/events-plugin.js';
import { healthPlugin, type ReadinessCheck } from './plugins/health-plugin.js';
import { infoPlugin, type ServerInfoSettings } from './plugins/info-plugin.js';
import { metricsPlugin } from './plugins/metrics-plugin.js';
import { openApiPlugin } from './plugins/openapi-plugin.js';
import { predictPlugin } from './plugins/predict-plugin.js';
import { targetsPlugin } from './plugins/targets-plugin.js';

export type { ServerInfoSettings } from './plugins/info-plugin.js';
export type { ReadinessCheck } from './plugins/health-plugin.js';

/** Everything the HTTP server serves from. */
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
  /** What `/api/info` says about the configuration (the rest comes from the model and the options above). */
  info: ServerInfoSettings;
  /** Folder holding `risk-dashboard.js`; the dashboard is served at `/` when set. */
  dashboardDir?: string;
  /** Extra readiness checks (e.g. the Kubernetes API). */
  readinessChecks?: ReadinessCheck[];
  version: string;
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
  const server = Hapi.server({
    host: options.host,
    port: options.port,
    routes: {
      cors: options.corsOrigins.length > 0 ? { origin: options.corsOrigins, additionalHeaders: ['authorization'], credentials: false } : false,
      payload: { maxBytes: options.bodyLimitBytes },
    },
    router: { stripTrailingSlash: true },
  });

  const errors = createErrorMapping({ bodyLimitBytes: options.bodyLimitBytes, logger });
  registerErrorMapping(server, errors);
  const access = createAccessControl({ readOnly: options.readOnly, apiToken: options.apiToken });

  await server.register([
    { plugin: metricsPlugin, options: { metrics } },
    { plugin: healthPlugin, options: { riskModel, featureSource: options.featureSource, readinessChecks: options.readinessChecks } },
    { plugin: predictPlugin, options: { riskModel, threshold: options.threshold, bodyLimitBytes: options.bodyLimitBytes, metrics, errors } },
    { plugin: openApiPlugin, options: { version: options.version, featureNames: riskModel.featureNames } },
    { plugin: infoPlugin, options: { version: options.version, readOnly: options.readOnly, riskModel, threshold: options.threshold, settings: options.info } },
    { plugin: targetsPlugin, options: { history, thresholdFor: options.thresholdFor, pipeline: options.pipeline, canAct: options.canAct, access } },
    { plugin: eventsPlugin, options: { history } },
  ]);
  if (options.dashboardDir) {
    await server.register({ plugin: dashboardPlugin, options: { dashboardDir: options.dashboardDir, readOnly: options.readOnly } });
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

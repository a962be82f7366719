/**
 * `autoheal serve`: the HTTP server plus, when targets are configured, the watch loop. Shuts down
 * gracefully: stop accepting requests, let the in-flight evaluation finish, stop the loop, close
 * the adapters.
 */
import type { Logger } from 'pino';
import type { AutohealConfig } from './config/config-schema.js';
import { whileLeading } from './target-sources.js';
import { createAutoheal, type Autoheal, type ComposeOverrides } from './compose.js';
import { findDashboardDir } from './dashboard-assets.js';
import { createHttpServer, type HttpServer } from './http/create-http-server.js';
import { ALWAYS_LEADING, leadershipFence, startLeadership, type Leadership } from './leadership.js';
import { VERSION } from './version.js';

export interface RunningServer {
  url: string;
  autoheal: Autoheal;
  http: HttpServer;
  /** Whether this replica leads (always, without leader election). */
  leadership: Leadership;
  /** Resolves when the watch loop has stopped (immediately when there is none). */
  watchDone: Promise<void>;
  stop(): Promise<void>;
}

export interface ServeOptions extends ComposeOverrides {
  /** Run the watch loop (default: when targets are configured). */
  watch?: boolean;
}

export async function startServer(config: AutohealConfig, logger: Logger, options: ServeOptions = {}): Promise<RunningServer> {
  // Leadership starts once the healer exists (it reuses its kubeconfig); the pipeline asks it
  // through this fence before its claim and every write.
  let leadership: Leadership | undefined;
  const fence = leadershipFence(config, () => leadership);
  const autoheal = await createAutoheal(config, logger, { ...options, ...(fence ? { fence } : {}) });
  // With leader election on, only the replica holding the Lease evaluates and acts; the others serve
  // `/predict`, the API and the dashboard, and answer "check now" with 503 until they lead.
  // A predict-only server acts on nothing, so it does not compete.
  const leading = autoheal.pipeline ? await startLeadership(config, autoheal.healer, logger) : ALWAYS_LEADING;
  leadership = leading;
  const isLeader = () => leading.isLeader();
  autoheal.metrics.trackLeadership(isLeader);
  const policy = autoheal.policy;
  const dashboardDir = config.server.dashboard ? findDashboardDir() : undefined;
  if (config.server.dashboard && !dashboardDir) logger.warn('dashboard bundle not found (build @autoheal/dashboard-wc); / will answer 404');
  const http = await createHttpServer({
    host: config.server.host,
    port: config.server.port,
    readOnly: config.server.readOnly,
    ...(config.server.apiToken ? { apiToken: config.server.apiToken } : {}),
    readAccess: config.server.readAccess,
    ...(config.server.viewerToken ? { viewerToken: config.server.viewerToken } : {}),
    ...(config.server.metricsToken ? { metricsToken: config.server.metricsToken } : {}),
    corsOrigins: config.server.corsOrigins,
    bodyLimitBytes: config.server.bodyLimitBytes,
    timeouts: { headersMs: config.server.timeouts.headers, requestMs: config.server.timeouts.request, keepAliveMs: config.server.timeouts.keepAlive },
    threshold: autoheal.threshold,
    riskModel: autoheal.riskModel,
    ...(autoheal.compatibilityModel ? { compatibilityModel: autoheal.compatibilityModel } : {}),
    ...(autoheal.featureSource ? { featureSource: autoheal.featureSource } : {}),
    ...(autoheal.pipeline ? { pipeline: autoheal.pipeline } : {}),
    canAct: isLeader,
    thresholdFor: autoheal.thresholdFor,
    ...(autoheal.targets ? { skippedTargets: () => autoheal.targets?.catalog.lastListing()?.skipped ?? [] } : {}),
    history: autoheal.history,
    metrics: autoheal.metrics,
    logger,
    version: VERSION,
    ...(dashboardDir ? { dashboardDir } : {}),
    info: {
      dryRun: config.policy.dryRun,
      mode: autoheal.pipeline ? 'full' : 'predict-only',
      leaderElection: config.leaderElection?.enabled ?? false,
      // The policy is described even in predict-only mode: the dashboard shows the ladder it would run.
      policy: {
        threshold: policy.threshold,
        ladder: policy.ladder.map((step) => ({ kind: step.kind })),
        recheckDelayMs: policy.recheckDelayMs,
        cooldownMs: policy.cooldownMs,
        healthyResetMs: policy.healthyResetMs,
        circuitBreaker: policy.circuitBreaker,
      },
    },
  });
  const url = await http.start();
  logger.info({ url, model: `${autoheal.riskModel.name} ${autoheal.riskModel.version}`, targets: config.targets.length, discovery: config.discovery?.namespaceSelector, dryRun: config.policy.dryRun }, 'autoheal server listening');

  if (!autoheal.pipeline) logger.warn('predict-only mode: no Prometheus and no targets configured, so nothing is watched or healed');
  const stopWatch = new AbortController();
  const runWatch = (options.watch ?? (config.targets.length > 0 || config.discovery !== undefined)) && autoheal.pipeline !== undefined && autoheal.targets !== undefined;
  const watchDone = runWatch
    ? autoheal.pipeline!
        // Followers evaluate nothing: an empty target list each round until they lead.
        .watch(whileLeading(autoheal.targets!.catalog, isLeader), { intervalMs: config.watch.interval, concurrency: config.watch.concurrency, signal: stopWatch.signal })
        .catch((error: unknown) => logger.error({ err: error }, 'watch loop stopped with an error'))
    : Promise.resolve();

  let stopping: Promise<void> | undefined;
  return {
    url,
    autoheal,
    http,
    leadership: leading,
    watchDone,
    stop() {
      stopping ??= (async () => {
        logger.info('shutting down: finishing the in-flight evaluation, then closing adapters');
        stopWatch.abort();
        await http.stop(10_000);
        await watchDone;
        await leading.stop();
        await autoheal.close();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}

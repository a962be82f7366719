/**
 * @autoheal/server — the autoheal reference server (Hapi) and the `autoheal` CLI, composing core and
 * the four adapters. Import it to embed the server or to reuse its config schema and loader.
 */
export { configSchema, prometheusServiceSchema, targetEntrySchema, type AutohealConfig, type AutohealConfigInput } from './config/config-schema.js';
export { applyEnvOverrides, ENV_OVERRIDES, loadConfig, readConfigFile, validateConfig } from './config/load-config.js';
export { durationSchema, parseDuration } from './config/duration.js';
export { createAutoheal, createFullAutoheal, isPredictOnly, policyFromConfig, type Autoheal, type ComposeOverrides, type FullAutoheal } from './compose.js';
export { startServer, type RunningServer, type ServeOptions } from './serve.js';
export { createHttpServer, type HttpServer, type HttpServerOptions, type ReadinessCheck, type ServerInfoSettings } from './http/create-http-server.js';
export { DecisionHistory, type TargetHistory } from './decision-history.js';
export { createServerMetrics, type ServerMetrics } from './metrics.js';
export { createLogNotifier } from './log-notifier.js';
export { runCli, registerCommand } from './cli/main.js';
export { registerCommands } from './cli/register-commands.js';
export { RUN_EXIT, exitCodeFor } from './cli/run-exit-codes.js';
export type { CliIo } from './cli/io.js';

/**
 * @autoheal/server — the autoheal reference server (Hapi) and the `autoheal` CLI, composing core and
 * the four adapters. Import it to embed the server or to reuse its config schema and loader.
 */
export {
  createConfigSchema,
  parseServiceReference,
  targetEntrySchema,
  type AdapterOptionSchemas,
  type AutohealConfig,
  type AutohealConfigInput,
  type ConfigSchema,
} from './config/config-schema.js';
export { loadAdapterSchemas } from './config/adapter-schemas.js';
export { loadConfig, readConfigFile, validateConfig, type LoadConfigOptions, type ValidateConfigOptions } from './config/load-config.js';
export { applyEnvOverrides, envOverrides, ENV_OVERRIDES } from './config/env-overrides.js';
export type { ConfigIssue, ConfigOverride } from './config/config-sources.js';
export { durationField, durationSchema, parseDuration } from './config/duration.js';
export { policyFromConfig } from './config/adapter-options.js';
export {
  createAutoheal,
  isPredictOnly,
  type Autoheal,
  type ComposeOptions,
  type ComposeOverrides,
  type FullAutoheal,
  type OperatorAutoheal,
  type OperatorOptions,
} from './compose.js';
export { startServer, type RunningServer, type ServeOptions } from './serve.js';
export {
  createHttpServer,
  DEFAULT_TIMEOUTS,
  type HttpServer,
  type HttpServerOptions,
  type HttpTimeouts,
  type ReadinessCheck,
  type ServerInfoSettings,
} from './http/create-http-server.js';
export { startLeadership, type Leadership, type LeaseRef } from './leadership.js';
export { DecisionHistory, type TargetHistory } from './decision-history.js';
export { createServerMetrics, type ServerMetrics } from './metrics.js';
export { createLogNotifier } from './log-notifier.js';
export { runCli, registerCommand } from './cli/main.js';
export { registerCommands } from './cli/register-commands.js';
export { RUN_EXIT, exitCodeFor } from './cli/run-exit-codes.js';
export type { CliIo } from './cli/io.js';

/**
 * Environment variables that override the config file, and where they go. `RISK_THRESHOLD`,
 * `SLACK_WEBHOOK_URL`, `PORT` and `MODEL_PATH` are the original project's names, kept so its CI
 * settings still work. Each override remembers its variable, so a wrong value is blamed on it.
 */
import { ConfigError } from '@autoheal/core';
import { applyOverrides, type ConfigOverride } from './config-sources.js';

type EnvType = 'string' | 'number' | 'boolean' | 'list';

/** The variables, in the order they apply (a later one wins: `AUTOHEAL_PORT` over `PORT`). */
export const ENV_OVERRIDES: ReadonlyArray<{ env: string; path: string[]; type: EnvType; secret?: boolean }> = [
  { env: 'AUTOHEAL_HOST', path: ['server', 'host'], type: 'string' },
  { env: 'PORT', path: ['server', 'port'], type: 'number' },
  { env: 'AUTOHEAL_PORT', path: ['server', 'port'], type: 'number' },
  { env: 'AUTOHEAL_READ_ONLY', path: ['server', 'readOnly'], type: 'boolean' },
  { env: 'AUTOHEAL_API_TOKEN', path: ['server', 'apiToken'], type: 'string', secret: true },
  { env: 'AUTOHEAL_VIEWER_TOKEN', path: ['server', 'viewerToken'], type: 'string', secret: true },
  { env: 'AUTOHEAL_READ_ACCESS', path: ['server', 'readAccess'], type: 'string' },
  { env: 'AUTOHEAL_METRICS_TOKEN', path: ['server', 'metricsToken'], type: 'string', secret: true },
  { env: 'AUTOHEAL_CORS_ORIGINS', path: ['server', 'corsOrigins'], type: 'list' },
  { env: 'AUTOHEAL_PROMETHEUS_URL', path: ['prometheus', 'url'], type: 'string' },
  { env: 'AUTOHEAL_PROMETHEUS_SERVICE', path: ['prometheus', 'service'], type: 'string' },
  { env: 'AUTOHEAL_MODEL_PATH', path: ['model', 'path'], type: 'string' },
  { env: 'MODEL_PATH', path: ['model', 'path'], type: 'string' },
  { env: 'AUTOHEAL_COMPATIBILITY_MODEL_PATH', path: ['model', 'compatibilityPath'], type: 'string' },
  { env: 'AUTOHEAL_KUBECONFIG', path: ['kubernetes', 'kubeconfig'], type: 'string' },
  { env: 'AUTOHEAL_KUBE_CONTEXT', path: ['kubernetes', 'context'], type: 'string' },
  { env: 'AUTOHEAL_TARGETS', path: ['targets'], type: 'list' },
  { env: 'RISK_THRESHOLD', path: ['policy', 'threshold'], type: 'number' },
  { env: 'AUTOHEAL_THRESHOLD', path: ['policy', 'threshold'], type: 'number' },
  { env: 'AUTOHEAL_DRY_RUN', path: ['policy', 'dryRun'], type: 'boolean' },
  { env: 'AUTOHEAL_RECHECK_DELAY', path: ['policy', 'recheckDelay'], type: 'string' },
  { env: 'SLACK_WEBHOOK_URL', path: ['slack', 'webhookUrl'], type: 'string', secret: true },
  { env: 'AUTOHEAL_SLACK_WEBHOOK_URL', path: ['slack', 'webhookUrl'], type: 'string', secret: true },
  { env: 'AUTOHEAL_LEADER_ELECTION', path: ['leaderElection', 'enabled'], type: 'boolean' },
  { env: 'AUTOHEAL_DISCOVERY_NAMESPACE_SELECTOR', path: ['discovery', 'namespaceSelector'], type: 'string' },
  { env: 'AUTOHEAL_LOG_LEVEL', path: ['log', 'level'], type: 'string' },
];

function convert(env: string, raw: string, type: EnvType): unknown {
  switch (type) {
    case 'number': {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value)) {
        throw new ConfigError(`environment variable ${env}="${raw}" is not a number`, { component: 'config' });
      }
      return value;
    }
    case 'boolean': {
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new ConfigError(`environment variable ${env}="${raw}" is not a boolean: use true or false`, { component: 'config' });
    }
    case 'list':
      return raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
    default:
      return raw;
  }
}

/** The overrides the environment sets (empty variables are ignored). Secrets are named without their value. */
export function envOverrides(env: NodeJS.ProcessEnv = process.env): ConfigOverride[] {
  const overrides: ConfigOverride[] = [];
  for (const { env: name, path, type, secret } of ENV_OVERRIDES) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    overrides.push({ path, value: convert(name, value, type), source: secret ? `environment variable ${name}` : `environment variable ${name}="${value}"` });
  }
  return overrides;
}

/** Applies `AUTOHEAL_*` (and the original project's) environment variables on top of a raw config object. */
export function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  return applyOverrides(raw, envOverrides(env));
}

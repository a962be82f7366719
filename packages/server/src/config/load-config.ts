/**
 * Loads the configuration: file (YAML or JSON) → environment overrides → zod validation. A wrong
 * config fails here, at start, with the path of every wrong field.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, describeIssues, formatIssues } from '@autoheal/core';
import { parse as parseYaml } from 'yaml';
import { configSchema, type AutohealConfig } from './config-schema.js';

/**
 * Environment variables that override the file, and where they go. `RISK_THRESHOLD` and
 * `SLACK_WEBHOOK_URL` are the original project's names, kept so its CI settings still work.
 */
export const ENV_OVERRIDES: ReadonlyArray<{ env: string; path: string[]; type: 'string' | 'number' | 'boolean' | 'list' }> = [
  { env: 'AUTOHEAL_HOST', path: ['server', 'host'], type: 'string' },
  { env: 'PORT', path: ['server', 'port'], type: 'number' },
  { env: 'AUTOHEAL_PORT', path: ['server', 'port'], type: 'number' },
  { env: 'AUTOHEAL_READ_ONLY', path: ['server', 'readOnly'], type: 'boolean' },
  { env: 'AUTOHEAL_API_TOKEN', path: ['server', 'apiToken'], type: 'string' },
  { env: 'AUTOHEAL_CORS_ORIGINS', path: ['server', 'corsOrigins'], type: 'list' },
  { env: 'AUTOHEAL_PROMETHEUS_URL', path: ['prometheus', 'url'], type: 'string' },
  { env: 'AUTOHEAL_PROMETHEUS_SERVICE', path: ['prometheus', 'service'], type: 'string' },
  { env: 'AUTOHEAL_MODEL_PATH', path: ['model', 'path'], type: 'string' },
  { env: 'MODEL_PATH', path: ['model', 'path'], type: 'string' },
  { env: 'AUTOHEAL_KUBECONFIG', path: ['kubernetes', 'kubeconfig'], type: 'string' },
  { env: 'AUTOHEAL_KUBE_CONTEXT', path: ['kubernetes', 'context'], type: 'string' },
  { env: 'AUTOHEAL_TARGETS', path: ['targets'], type: 'list' },
  { env: 'RISK_THRESHOLD', path: ['policy', 'threshold'], type: 'number' },
  { env: 'AUTOHEAL_THRESHOLD', path: ['policy', 'threshold'], type: 'number' },
  { env: 'AUTOHEAL_DRY_RUN', path: ['policy', 'dryRun'], type: 'boolean' },
  { env: 'AUTOHEAL_RECHECK_DELAY', path: ['policy', 'recheckDelay'], type: 'string' },
  { env: 'SLACK_WEBHOOK_URL', path: ['slack', 'webhookUrl'], type: 'string' },
  { env: 'AUTOHEAL_SLACK_WEBHOOK_URL', path: ['slack', 'webhookUrl'], type: 'string' },
  { env: 'AUTOHEAL_LEADER_ELECTION', path: ['leaderElection', 'enabled'], type: 'boolean' },
  { env: 'AUTOHEAL_LOG_LEVEL', path: ['log', 'level'], type: 'string' },
];

function convert(env: string, raw: string, type: 'string' | 'number' | 'boolean' | 'list'): unknown {
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

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** Applies `AUTOHEAL_*` (and the original project's) environment variables on top of a raw config object. */
export function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const result = structuredClone(raw);
  for (const { env: name, path, type } of ENV_OVERRIDES) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(result, path, convert(name, value, type));
  }
  return result;
}

/** Validates a raw config object; throws a ConfigError listing every wrong field (`where` names the source). */
export function validateConfig(raw: unknown, where = 'configuration'): AutohealConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const issues = describeIssues(result.error);
  throw new ConfigError(`${where} is invalid: ${formatIssues(issues)}`, { component: 'config', details: issues });
}

/** Reads and parses a YAML or JSON config file (no validation). */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; check the path`, { component: 'config', cause: error });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid YAML/JSON: ${(error as Error).message}`, { component: 'config', cause: error });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a mapping (key: value pairs) at the top level`, { component: 'config' });
  }
  return parsed as Record<string, unknown>;
}

/**
 * The whole loading path: optional file, then environment overrides, then extra overrides (CLI
 * flags), then validation.
 */
export async function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Record<string, unknown> } = {}): Promise<AutohealConfig> {
  const fromFile = options.file ? await readConfigFile(options.file) : {};
  const withEnv = applyEnvOverrides(fromFile, options.env ?? process.env);
  const merged = deepMerge(withEnv, options.overrides ?? {});
  return validateConfig(merged, options.file ? `config file ${options.file}` : 'configuration');
}

/** Merges plain objects (arrays and scalars from `override` replace). */
export function deepMerge(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    const current = result[key];
    if (isPlainObject(current) && isPlainObject(value)) result[key] = deepMerge(current, value);
    else result[key] = value;
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

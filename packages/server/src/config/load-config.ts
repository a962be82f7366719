/**
 * Loads the configuration: file (YAML or JSON) → environment overrides → CLI flags → validation. A
 * wrong config fails here, at start, naming every wrong field (unknown keys at any level with the
 * closest valid one) and blaming each on what set it: the file, an environment variable or a flag.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '@autoheal/core';
import { parse as parseYaml } from 'yaml';
import { currentConfigSchema, loadAdapterSchemas, missingAdapterSchemas } from './adapter-schemas.js';
import type { AutohealConfig } from './config-schema.js';
import { applyOverrides, formatConfigIssues, sourceOf, type ConfigIssue, type ConfigOverride } from './config-sources.js';
import { envOverrides } from './env-overrides.js';
import { findUnknownKeys } from './unknown-keys.js';

/** Options of {@link validateConfig}. */
export interface ValidateConfigOptions {
  /** What the raw object is, for errors not caused by an override. @default 'configuration' */
  source?: string;
  /** The overrides already applied to the raw object, so their errors are blamed on them. */
  overrides?: readonly ConfigOverride[];
}

/**
 * Validates a raw config object; throws a ConfigError listing every wrong field. A `prometheus`,
 * `kubernetes` or `leaderElection` section needs its adapter's schema: call `loadAdapterSchemas()`
 * first (`loadConfig` does), or this throws saying so.
 *
 * @example
 * const config = validateConfig({ targets: ['prod/backend'], policy: { dryRun: true } });
 */
export function validateConfig(raw: unknown, options: ValidateConfigOptions | string = {}): AutohealConfig {
  const { source = 'configuration', overrides = [] } = typeof options === 'string' ? { source: options } : options;
  const missing = missingAdapterSchemas(raw);
  if (missing.length > 0) {
    throw new ConfigError(`internal: validating the ${missing.join(', ')} section(s) needs the adapters' option schemas; await loadAdapterSchemas() before validateConfig (loadConfig does)`, { component: 'config' });
  }
  const schema = currentConfigSchema();
  const unknownKeys = findUnknownKeys(schema, raw);
  const result = schema.safeParse(raw);
  if (result.success && unknownKeys.length === 0) return result.data;
  const reported = new Set(unknownKeys.map((issue) => issue.path.join('.')));
  const schemaIssues = result.success
    ? []
    : result.error.issues.filter(
        // zod's own unknown-key issues (strict objects) repeat the walk's, which also names the closest key.
        (issue) => issue.code !== 'unrecognized_keys' || !issue.keys.every((key) => reported.has([...issue.path, key].join('.'))),
      );
  const issues: ConfigIssue[] = [...unknownKeys, ...schemaIssues].map((issue) => ({
    path: issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.'),
    message: issue.message,
    source: sourceOf(issue.path as Array<string | number>, overrides, source),
  }));
  throw new ConfigError(formatConfigIssues(issues), { component: 'config', details: issues });
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

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** A YAML or JSON config file. */
  file?: string;
  /** Read for the `AUTOHEAL_*` overrides. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Applied last (CLI flags), each naming its source. */
  overrides?: readonly ConfigOverride[];
}

/**
 * The whole loading path: optional file, then environment overrides, then `overrides` (CLI flags),
 * then validation. Imports the adapters' option schemas the sections present need.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<AutohealConfig> {
  const fromFile = options.file ? await readConfigFile(options.file) : {};
  const overrides = [...envOverrides(options.env ?? process.env), ...(options.overrides ?? [])];
  const merged = applyOverrides(fromFile, overrides);
  await loadAdapterSchemas(missingAdapterSchemas(merged));
  return validateConfig(merged, { source: options.file ? `config file ${options.file}` : 'configuration', overrides });
}

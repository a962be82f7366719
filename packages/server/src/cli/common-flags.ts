/** Flags shared by the commands that build a pipeline, and how they map onto the config. */
import type { ParseArgsConfig } from 'node:util';
import { ConfigError } from '@autoheal/core';
import type { ConfigOverride } from '../config/config-sources.js';
import { loadConfig } from '../config/load-config.js';
import type { AutohealConfig } from '../config/config-schema.js';
import type { CliIo } from './io.js';

export const COMMON_FLAGS = {
  config: { type: 'string', short: 'c' },
  'prometheus-url': { type: 'string' },
  'prometheus-service': { type: 'string' },
  model: { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  threshold: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'slack-webhook-url': { type: 'string' },
  'log-level': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const COMMON_FLAGS_HELP = `Configuration (a file plus AUTOHEAL_* environment variables; flags win):
  -c, --config FILE              YAML or JSON config file
      --prometheus-url URL       Prometheus HTTP API, e.g. http://127.0.0.1:9090
      --prometheus-service REF   in-cluster Prometheus through the Kubernetes API,
                                 e.g. monitoring/prometheus-operated:9090
      --model PATH               ONNX model (default models/risk-v2.onnx; seven-field /predict
                                 bodies are answered by model.compatibilityPath, models/risk-v1.onnx)
      --kubeconfig PATH          kubeconfig file (default: KUBECONFIG, ~/.kube/config)
      --context NAME             kubeconfig context
      --threshold P              at-risk threshold in [0, 1] (default: the one the model was
                                 tuned for, else 0.50; RISK_THRESHOLD works too)
      --dry-run                  plan and record, change nothing
      --slack-webhook-url URL    post decisions to Slack (or SLACK_WEBHOOK_URL)
      --log-level LEVEL          fatal|error|warn|info|debug|trace|silent
      --json                     machine-readable output`;

type CommonValues = { [K in keyof typeof COMMON_FLAGS]?: (typeof COMMON_FLAGS)[K]['type'] extends 'boolean' ? boolean : string };

/** A flag's value for the config, naming the flag so a wrong value is blamed on it. */
export function flagOverride(flag: string, path: string[], value: unknown, options: { secret?: boolean } = {}): ConfigOverride {
  return { path, value, source: options.secret || typeof value === 'boolean' ? `flag ${flag}` : `flag ${flag} ${String(value)}` };
}

/** Loads the config file + environment, then applies the flags and positional targets (and a command's own `extra` flags). */
export async function configFromFlags(values: CommonValues, targets: string[], io: CliIo, extra: readonly ConfigOverride[] = []): Promise<AutohealConfig> {
  const overrides: ConfigOverride[] = [];
  const set = (flag: keyof typeof COMMON_FLAGS, path: string[], value: unknown, secret = false) => {
    if (value !== undefined) overrides.push(flagOverride(`--${flag}`, path, value, { secret }));
  };
  set('prometheus-url', ['prometheus', 'url'], values['prometheus-url']);
  set('prometheus-service', ['prometheus', 'service'], values['prometheus-service']);
  set('model', ['model', 'path'], values.model);
  set('kubeconfig', ['kubernetes', 'kubeconfig'], values.kubeconfig);
  set('context', ['kubernetes', 'context'], values.context);
  if (values.threshold !== undefined) {
    const threshold = Number(values.threshold);
    if (values.threshold.trim() === '' || !Number.isFinite(threshold)) throw new ConfigError(`--threshold "${values.threshold}" is not a number: give a probability such as 0.5`, { component: 'cli' });
    set('threshold', ['policy', 'threshold'], threshold);
  }
  if (values['dry-run']) set('dry-run', ['policy', 'dryRun'], true);
  set('slack-webhook-url', ['slack', 'webhookUrl'], values['slack-webhook-url'], true);
  set('log-level', ['log', 'level'], values['log-level']);
  if (targets.length > 0) overrides.push({ path: ['targets'], value: targets, source: `TARGET argument(s) ${targets.join(' ')}` });
  return loadConfig({ ...(values.config ? { file: values.config } : {}), env: io.env, overrides: [...overrides, ...extra] });
}

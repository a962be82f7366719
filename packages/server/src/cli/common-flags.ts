/** Flags shared by the commands that build a pipeline, and how they map onto the config. */
import type { ParseArgsConfig } from 'node:util';
import { ConfigError } from '@autoheal/core';
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
      --model PATH               ONNX model (default models/risk-v1.onnx)
      --kubeconfig PATH          kubeconfig file (default: KUBECONFIG, ~/.kube/config)
      --context NAME             kubeconfig context
      --threshold P              at-risk threshold in [0, 1] (default 0.50; RISK_THRESHOLD works too)
      --dry-run                  plan and record, change nothing
      --slack-webhook-url URL    post decisions to Slack (or SLACK_WEBHOOK_URL)
      --log-level LEVEL          fatal|error|warn|info|debug|trace|silent
      --json                     machine-readable output`;

type CommonValues = { [K in keyof typeof COMMON_FLAGS]?: (typeof COMMON_FLAGS)[K]['type'] extends 'boolean' ? boolean : string };

/** Loads the config file + environment, then applies the flags and positional targets. */
export async function configFromFlags(values: CommonValues, targets: string[], io: CliIo, extra: Record<string, unknown> = {}): Promise<AutohealConfig> {
  const overrides: Record<string, unknown> = { ...extra };
  const set = (section: string, key: string, value: unknown) => {
    if (value === undefined) return;
    overrides[section] = { ...((overrides[section] as Record<string, unknown>) ?? {}), [key]: value };
  };
  set('prometheus', 'url', values['prometheus-url']);
  set('prometheus', 'service', values['prometheus-service']);
  set('model', 'path', values.model);
  set('kubernetes', 'kubeconfig', values.kubeconfig);
  set('kubernetes', 'context', values.context);
  if (values.threshold !== undefined) {
    const threshold = Number(values.threshold);
    if (!Number.isFinite(threshold)) throw new ConfigError(`--threshold "${values.threshold}" is not a number: give a probability such as 0.5`, { component: 'cli' });
    set('policy', 'threshold', threshold);
  }
  if (values['dry-run']) set('policy', 'dryRun', true);
  set('slack', 'webhookUrl', values['slack-webhook-url']);
  set('log', 'level', values['log-level']);
  if (targets.length > 0) overrides.targets = targets;
  return loadConfig({ ...(values.config ? { file: values.config } : {}), env: io.env, overrides });
}

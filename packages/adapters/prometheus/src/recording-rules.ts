/**
 * The signal bundles as Prometheus recording rules, for very large fleets: Prometheus evaluates the
 * expensive part (mapping every pod-level series to its Deployment and aggregating) once per rule
 * interval, in the background and for every consumer, and a collection then only reads the recorded
 * per-Deployment series (`autoheal:signals:<bundle>`) — still at most ten queries, each a plain
 * selection. The rules are generated from the same PromQL as the queries, so the features are the
 * same, only up to one rule interval older.
 */
import {
  BASE_SIGNAL_NAMES,
  FEATURE_BASE_SIGNALS,
  parseWithSchema,
  resolveRequestMetrics,
  type BaseSignalName,
  type FeatureWindows,
} from '@autoheal/core';
import { z } from 'zod';
import { requestMetricsSchema } from './request-presets.js';
import { buildSignalBundles, durationSeconds, selectorOn, type SignalBundle, type SignalBundleName } from './signal-queries.js';

/** The metric name a bundle is recorded as (`cpu-limits` → `autoheal:signals:cpu_limits`). */
export function recordedSignalMetric(bundle: SignalBundleName): string {
  return `autoheal:signals:${bundle.replace(/-/g, '_')}`;
}

const duration = z.string().regex(/^([0-9]+(ms|s|m|h|d|w|y))+$/, 'must be a PromQL duration such as "2m"');

/** Options of {@link signalRecordingRules}: the same windows, presets and mapping as the source's. */
export const signalRecordingRulesOptionsSchema = z.object({
  /** Rule group evaluation interval. @default '30s' */
  interval: duration.default('30s'),
  /** Rule group name. @default 'autoheal-signals' */
  groupName: z.string().min(1).default('autoheal-signals'),
  /** Features whose signals are recorded. @default every seed and v2 feature */
  featureNames: z.array(z.string().min(1)).optional(),
  deploymentFrom: z.enum(['pod-name', 'owner']).default('pod-name'),
  rateWindow: duration.default('2m'),
  trendWindow: duration.default('10m'),
  priorWindow: duration.default('15m'),
  priorOffset: duration.default('15m'),
  /** Every request preset the source uses (its `requestMetrics` and the values of `targetRequestMetrics`). @default ['flask'] */
  requestMetrics: z.array(requestMetricsSchema).min(1).default(['flask']),
});
export type SignalRecordingRulesOptions = z.input<typeof signalRecordingRulesOptionsSchema>;

/** A Prometheus rule file: `{ groups: [{ name, interval, rules: [{ record, expr }] }] }`. */
export interface RecordingRuleFile {
  groups: Array<{ name: string; interval: string; rules: Array<{ record: string; expr: string }> }>;
}

/**
 * The recording rules for the signal bundles, as a rule-file object; `recordingRulesYaml` renders it.
 * Create the source with `signalSource: 'recording-rules'` and the same options.
 *
 * @example
 * const rules = signalRecordingRules({ requestMetrics: ['flask', 'istio'] });
 * await writeFile('autoheal-rules.yml', recordingRulesYaml(rules)); // rule_files: [autoheal-rules.yml]
 */
export function signalRecordingRules(input: SignalRecordingRulesOptions = {}): RecordingRuleFile {
  const options = parseWithSchema(signalRecordingRulesOptionsSchema, input, 'prometheus', 'invalid recording rule options');
  const windows: FeatureWindows = {
    rateWindowSeconds: durationSeconds(options.rateWindow),
    trendWindowSeconds: durationSeconds(options.trendWindow),
    priorOffsetSeconds: durationSeconds(options.priorOffset),
    priorWindowSeconds: durationSeconds(options.priorWindow),
    minRequests: 0,
  };
  const signals = options.featureNames
    ? new Set<BaseSignalName>(options.featureNames.flatMap((feature) => FEATURE_BASE_SIGNALS[feature] ?? []))
    : new Set<BaseSignalName>(BASE_SIGNAL_NAMES);
  const bundles = buildSignalBundles(signals, { deploymentFrom: options.deploymentFrom, windows, forRecordingRules: true });
  // Every namespace (the rules serve any target); every preset in use, told apart by the `preset` label.
  const presets = new Map(options.requestMetrics.map((choice) => resolveRequestMetrics(choice)).map((metrics) => [metrics.id, { metrics, namespaces: new Set<string>() }]));
  return {
    groups: [{ name: options.groupName, interval: options.interval, rules: bundles.map((bundle) => ({ record: recordedSignalMetric(bundle.name), expr: bundle.render([], presets) })) }],
  };
}

/** A rule file as YAML (PromQL in JSON-escaped double quotes, which YAML reads as is). */
export function recordingRulesYaml(file: RecordingRuleFile): string {
  const lines = ['groups:'];
  for (const group of file.groups) {
    lines.push(`  - name: ${JSON.stringify(group.name)}`, `    interval: ${group.interval}`, '    rules:');
    for (const rule of group.rules) lines.push(`      - record: ${JSON.stringify(rule.record)}`, `        expr: ${JSON.stringify(rule.expr)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A bundle that reads its recorded series instead of computing them. */
export function recordedBundle(bundle: SignalBundle): SignalBundle {
  return { ...bundle, render: (namespaces) => `${recordedSignalMetric(bundle.name)}{${selectorOn('namespace', namespaces)}}` };
}

/**
 * The healing policies the benchmark compares, one entry each. A policy is data (so it travels to
 * the worker processes): the model that judges, core's policy (ladder, timings, keep rule) and the
 * evaluation interval. Adding a policy is one more entry in {@link benchmarkPolicies}: e.g. issue 16's
 * `strategy` is a policy field (`autoheal-ladder` is the defaults with `strategy: 'ladder'`), a model a model path (the feature source is fed the
 * features the model takes: its `feature_set` decides, seed or v2).
 *
 * "autoheal's defaults" is read from the server's configuration with an empty config file (the
 * model it loads, the policy it composes, the watch interval), so the benchmark follows the
 * defaults when they change.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_LADDER, type PolicyInput } from '@autoheal/core';
import { policyFromConfig, validateConfig } from '@autoheal/server';

/** What judges the target. */
export type PolicyModel =
  /** An ONNX risk model file (the server's adapter, as the server composes it). */
  | { kind: 'onnx'; path: string }
  /** The SLO alert of the reactive healer (see `slo-alert-model.ts`). */
  | { kind: 'slo-alert'; forMs: number }
  /** A constant probability (tests: a policy that always heals). */
  | { kind: 'constant'; probability: number };

/** One policy. */
export interface PolicyDefinition {
  /** Short, used in tables and file names. */
  name: string;
  description: string;
  /** How it heals; `null` for the control, which never does (no pipeline runs). */
  healing: { model: PolicyModel; policy: PolicyInput; evaluationIntervalMs: number } | null;
}

/** The control policy's name, which the targets compare against. */
export const NO_HEALING = 'no-healing';
/** The reactive healer's name. */
export const REACTIVE = 'reactive';
/** autoheal's defaults' name. */
export const AUTOHEAL_DEFAULTS = 'autoheal-defaults';
/** autoheal's defaults with the fixed ladder instead of the diagnosis (issue 16's "measure it"). */
export const AUTOHEAL_LADDER = 'autoheal-ladder';

/**
 * Throws, naming the file, when a policy's model file is missing (the command checks the policies it
 * runs before starting any; a run would fail with the ONNX adapter's error otherwise).
 */
export function assertModelsPresent(policies: readonly PolicyDefinition[]): void {
  for (const policy of policies) {
    const model = policy.healing?.model;
    if (model?.kind === 'onnx' && !existsSync(model.path)) {
      throw new Error(`[autoheal] [bench] policy ${policy.name}: model ${model.path} not found: run the benchmark from the repository root (npm run bench:outcome), with the model built (models/)`);
    }
  }
}

/**
 * The policies of a benchmark run, in table order.
 *
 * @param root the repository root, against which the config's relative model paths resolve
 */
export function benchmarkPolicies(root: string = process.cwd()): PolicyDefinition[] {
  const config = validateConfig({}, 'the default configuration');
  const defaults = policyFromConfig(config);
  const modelPath = (file: string): string => path.resolve(root, file);
  return [
    { name: NO_HEALING, description: 'no healing: the control', healing: null },
    {
      name: REACTIVE,
      description:
        "acts only once the observed availability objective has been violated for 1 minute (an SLO alert with for: 1m, from the scraped ready ratio and 5xx share); otherwise exactly autoheal's defaults (strategy, ladder, timings, keep rule), so the comparison isolates prediction from reaction",
      healing: { model: { kind: 'slo-alert', forMs: 60_000 }, policy: { ...defaults, threshold: 0.5 }, evaluationIntervalMs: config.watch.interval },
    },
    {
      name: 'original',
      description: "the original project's behaviour: model v1 at threshold 0.50, the fixed ladder restart → cache → rollback (strategy: ladder), a 120 s re-check, kept at the first healthy re-check",
      healing: {
        model: { kind: 'onnx', path: modelPath('models/risk-v1.onnx') },
        policy: { threshold: 0.5, strategy: 'ladder', ladder: [...DEFAULT_LADDER], recheckDelayMs: 120_000, cooldownMs: 120_000, keep: { healthyEvaluations: 1, minHealthyMs: 0 } },
        evaluationIntervalMs: 15_000,
      },
    },
    {
      name: AUTOHEAL_DEFAULTS,
      description: `autoheal with an empty config file: ${config.model.path} at its tuned threshold, fed the features it takes, the policy the server composes (strategy ${String(defaults.strategy ?? 'core default')}), ${config.watch.interval / 1000} s evaluations`,
      healing: { model: { kind: 'onnx', path: modelPath(config.model.path) }, policy: defaults, evaluationIntervalMs: config.watch.interval },
    },
    {
      name: AUTOHEAL_LADDER,
      description: `autoheal's defaults with strategy ladder: the same model, threshold, ladder, timings and keep rule, the steps in the ladder's order whatever the diagnosis says, so the comparison with ${AUTOHEAL_DEFAULTS} isolates the diagnosis`,
      healing: { model: { kind: 'onnx', path: modelPath(config.model.path) }, policy: { ...defaults, strategy: 'ladder' }, evaluationIntervalMs: config.watch.interval },
    },
  ];
}

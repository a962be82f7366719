/**
 * The one way to build autoheal from a configuration: the adapters, the pipeline and the server's
 * read model (decision history + metrics). `serve`, `watch`, `run`, `predict`, the operator
 * commands and the demo all build here; what differs between them is options — parts the caller
 * supplies, whether a pipeline is required, and the operator commands' extras — so they can never
 * judge a target differently. This is the only place that knows every package.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import { createOnnxRiskModel } from '@autoheal/adapter-onnx';
import type { KubernetesHealer } from '@autoheal/adapter-kubernetes';
import {
  AutohealError,
  ConfigError,
  DEFAULT_FEATURE_NAMES,
  ModelError,
  createPipeline,
  policySchema,
  resolveThreshold,
  targetKey,
  thresholdForTarget,
  type ActionFence,
  type CircuitStore,
  type Clock,
  type FeatureSource,
  type Healer,
  type Notifier,
  type PauseSource,
  type Pipeline,
  type Policy,
  type RiskModel,
  type TargetRef,
} from '@autoheal/core';
import type { Logger } from 'pino';
import { EVENTS_PER_DEPLOYMENT, stepTimesFromEvents } from './circuit-history.js';
import { healerOptionsFromConfig, policyFromConfig, prometheusOptionsFromConfig, slackOptionsFromConfig } from './config/adapter-options.js';
import type { AutohealConfig } from './config/config-schema.js';
import { DecisionHistory } from './decision-history.js';
import { createLogNotifier } from './log-notifier.js';
import { createServerMetrics, type ServerMetrics } from './metrics.js';
import { createServerTargets, type ServerTargets } from './target-sources.js';

/** Everything a running autoheal holds. */
export interface Autoheal {
  config: AutohealConfig;
  riskModel: RiskModel;
  /** Answers `POST /predict` bodies of the seven seed fields when `riskModel` takes others (see {@link loadCompatibilityModel}). */
  compatibilityModel?: RiskModel;
  /** Absent in predict-only mode (no Prometheus and no targets configured). */
  featureSource?: FeatureSource;
  healer?: Healer;
  notifiers: Notifier[];
  pipeline?: Pipeline;
  history: DecisionHistory;
  metrics: ServerMetrics;
  /** The effective policy: core's defaults, the threshold resolved by core (configured, else the model's tuned one, else 0.50). */
  policy: Policy;
  /** The default threshold in force (`policy.threshold`). */
  threshold: number;
  /** The threshold that judges `target` (core's `thresholdForTarget`, the same as the pipeline's). */
  thresholdFor(target: TargetRef): number;
  /** What the watch loop evaluates: the config's targets and the discovered ones (absent in predict-only mode). */
  targets?: ServerTargets;
  /** Closes what was built here; parts the caller supplied are the caller's to close. */
  close(): Promise<void>;
}

/** Parts a caller may supply instead of building them from the config (the demo, tests). */
export interface ComposeOverrides {
  featureSource?: FeatureSource;
  riskModel?: RiskModel;
  /** Answers seven-field `/predict` bodies; without it (and with a supplied `riskModel`) there is none. */
  compatibilityModel?: RiskModel;
  healer?: Healer;
  notifiers?: Notifier[];
  clock?: Clock;
  /** "May this process still act?" (serve's leader elector), checked before every step and every write of it. */
  fence?: ActionFence;
  /** Where pause marks are read, with a supplied `healer` (a Kubernetes healer built here brings its own: `healer.pauses`). */
  pauses?: PauseSource;
}

/** autoheal's own namespace (its Lease, the circuit breaker's and the pause ConfigMaps). */
export function ownNamespace(config: AutohealConfig): string {
  return config.leaderElection?.namespace ?? 'autoheal';
}

/**
 * This process's name in claims and breaker slots: the leader-election identity, else the pod's
 * name, else host name and process id (unique per process, so a claim is never mistaken for another's).
 */
export function processIdentity(config: AutohealConfig): string {
  return config.leaderElection?.identity ?? process.env.POD_NAME ?? `${hostname()}-${process.pid}`;
}

/** What the operator commands (`status`, `heal`, `reset`) add to the pipeline. */
export interface OperatorOptions {
  /**
   * The targets named on the command line. The circuit breaker starts with the ladder steps
   * recorded as Events on these and on the config's targets within its window: the running
   * server counts its steps in memory, the Events are what this process can see of them.
   */
  targets: readonly TargetRef[];
}

/** Options of {@link createAutoheal}. */
export interface ComposeOptions extends ComposeOverrides {
  /**
   * Build the pipeline even with neither Prometheus nor targets configured (it then fails with the
   * config error that names what is missing). @default false: predict-only mode in that case
   */
  requirePipeline?: boolean;
  /** The operator commands' extras: a Kubernetes healer with the operator helpers, the breaker seeded from Events. Implies `requirePipeline`. */
  operator?: OperatorOptions;
  /**
   * Whether discovery writes its `AutohealInvalidAnnotation` Event on a workload it skips. The
   * watching process (`serve`, `watch`) records it; one-shot commands (`run`, `predict`, the
   * operator commands) only report it. @default true, false with `operator`
   */
  discoveryEvents?: boolean;
}

/** A pipeline-backed autoheal (every part present). */
export type FullAutoheal = Autoheal & { featureSource: FeatureSource; healer: Healer; pipeline: Pipeline; targets: ServerTargets };

/** What the operator commands get: the Kubernetes healer with its operator helpers, and the targets whose Events could not be counted. */
export type OperatorAutoheal = FullAutoheal & { healer: KubernetesHealer; unreadableEvents: string[] };

/**
 * Loads the risk model named by the config (relative paths resolve from the working directory).
 * `availableFeatures` (a supplied feature source's) refuses, at load, a model needing others.
 */
export async function loadRiskModel(config: AutohealConfig, availableFeatures?: readonly string[]): Promise<RiskModel> {
  return createOnnxRiskModel({
    modelPath: path.resolve(config.model.path),
    ...(config.model.featureNames ? { expectedFeatureNames: config.model.featureNames } : {}),
    ...(availableFeatures ? { availableFeatures } : {}),
  });
}

/**
 * The model that answers `POST /predict` bodies of the original seven fields (`model.compatibilityPath`,
 * model v1 by default), when the judging model takes other features; `undefined` when it takes the
 * seven itself or the config turns compatibility off. It must take exactly the seven.
 */
export async function loadCompatibilityModel(config: AutohealConfig, riskModel: RiskModel): Promise<RiskModel | undefined> {
  const compatibilityPath = config.model.compatibilityPath;
  if (compatibilityPath === false || sameFeatures(riskModel.featureNames, DEFAULT_FEATURE_NAMES)) return undefined;
  try {
    return await createOnnxRiskModel({ modelPath: path.resolve(compatibilityPath), expectedFeatureNames: DEFAULT_FEATURE_NAMES });
  } catch (error) {
    if (!AutohealError.isInstance(error)) throw error;
    // The adapter names its own option (modelPath). Someone who set only model.path (say, an absolute
    // path to model v2, run from another directory) must learn which config key loads this second
    // file, what it is for, and that it can be turned off.
    throw new ModelError(
      `model.compatibilityPath ${compatibilityPath} cannot be loaded: ${error.message.replace(/^\[autoheal\] \[[^\]]+\] /, '')} ` +
        `This second model answers POST /predict bodies of the seven original fields beside model.path (${config.model.path}). ` +
        `Point model.compatibilityPath (AUTOHEAL_COMPATIBILITY_MODEL_PATH) at models/risk-v1.onnx (relative paths resolve from the working directory, ${process.cwd()}), or set it to false when no client sends seven-field bodies.`,
      { component: 'config', code: 'MODEL_INVALID', cause: error, ...(error.details === undefined ? {} : { details: error.details }) },
    );
  }
}

const sameFeatures = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((name) => b.includes(name));

/**
 * The features the Prometheus adapter collects for a model: the seven seed signals (shown on the
 * dashboard and in every record, whatever the model) and the model's own, seed first.
 */
export function collectedFeatureNames(modelFeatureNames: readonly string[]): string[] {
  return [...new Set<string>([...DEFAULT_FEATURE_NAMES, ...modelFeatureNames])];
}

// The Prometheus, Kubernetes and Slack adapters are imported when first needed: a predict-only
// server never loads @kubernetes/client-node, which keeps its memory and start-up small.

/** The Prometheus FeatureSource named by the config, collecting what `modelFeatureNames` needs (see {@link collectedFeatureNames}). */
export async function createFeatureSourceFromConfig(config: AutohealConfig, modelFeatureNames: readonly string[]): Promise<FeatureSource> {
  const options = prometheusOptionsFromConfig(config, collectedFeatureNames(modelFeatureNames));
  if (!options) {
    throw new ConfigError(
      'no Prometheus configured: set prometheus.url in the config file (or AUTOHEAL_PROMETHEUS_URL, or --prometheus-url), or prometheus.service for an in-cluster Prometheus (--prometheus-service monitoring/prometheus-operated:9090)',
      { component: 'config' },
    );
  }
  const { createPrometheusFeatureSource } = await import('@autoheal/adapter-prometheus');
  return createPrometheusFeatureSource(options);
}

/** The Kubernetes healer named by the config; `eventLimit` Events per Deployment for the operator helpers. */
export async function createHealerFromConfig(config: AutohealConfig, eventLimit?: number): Promise<KubernetesHealer> {
  const { createKubernetesHealer } = await import('@autoheal/adapter-kubernetes');
  // The pause ConfigMap (autoheal pause --all) lives in autoheal's own namespace, next to its Lease.
  return createKubernetesHealer({ ...healerOptionsFromConfig(config), pauseNamespace: ownNamespace(config), ...(eventLimit === undefined ? {} : { summaryEventLimit: eventLimit }) });
}

/** The notifiers named by the config: the structured log always, Slack when a webhook is set. */
export async function createNotifiersFromConfig(config: AutohealConfig, logger: Logger): Promise<Notifier[]> {
  const notifiers: Notifier[] = [createLogNotifier(logger)];
  const slack = slackOptionsFromConfig(config);
  if (slack) {
    const { createSlackNotifier } = await import('@autoheal/adapter-slack');
    notifiers.push(createSlackNotifier(slack));
  }
  return notifiers;
}

/** True when nothing but `/predict` can work: no Prometheus, no targets, no discovery, nothing supplied. */
export function isPredictOnly(config: AutohealConfig, overrides: ComposeOverrides = {}): boolean {
  return !overrides.featureSource && !config.prometheus?.url && !config.prometheus?.service && config.targets.length === 0 && !config.discovery;
}

/** The policy in force without a pipeline (predict-only): core's defaults and core's threshold resolution, as `createPipeline` does. */
function resolvePolicy(config: AutohealConfig, riskModel: RiskModel): Policy {
  const parsed = policySchema.parse(policyFromConfig(config));
  return { ...parsed, threshold: resolveThreshold(parsed.threshold, riskModel) };
}

/**
 * Builds autoheal from the config; `options` supply parts and say what the caller needs. Without
 * Prometheus and targets (and without `requirePipeline`) it builds only the model: predict-only
 * mode, like the original project's Flask backend.
 *
 * @example
 * const autoheal = await createAutoheal(config, logger, { requirePipeline: true });
 * const record = await autoheal.pipeline.evaluate({ namespace: 'prod', name: 'backend' });
 */
export async function createAutoheal(config: AutohealConfig, logger: Logger, options: Omit<ComposeOptions, 'healer'> & { operator: OperatorOptions }): Promise<OperatorAutoheal>;
export async function createAutoheal(config: AutohealConfig, logger: Logger, options: ComposeOptions & { requirePipeline: true }): Promise<FullAutoheal>;
export async function createAutoheal(config: AutohealConfig, logger: Logger, options?: ComposeOptions): Promise<Autoheal>;
export async function createAutoheal(config: AutohealConfig, logger: Logger, options: ComposeOptions = {}): Promise<Autoheal> {
  // What is built here is closed here; supplied parts belong to the caller (tests reuse them).
  const built: Array<{ name: string; close?: () => Promise<void> }> = [];
  const own = <T extends { name: string; close?: () => Promise<void> }>(part: T): T => (built.push(part), part);
  const close = async () => {
    await Promise.all(built.splice(0).map((part) => part.close?.().catch((error: unknown) => logger.warn({ err: error, component: part.name }, 'closing failed'))));
  };
  const compatibilityModelFor = async (config: AutohealConfig, riskModel: RiskModel, supplied: ComposeOverrides): Promise<RiskModel | undefined> => {
    if (supplied.compatibilityModel || supplied.riskModel) return supplied.compatibilityModel;
    const model = await loadCompatibilityModel(config, riskModel);
    return model && own(model);
  };
  try {
    const riskModel = options.riskModel ?? own(await loadRiskModel(config, options.featureSource?.featureNames));
    const history = new DecisionHistory(config.server.historySize, config.server.historyTotal);
    // Per-target metric labels for the configured targets only (a bounded set).
    const metrics = createServerMetrics({ name: riskModel.name, version: riskModel.version }, { targets: config.targets });
    if (!options.requirePipeline && !options.operator && isPredictOnly(config, options)) {
      const policy = resolvePolicy(config, riskModel);
      const compatibilityModel = await compatibilityModelFor(config, riskModel, options);
      return { config, riskModel, ...(compatibilityModel ? { compatibilityModel } : {}), notifiers: [], history, metrics, policy, threshold: policy.threshold, thresholdFor: (target) => thresholdForTarget(policy, target), close };
    }

    const featureSource = metrics.instrumentFeatureSource(options.featureSource ?? own(await createFeatureSourceFromConfig(config, riskModel.featureNames)));
    const kubernetesHealer = options.operator || !options.healer ? own(await createHealerFromConfig(config, options.operator ? EVENTS_PER_DEPLOYMENT : undefined)) : undefined;
    const healer = kubernetesHealer ?? options.healer!;
    const now = (options.clock ?? { now: () => Date.now() }).now();
    const circuit = options.operator
      ? await stepTimesFromEvents(kubernetesHealer!, [...config.targets, ...options.operator.targets], config.policy.circuitBreaker.window, now)
      : { times: [], unreadable: [] };
    const notifiers = options.notifiers ?? (await createNotifiersFromConfig(config, logger)).map(own);
    // The breaker's window is shared in autoheal's own namespace (where its Lease is) by every
    // process built from a config: serve, watch, run and the operator commands bind each other.
    const circuitStore: CircuitStore | undefined = kubernetesHealer
      ? (await import('@autoheal/adapter-kubernetes')).createKubernetesCircuitStore({ kubeConfig: kubernetesHealer.kubeConfig, namespace: ownNamespace(config) })
      : undefined;
    // Discovered targets are judged by their annotations' overrides in every entry point.
    const targets = createServerTargets(config, logger, {
      policy: resolvePolicy(config, riskModel),
      ...(kubernetesHealer ? { kubeConfig: kubernetesHealer.kubeConfig } : {}),
      // The operator commands report bad annotations; the loop's process records the Event.
      ...(options.operator || options.discoveryEvents === false ? { recordEvents: false } : {}),
    });
    own({ name: 'discovery', close: () => targets.close() });
    const pauses = options.pauses ?? kubernetesHealer?.pauses;
    const pipeline = createPipeline({
      targetOverrides: targets.overridesOf,
      featureSource,
      riskModel,
      healer,
      notifiers,
      policy: policyFromConfig(config),
      circuitHistory: circuit.times,
      identity: processIdentity(config),
      ...(circuitStore ? { circuitStore } : {}),
      // Every mode built here honours the operators' pause marks (autoheal pause|resume).
      ...(pauses ? { pauses } : {}),
      ...(options.fence ? { fence: options.fence } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      onError: (error, context) => {
        metrics.observeError(context);
        logger.warn({ err: error, component: context.component, target: context.target && targetKey(context.target) }, 'background failure (healing continues)');
      },
    });
    for (const target of config.targets) history.register(target);
    metrics.observePipeline(pipeline);
    pipeline.subscribe((record) => history.add(record));
    metrics.watchDeliveries(() => pipeline.deliveryStats());
    // The operator commands never answer /predict.
    const compatibilityModel = options.operator ? undefined : await compatibilityModelFor(config, riskModel, options);
    const full: FullAutoheal = {
      config,
      targets,
      featureSource,
      riskModel,
      ...(compatibilityModel ? { compatibilityModel } : {}),
      healer,
      notifiers,
      pipeline,
      history,
      metrics,
      policy: pipeline.policy,
      threshold: pipeline.policy.threshold,
      thresholdFor: (target) => pipeline.thresholdFor(target),
      // The notification queues first (bounded), so a CI run does not exit before Slack is told.
      close: async () => {
        await pipeline.drain();
        await close();
      },
    };
    if (!options.operator) return full;
    const operator: OperatorAutoheal = { ...full, healer: kubernetesHealer!, unreadableEvents: circuit.unreadable };
    return operator;
  } catch (error) {
    await close();
    throw error;
  }
}

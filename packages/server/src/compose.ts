/**
 * Composes the product from the configuration: the four adapters, the pipeline, and the server's
 * read model (decision history + metrics). This is the only place that knows every package.
 */
import path from 'node:path';
import { createOnnxRiskModel } from '@autoheal/adapter-onnx';
import {
  ConfigError,
  createPipeline,
  targetKey,
  type Clock,
  type FeatureSource,
  type Healer,
  type Notifier,
  type Pipeline,
  type PolicyInput,
  type RiskModel,
  type TargetRef,
} from '@autoheal/core';
import type { Logger } from 'pino';
import type { AutohealConfig } from './config/config-schema.js';
import { DecisionHistory } from './decision-history.js';
import { createLogNotifier } from './log-notifier.js';
import { createServerMetrics, type ServerMetrics } from './metrics.js';

/** Everything a running autoheal holds. */
export interface Autoheal {
  config: AutohealConfig;
  riskModel: RiskModel;
  /** Absent in predict-only mode (no Prometheus and no targets configured). */
  featureSource?: FeatureSource;
  healer?: Healer;
  notifiers: Notifier[];
  pipeline?: Pipeline;
  history: DecisionHistory;
  metrics: ServerMetrics;
  /** The default threshold in force (config, else the model's tuned one, else 0.50). */
  threshold: number;
  thresholdFor(target: TargetRef): number;
  close(): Promise<void>;
}

/** Parts a caller may supply instead of building them from the config (the demo, tests). */
export interface ComposeOverrides {
  featureSource?: FeatureSource;
  riskModel?: RiskModel;
  healer?: Healer;
  notifiers?: Notifier[];
  clock?: Clock;
}

/** The threshold the original project used, when neither the config nor the model names one. */
export const FALLBACK_THRESHOLD = 0.5;

/**
 * The default threshold: the config's, else the one the model was tuned for (a calibrated model's
 * probabilities are rarely near 0.50 before a breach when breaches are rare), else 0.50.
 */
export function effectiveThreshold(config: AutohealConfig, riskModel?: Pick<RiskModel, 'recommendedThreshold'>): number {
  return config.policy.threshold ?? riskModel?.recommendedThreshold ?? FALLBACK_THRESHOLD;
}

/** The core policy from the config's policy section (the model supplies the default threshold). */
export function policyFromConfig(config: AutohealConfig, riskModel?: Pick<RiskModel, 'recommendedThreshold'>): PolicyInput {
  const p = config.policy;
  return {
    threshold: effectiveThreshold(config, riskModel),
    targetThresholds: p.targetThresholds,
    ...(p.ladder ? { ladder: p.ladder } : {}),
    recheckDelayMs: p.recheckDelay,
    cooldownMs: p.cooldown ?? p.recheckDelay,
    healthyResetMs: p.healthyReset,
    circuitBreaker: { maxActions: p.circuitBreaker.maxActions, windowMs: p.circuitBreaker.window },
    dryRun: p.dryRun,
  };
}

/** Loads the risk model named by the config (relative paths resolve from the working directory). */
export async function loadRiskModel(config: AutohealConfig): Promise<RiskModel> {
  return createOnnxRiskModel({ modelPath: path.resolve(config.model.path), expectedFeatureNames: config.model.featureNames });
}

// The Prometheus, Kubernetes and Slack adapters are imported when first needed: a predict-only
// server never loads @kubernetes/client-node, which keeps its memory and start-up small.

/** The Prometheus FeatureSource named by the config. */
export async function createFeatureSourceFromConfig(config: AutohealConfig): Promise<FeatureSource> {
  const prometheus = config.prometheus;
  if (prometheus.url && prometheus.service) {
    throw new ConfigError('both prometheus.url and prometheus.service are set: keep url for a Prometheus autoheal can reach directly, or service to read an in-cluster one through the Kubernetes API', { component: 'config' });
  }
  if (prometheus.service && prometheus.bearerToken) {
    throw new ConfigError('prometheus.bearerToken cannot be used with prometheus.service: the Kubernetes API server consumes the Authorization header, and the kubeconfig (kubernetes.kubeconfig, kubernetes.context, kubernetes.inCluster) supplies the credentials', { component: 'config' });
  }
  if (!prometheus.url && !prometheus.service) {
    throw new ConfigError(
      'no Prometheus configured: set prometheus.url in the config file (or AUTOHEAL_PROMETHEUS_URL, or --prometheus-url), or prometheus.service for an in-cluster Prometheus (--prometheus-service monitoring/prometheus-operated:9090)',
      { component: 'config' },
    );
  }
  const { createPrometheusFeatureSource, defaultQueries, defaultRequestVolumeQuery } = await import('@autoheal/adapter-prometheus');
  // A non-default rate window rewrites the default queries; explicit per-feature queries still win.
  const windowed =
    prometheus.rateWindow === '2m'
      ? {}
      : {
          queries: { ...defaultQueries('pod-name', prometheus.rateWindow), ...prometheus.queries },
          requestVolumeQuery: defaultRequestVolumeQuery('pod-name', prometheus.rateWindow),
        };
  const k = config.kubernetes;
  // Through the API server's service proxy, with the same kubeconfig and context as the healer.
  const location = prometheus.url
    ? { url: prometheus.url }
    : {
        service: prometheus.service,
        ...(k.inCluster ? { inCluster: true } : k.kubeconfig ? { kubeconfigPath: path.resolve(k.kubeconfig) } : {}),
        ...(k.context ? { context: k.context } : {}),
      };
  return createPrometheusFeatureSource({
    ...location,
    queries: prometheus.queries,
    ...windowed,
    minRequests: prometheus.minRequests,
    timeoutMs: prometheus.timeout,
    headers: prometheus.headers,
    ...(prometheus.bearerToken ? { auth: { type: 'bearer' as const, token: prometheus.bearerToken } } : {}),
    featureNames: config.model.featureNames,
  });
}

/** The Kubernetes healer named by the config. */
export async function createHealerFromConfig(config: AutohealConfig): Promise<Healer> {
  const { createKubernetesHealer } = await import('@autoheal/adapter-kubernetes');
  const k = config.kubernetes;
  return createKubernetesHealer({
    ...(k.inCluster ? { inCluster: true } : k.kubeconfig ? { kubeconfigPath: path.resolve(k.kubeconfig) } : {}),
    ...(k.context ? { context: k.context } : {}),
  });
}

/** The notifiers named by the config: the structured log always, Slack when a webhook is set. */
export async function createNotifiersFromConfig(config: AutohealConfig, logger: Logger): Promise<Notifier[]> {
  const notifiers: Notifier[] = [createLogNotifier(logger)];
  if (config.slack.webhookUrl) {
    const { createSlackNotifier } = await import('@autoheal/adapter-slack');
    notifiers.push(createSlackNotifier({ webhookUrl: config.slack.webhookUrl, minSeverity: config.slack.minSeverity }));
  }
  return notifiers;
}

/** True when nothing but `/predict` can work: no Prometheus, no targets, nothing supplied. */
export function isPredictOnly(config: AutohealConfig, overrides: ComposeOverrides = {}): boolean {
  return !overrides.featureSource && !config.prometheus.url && !config.prometheus.service && config.targets.length === 0;
}

/** A pipeline-backed autoheal (every part present). */
export type FullAutoheal = Autoheal & { featureSource: FeatureSource; healer: Healer; pipeline: Pipeline };

/**
 * Builds everything from the config; `overrides` replace single parts. With no Prometheus and no
 * targets it builds only the model (predict-only mode, like the original project's Flask backend).
 */
export async function createAutoheal(config: AutohealConfig, logger: Logger, overrides: ComposeOverrides = {}): Promise<Autoheal> {
  const riskModel = overrides.riskModel ?? (await loadRiskModel(config));
  if (isPredictOnly(config, overrides)) {
    const metrics = createServerMetrics({ name: riskModel.name, version: riskModel.version });
    return {
      config,
      riskModel,
      notifiers: [],
      history: new DecisionHistory(config.server.historySize),
      metrics,
      threshold: effectiveThreshold(config, riskModel),
      thresholdFor: (target: TargetRef) => config.policy.targetThresholds[targetKey(target)] ?? effectiveThreshold(config, riskModel),
      close: async () => riskModel.close?.(),
    };
  }
  return createFullAutoheal(config, logger, riskModel, overrides);
}

/** Like {@link createAutoheal} but always builds the pipeline (fails without a feature source). */
export async function createFullAutoheal(config: AutohealConfig, logger: Logger, riskModelOrNull: RiskModel | null, overrides: ComposeOverrides = {}): Promise<FullAutoheal> {
  const riskModel = riskModelOrNull ?? overrides.riskModel ?? (await loadRiskModel(config));
  const featureSource = overrides.featureSource ?? (await createFeatureSourceFromConfig(config));
  const healer = overrides.healer ?? (await createHealerFromConfig(config));
  const notifiers = overrides.notifiers ?? (await createNotifiersFromConfig(config, logger));
  const pipeline = createPipeline({
    featureSource,
    riskModel,
    healer,
    notifiers,
    policy: policyFromConfig(config, riskModel),
    ...(overrides.clock ? { clock: overrides.clock } : {}),
    onError: (error, context) => logger.warn({ err: error, component: context.component, target: context.target && targetKey(context.target) }, 'background failure (healing continues)'),
  });
  const history = new DecisionHistory(config.server.historySize);
  for (const target of config.targets) history.register(target);
  const metrics = createServerMetrics({ name: riskModel.name, version: riskModel.version });
  pipeline.subscribe((record) => {
    history.add(record);
    metrics.observeDecision(record);
  });
  const threshold = effectiveThreshold(config, riskModel);
  const thresholdFor = (target: TargetRef) => config.policy.targetThresholds[targetKey(target)] ?? threshold;
  return {
    config,
    featureSource,
    riskModel,
    healer,
    notifiers,
    pipeline,
    history,
    metrics,
    threshold,
    thresholdFor,
    close: () => pipeline.close(),
  };
}

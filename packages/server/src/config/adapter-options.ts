/**
 * The thin mapping from the config's sections onto core's policy and the adapters' options: the
 * config file's names and units (`recheckDelay: 2m`, `kubeconfig`, `bearerToken`) become the
 * options' (`recheckDelayMs`, `kubeconfigPath`, `auth`). Nothing is defaulted here: an unset field
 * stays unset and core or the adapter applies its own default.
 */
import path from 'node:path';
import type { PolicyInput } from '@autoheal/core';
import type { PrometheusFeatureSourceOptions } from '@autoheal/adapter-prometheus';
import type { KubernetesHealerOptions, KubernetesTargetDiscoveryOptions } from '@autoheal/adapter-kubernetes';
import type { SlackNotifierOptions } from '@autoheal/adapter-slack';
import type { AutohealConfig } from './config-schema.js';

/**
 * Core's policy from the config's `policy` section. The threshold stays unset when the config has
 * none: core's `createPipeline` then uses the model's recommended one (`resolveThreshold`).
 */
export function policyFromConfig(config: AutohealConfig): PolicyInput {
  const p = config.policy;
  return {
    ...(p.threshold === undefined ? {} : { threshold: p.threshold }),
    targetThresholds: p.targetThresholds,
    strategy: p.strategy,
    ladder: p.ladder,
    recheckDelayMs: p.recheckDelay,
    // The server's own default: escalation is never held back longer than the re-check.
    cooldownMs: p.cooldown ?? p.recheckDelay,
    keep: { healthyEvaluations: p.keep.healthyEvaluations, minHealthyMs: p.keep.minHealthy },
    healthyResetMs: p.healthyReset,
    circuitBreaker: { maxActions: p.circuitBreaker.maxActions, windowMs: p.circuitBreaker.window },
    dryRun: p.dryRun,
    actionTimeoutMs: p.actionTimeout,
    pause: p.pause,
    maintenanceWindows: p.maintenanceWindows,
  };
}

/** Where the cluster is, from `kubernetes:` (relative paths resolve from the working directory); empty for the default loading rules. */
export function kubeconfigFromConfig(config: AutohealConfig): Pick<KubernetesHealerOptions, 'kubeconfigPath' | 'inCluster' | 'context'> {
  const k = config.kubernetes ?? {};
  return {
    ...(k.kubeconfig ? { kubeconfigPath: path.resolve(k.kubeconfig) } : k.inCluster ? { inCluster: true } : {}),
    ...(k.context ? { context: k.context } : {}),
  };
}

/**
 * The discovery's options from `discovery:` (the cluster from `kubernetes:`), or `undefined` without
 * the section. No Event is written in dry-run, which writes nothing.
 */
export function discoveryOptionsFromConfig(config: AutohealConfig): KubernetesTargetDiscoveryOptions | undefined {
  const d = config.discovery;
  if (!d) return undefined;
  return {
    ...kubeconfigFromConfig(config),
    namespaceSelector: d.namespaceSelector,
    ...(d.deploymentSelector ? { deploymentSelector: d.deploymentSelector } : {}),
    annotation: d.annotation,
    recordEvents: !config.policy.dryRun,
  };
}

/** The Kubernetes healer's options. */
export function healerOptionsFromConfig(config: AutohealConfig): KubernetesHealerOptions {
  return kubeconfigFromConfig(config);
}

/**
 * The Prometheus feature source's options, `undefined` when the config names no Prometheus. With
 * `service`, Prometheus is read through the API server's service proxy with the healer's kubeconfig.
 * `featureNames`: what to collect, decided from the loaded model (`collectedFeatureNames` in compose).
 */
export function prometheusOptionsFromConfig(config: AutohealConfig, featureNames: readonly string[]): PrometheusFeatureSourceOptions | undefined {
  const p = config.prometheus;
  if (!p || (!p.url && !p.service)) return undefined;
  return {
    ...(p.url ? { url: p.url } : { service: p.service, ...kubeconfigFromConfig(config) }),
    queries: p.queries,
    requestMetrics: p.requestMetrics,
    targetRequestMetrics: p.targetRequestMetrics,
    rateWindow: p.rateWindow,
    trendWindow: p.trendWindow,
    priorWindow: p.priorWindow,
    priorOffset: p.priorOffset,
    signalSource: p.signalSource,
    minRequests: p.minRequests,
    timeoutMs: p.timeout,
    headers: p.headers,
    ...(p.bearerToken ? { auth: { type: 'bearer' as const, token: p.bearerToken } } : {}),
    featureNames: [...featureNames],
  };
}

/** The Slack notifier's options, `undefined` without a webhook (nothing is posted). */
export function slackOptionsFromConfig(config: AutohealConfig): SlackNotifierOptions | undefined {
  return config.slack.webhookUrl ? { webhookUrl: config.slack.webhookUrl, minSeverity: config.slack.minSeverity } : undefined;
}

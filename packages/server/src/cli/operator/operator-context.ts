/**
 * What the operator commands share: the config from the common flags, a Kubernetes healer with the
 * operator helpers, the steps already taken (read back from the healer's Events, because the
 * circuit breaker's window lives in the running server's memory), and a pipeline built like the
 * server's so `heal` and `reset` follow the same rules as the automatic loop.
 */
import path from 'node:path';
import { createPipeline, targetKey, type Clock, type FeatureSource, type Notifier, type Pipeline, type RiskModel, type TargetRef } from '@autoheal/core';
import type { DeploymentEventInfo, KubernetesHealer } from '@autoheal/adapter-kubernetes';
import type { AutohealConfig } from '../../config/config-schema.js';
import { createFeatureSourceFromConfig, createNotifiersFromConfig, loadRiskModel, policyFromConfig } from '../../compose.js';
import { createCliLogger } from '../logger.js';

/**
 * Parts a caller may supply instead of building them from the config: tests compose an in-process
 * feature source or model when Prometheus or the ONNX model is not the point, and a local Slack.
 */
export interface OperatorDeps {
  featureSource?: FeatureSource;
  riskModel?: RiskModel;
  notifiers?: Notifier[];
  clock?: Clock;
  /** Used by `doctor` for the Slack check. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The Event reasons of applied ladder steps: what the circuit breaker counts. */
export const STEP_EVENT_REASONS: readonly string[] = ['AutohealRestart', 'AutohealCacheClear', 'AutohealRollback'];

// Enough Events per Deployment to see a full circuit-breaker window of steps next to Kept/Reset Events.
const EVENTS_PER_DEPLOYMENT = 200;

/** A Kubernetes healer from the config (kubeconfig, context, in-cluster), with the operator helpers. */
export async function createOperatorHealer(config: AutohealConfig): Promise<KubernetesHealer> {
  const { createKubernetesHealer } = await import('@autoheal/adapter-kubernetes');
  const k = config.kubernetes;
  return createKubernetesHealer({
    ...(k.inCluster ? { inCluster: true } : k.kubeconfig ? { kubeconfigPath: path.resolve(k.kubeconfig) } : {}),
    ...(k.context ? { context: k.context } : {}),
    summaryEventLimit: EVENTS_PER_DEPLOYMENT,
  });
}

/** The autoheal Events of one Deployment, most recent first (empty when it cannot be read). */
export async function autohealEventsOf(healer: KubernetesHealer, target: TargetRef): Promise<DeploymentEventInfo[]> {
  const summary = await healer.getDeploymentSummary(target);
  return summary.events.filter((event) => event.reason.startsWith('Autoheal'));
}

/**
 * Times (epoch ms) of the ladder steps recorded as Events on `targets` within the breaker's window.
 * The running server's breaker counts the steps it took in memory; the Events are what a separate
 * process can see of them. A target whose Events cannot be read counts nothing (and is named in
 * `unreadable`), so the result is a lower bound.
 */
export async function stepTimesFromEvents(
  healer: KubernetesHealer,
  targets: readonly TargetRef[],
  windowMs: number,
  now: number,
): Promise<{ times: number[]; unreadable: string[] }> {
  const times: number[] = [];
  const unreadable: string[] = [];
  const seen = new Set<string>();
  for (const target of targets) {
    const key = targetKey(target);
    if (seen.has(key)) continue;
    seen.add(key);
    let events: DeploymentEventInfo[];
    try {
      events = await autohealEventsOf(healer, target);
    } catch {
      unreadable.push(key);
      continue;
    }
    for (const event of events) {
      if (!STEP_EVENT_REASONS.includes(event.reason) || !event.lastSeen) continue;
      const at = Date.parse(event.lastSeen);
      if (at > now - windowMs && at <= now) times.push(at);
    }
  }
  return { times, unreadable };
}

/** A pipeline built like the server's, with the circuit breaker seeded from the cluster's Events. */
export interface OperatorPipeline {
  pipeline: Pipeline;
  healer: KubernetesHealer;
  /** Targets whose Events could not be read for the circuit breaker. */
  unreadable: string[];
  close(): Promise<void>;
}

/**
 * Builds the pipeline for `heal`, `reset` and `status`. `targets` are the targets named on the
 * command line; the breaker counts the steps on those and on the config's targets.
 */
export async function createOperatorPipeline(config: AutohealConfig, targets: readonly TargetRef[], deps: OperatorDeps): Promise<OperatorPipeline> {
  const logger = createCliLogger(config.log.level === 'info' ? 'warn' : config.log.level);
  const healer = await createOperatorHealer(config);
  const now = (deps.clock ?? { now: () => Date.now() }).now();
  const { times, unreadable } = await stepTimesFromEvents(healer, [...config.targets, ...targets], config.policy.circuitBreaker.window, now);
  const riskModel = deps.riskModel ?? (await loadRiskModel(config));
  const featureSource = deps.featureSource ?? (await createFeatureSourceFromConfig(config));
  const notifiers = deps.notifiers ?? (await createNotifiersFromConfig(config, logger));
  const pipeline = createPipeline({
    featureSource,
    riskModel,
    healer,
    notifiers,
    policy: policyFromConfig(config),
    circuitHistory: times,
    ...(deps.clock ? { clock: deps.clock } : {}),
    onError: (error, context) => logger.warn({ err: error, component: context.component }, 'background failure (the step itself is not affected)'),
  });
  // Injected parts belong to the caller, who closes them; close only what was built here.
  return {
    pipeline,
    healer,
    unreadable,
    close: async () => {
      if (!deps.featureSource) await featureSource.close?.();
      if (!deps.riskModel) await riskModel.close?.();
      if (!deps.notifiers) await Promise.all(notifiers.map((n) => n.close?.()));
      await healer.close?.();
    },
  };
}

/** "2026-11-27T03:12:00Z (in 1m 30s)" or "—". */
export function formatTime(epochMs: number | undefined, now: number): string {
  if (epochMs === undefined) return '—';
  const iso = new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const seconds = Math.round((epochMs - now) / 1000);
  if (seconds === 0) return `${iso} (now)`;
  const span = Math.abs(seconds) >= 60 ? `${Math.floor(Math.abs(seconds) / 60)}m ${Math.abs(seconds) % 60}s` : `${Math.abs(seconds)}s`;
  return `${iso} (${seconds >= 0 ? `in ${span}` : `${span} ago`})`;
}

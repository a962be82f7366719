/**
 * What one collection asks Prometheus: the plan built once from the options. Features the user gave a
 * query for keep their own query ("classic": grouped or per-target, as before); every other seed or
 * v2 feature is derived from base signals, fetched by the signal bundles — a fixed number of grouped
 * queries whatever the number of targets.
 */
import {
  AutohealError,
  DEFAULT_FEATURE_NAMES,
  FEATURE_BASE_SIGNALS,
  isDerivableFeature,
  targetKey,
  type BaseSignalName,
  type FeatureWindows,
  type TargetRef,
} from '@autoheal/core';
import { defaultQueries, type FeatureQuery } from './default-queries.js';
import type { PrometheusFeatureSourceOptions, prometheusFeatureSourceOptionsSchema } from './prometheus-feature-source-options.js';
import { resolveRequestMetrics, type ResolvedRequestMetrics } from './request-presets.js';
import { recordedBundle } from './recording-rules.js';
import { buildSignalBundles, durationSeconds, type SignalBundle } from './signal-queries.js';
import type { z } from 'zod';

const COMPONENT = 'prometheus';

type ParsedOptions = z.output<typeof prometheusFeatureSourceOptionsSchema>;

/** The resolved plan of a source. */
export interface CollectionPlan {
  featureNames: readonly string[];
  /** Features with a user query, resolved. */
  classic: Readonly<Record<string, FeatureQuery>>;
  /** Features derived from base signals, in `featureNames` order. */
  derived: readonly string[];
  bundles: readonly SignalBundle[];
  windows: FeatureWindows;
  /** Whether a classic feature needs the request volume (its guard). */
  guardActive: boolean;
  /** The request metrics of a target (its own choice, else the default). */
  requestMetricsOf(target: TargetRef): ResolvedRequestMetrics;
}

/** Builds the plan; throws a `ConfigError`-coded `AutohealError` for a feature nobody can compute. */
export function planCollection(options: ParsedOptions): CollectionPlan {
  const featureNames: readonly string[] = options.featureNames ?? DEFAULT_FEATURE_NAMES;
  const seedDefaults: Record<string, FeatureQuery> = defaultQueries(options.deploymentFrom, options.rateWindow);
  const classic: Record<string, FeatureQuery> = {};
  const derived: string[] = [];
  for (const feature of featureNames) {
    const override = options.queries[feature];
    if (typeof override === 'string') {
      // A plain string keeps the feature's request-volume rule: a healthy app with zero errors has no
      // 5xx series, and must read 0, not missing.
      classic[feature] = { query: override, mode: 'grouped', requiresRequestVolume: seedDefaults[feature]?.requiresRequestVolume ?? false };
    } else if (override) {
      classic[feature] = override;
    } else if (isDerivableFeature(feature)) {
      derived.push(feature);
    } else {
      throw new AutohealError(`no query for feature "${feature}": add it to the queries option (e.g. queries: { ${feature}: 'sum by (namespace, deployment) (...)' })`, {
        component: COMPONENT,
        code: 'CONFIG_INVALID',
      });
    }
  }
  const unknownOverrides = Object.keys(options.queries).filter((feature) => !featureNames.includes(feature));
  if (unknownOverrides.length > 0) {
    throw new AutohealError(`queries given for unknown feature(s) ${unknownOverrides.join(', ')}; featureNames are ${featureNames.join(', ')}`, {
      component: COMPONENT,
      code: 'CONFIG_INVALID',
    });
  }

  const guardActive = Object.values(classic).some((query) => query.requiresRequestVolume);
  const signals = new Set<BaseSignalName>(derived.flatMap((feature) => FEATURE_BASE_SIGNALS[feature] ?? []));
  // The guard of overridden traffic-dependent queries counts requests with the target's preset.
  if (guardActive && options.requestVolumeQuery === undefined) signals.add('requests_per_second');

  const windows: FeatureWindows = {
    rateWindowSeconds: durationSeconds(options.rateWindow),
    trendWindowSeconds: durationSeconds(options.trendWindow),
    priorOffsetSeconds: durationSeconds(options.priorOffset),
    priorWindowSeconds: durationSeconds(options.priorWindow),
    minRequests: options.minRequests,
  };
  const fallback = resolveRequestMetrics(options.requestMetrics);
  const perTarget = new Map(Object.entries(options.targetRequestMetrics).map(([key, choice]) => [key, resolveRequestMetrics(choice)]));
  return {
    featureNames,
    classic,
    derived,
    bundles: buildSignalBundles(signals, { deploymentFrom: options.deploymentFrom, windows }).map((bundle) => (options.signalSource === 'recording-rules' ? recordedBundle(bundle) : bundle)),
    windows,
    guardActive,
    requestMetricsOf: (target) => perTarget.get(targetKey({ namespace: target.namespace, name: target.name })) ?? fallback,
  };
}

/** The request presets in use by `targets`, with the namespaces each covers (for the `http`/`prior` bundles). */
export function presetsInUse(plan: CollectionPlan, targets: readonly TargetRef[]): Map<string, { metrics: ResolvedRequestMetrics; namespaces: Set<string> }> {
  const presets = new Map<string, { metrics: ResolvedRequestMetrics; namespaces: Set<string> }>();
  for (const target of targets) {
    const metrics = plan.requestMetricsOf(target);
    let entry = presets.get(metrics.id);
    if (!entry) presets.set(metrics.id, (entry = { metrics, namespaces: new Set() }));
    entry.namespaces.add(target.namespace);
  }
  return presets;
}

export type { PrometheusFeatureSourceOptions };

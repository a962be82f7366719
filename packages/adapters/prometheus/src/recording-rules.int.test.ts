/**
 * The signal bundles as recording rules, loaded by a real Prometheus: it accepts the generated rule
 * file, records every bundle, and a source reading the recorded series gives the features the
 * queries give, with ten plain selections.
 */
import { DEFAULT_FEATURE_NAMES, FEATURE_SET_V2_NAMES, type TargetRef } from '@autoheal/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureDeployment, startFixtureExporter, type FixtureExporter } from '../test-support/fixture-exporter.js';
import { startCountingProxy, startPrometheusWithRules, waitForQuery } from '../test-support/prometheus-helpers.js';
import { createPrometheusFeatureSource } from './prometheus-feature-source.js';
import { recordingRulesYaml, signalRecordingRules } from './recording-rules.js';

const FEATURES = [...new Set<string>([...DEFAULT_FEATURE_NAMES, ...FEATURE_SET_V2_NAMES])];
const WINDOWS = { rateWindow: '5s', trendWindow: '10s', priorOffset: '10s', priorWindow: '5s' };
const targets: TargetRef[] = ['web', 'api', 'worker'].map((name) => ({ namespace: 'shop', kind: 'Deployment', name }));

let exporter: FixtureExporter;
let prometheus: { url: string; close(): Promise<void> };

beforeAll(async () => {
  exporter = await startFixtureExporter([
    fixtureDeployment('shop', 'web', 1, { errorsPerSecondPerPod: 1 }),
    fixtureDeployment('shop', 'api', 2, { requestMetrics: 'istio', throttledShare: 0.2, memoryGrowthBytesPerSecond: 1_000_000 }),
    fixtureDeployment('shop', 'worker', 3, { requestMetrics: 'none', readyReplicas: 1, unavailableReplicas: 2 }),
  ]);
  const rules = signalRecordingRules({ interval: '1s', ...WINDOWS, requestMetrics: ['flask', 'istio', 'none'] });
  prometheus = await startPrometheusWithRules(exporter.address, recordingRulesYaml(rules));
  await waitForQuery(prometheus.url, 'count_over_time(up[1m])', (values) => (values[0] ?? 0) >= 17, 60_000);
  await waitForQuery(prometheus.url, 'count(autoheal:signals:memory_trend)', (values) => (values[0] ?? 0) >= 1, 30_000);
}, 90_000);

afterAll(async () => {
  await prometheus?.close();
  await exporter?.close();
});

describe('signal recording rules', () => {
  it('are accepted and evaluated by Prometheus without errors', async () => {
    const body = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> } };
    const rules = body.data.groups.flatMap((group) => group.rules);
    expect(rules.map((rule) => rule.name)).toEqual(['autoheal:signals:ksm', 'autoheal:signals:release', 'autoheal:signals:http', 'autoheal:signals:prior', 'autoheal:signals:cpu', 'autoheal:signals:cpu_limits', 'autoheal:signals:memory', 'autoheal:signals:memory_trend', 'autoheal:signals:restarts', 'autoheal:signals:network']);
    for (const rule of rules) expect({ rule: rule.name, health: rule.health, error: rule.lastError ?? '' }).toEqual({ rule: rule.name, health: 'ok', error: '' });
  });

  it('give the features the queries give, with ten plain selections', async () => {
    const proxy = await startCountingProxy(prometheus.url);
    const targetRequestMetrics = { 'shop/api': 'istio' as const, 'shop/worker': 'none' as const };
    const recorded = createPrometheusFeatureSource({ url: proxy.url, featureNames: FEATURES, ...WINDOWS, targetRequestMetrics, signalSource: 'recording-rules' });
    const computed = createPrometheusFeatureSource({ url: prometheus.url, featureNames: FEATURES, ...WINDOWS, targetRequestMetrics });
    try {
      const fromRules = await recorded.collectMany(targets);
      const fromQueries = await computed.collectMany(targets);
      expect(proxy.paths).toHaveLength(10);
      expect(recorded.renderQueries(targets)[0]?.promql).toBe('autoheal:signals:ksm{namespace="shop"}');
      fromRules.forEach((observation, index) => {
        const reference = fromQueries[index]!;
        expect(observation.missing.map((entry) => [entry.feature, entry.kind])).toEqual(reference.missing.map((entry) => [entry.feature, entry.kind]));
        for (const feature of FEATURES) {
          const a = observation.values[feature] ?? null;
          const b = reference.values[feature] ?? null;
          if (a === null || b === null) expect({ feature, a }).toEqual({ feature, a: b });
          // The recorded series are up to one rule interval (1 s) older: rates and ages move a little.
          else expect(Math.abs(a - b), `${observation.target.name} ${feature}: ${a} vs ${b}`).toBeLessThanOrEqual(0.1 * Math.max(1, Math.abs(b)));
        }
      });
    } finally {
      await recorded.close();
      await computed.close();
      await proxy.close();
    }
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_NAMES, FEATURE_SET_V2_NAMES } from '@autoheal/core';
import { collectedFeatureNames } from '../compose.js';
import { loadAdapterSchemas } from './adapter-schemas.js';
import { healerOptionsFromConfig, policyFromConfig, prometheusOptionsFromConfig } from './adapter-options.js';
import { validateConfig } from './load-config.js';

beforeAll(async () => {
  await loadAdapterSchemas();
});

describe('policyFromConfig', () => {
  it('maps the config durations onto the core policy', () => {
    const policy = policyFromConfig(
      validateConfig({ policy: { threshold: 0.6, recheckDelay: '90s', cooldown: '5m', keep: { healthyEvaluations: 2, minHealthy: '30s' }, healthyReset: '20m', circuitBreaker: { maxActions: 3, window: '2h' }, dryRun: true } }),
    );
    expect(policy).toMatchObject({
      threshold: 0.6,
      recheckDelayMs: 90_000,
      cooldownMs: 300_000,
      keep: { healthyEvaluations: 2, minHealthyMs: 30_000 },
      healthyResetMs: 1_200_000,
      circuitBreaker: { maxActions: 3, windowMs: 7_200_000 },
      dryRun: true,
    });
  });

  it('uses the re-check delay as the cooldown when none is set, so escalation is never held back by it', () => {
    expect(policyFromConfig(validateConfig({ policy: { recheckDelay: '45s' } })).cooldownMs).toBe(45_000);
  });

  it('passes the global pause and the maintenance windows through to the core policy', () => {
    const policy = policyFromConfig(
      validateConfig({ policy: { pause: { all: true, reason: 'freeze' }, maintenanceWindows: [{ days: ['sat'], start: '22:00', end: '02:00', timeZone: 'Europe/Berlin' }] } }),
    );
    expect(policy).toMatchObject({ pause: { all: true, reason: 'freeze' }, maintenanceWindows: [{ days: ['sat'], start: '22:00', end: '02:00', timeZone: 'Europe/Berlin' }] });
    expect(policyFromConfig(validateConfig({}))).toMatchObject({ pause: { all: false }, maintenanceWindows: [] });
  });

  it('leaves the threshold unset when the config has none, for core to resolve from the model', () => {
    expect(policyFromConfig(validateConfig({}))).not.toHaveProperty('threshold');
  });
});

describe('adapter options from the config', () => {
  it('maps the prometheus section onto the adapter options (units, bearer token), or nothing without a Prometheus', () => {
    const config = validateConfig({ prometheus: { url: 'http://127.0.0.1:9090', timeout: '5s', bearerToken: 'token', rateWindow: '30s' } });
    expect(prometheusOptionsFromConfig(config, DEFAULT_FEATURE_NAMES)).toMatchObject({ url: 'http://127.0.0.1:9090', timeoutMs: 5000, rateWindow: '30s', auth: { type: 'bearer', token: 'token' } });
    expect(prometheusOptionsFromConfig(validateConfig({}), DEFAULT_FEATURE_NAMES)).toBeUndefined();
  });

  it('passes the request presets (default and per target), the v2 windows and the signal source to the adapter', () => {
    const config = validateConfig({
      prometheus: { url: 'http://127.0.0.1:9090', requestMetrics: 'prometheus-client', targetRequestMetrics: { 'prod/web': 'istio', 'prod/worker': 'none' }, trendWindow: '5m', signalSource: 'recording-rules' },
    });
    expect(prometheusOptionsFromConfig(config, DEFAULT_FEATURE_NAMES)).toMatchObject({ requestMetrics: 'prometheus-client', targetRequestMetrics: { 'prod/web': 'istio', 'prod/worker': 'none' }, trendWindow: '5m', priorWindow: '15m', priorOffset: '15m', signalSource: 'recording-rules' });
    expect(prometheusOptionsFromConfig(validateConfig({ prometheus: { url: 'http://127.0.0.1:9090' } }), DEFAULT_FEATURE_NAMES)).toMatchObject({ requestMetrics: 'flask', targetRequestMetrics: {}, signalSource: 'queries' });
  });

  it('rejects an unknown request preset, naming the field and the choices', async () => {
    const error = (() => {
      try {
        validateConfig({ prometheus: { url: 'http://127.0.0.1:9090', targetRequestMetrics: { 'prod/web': 'nginx' } } });
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error?.message).toMatch(/prometheus\.targetRequestMetrics\.prod\/web.*flask, prometheus-client, opentelemetry, ingress-nginx, istio, linkerd, none/s);
  });

  it('collects the features it is given: the seed seven beside a v2 model\'s own', () => {
    const config = validateConfig({ prometheus: { url: 'http://127.0.0.1:9090' } });
    expect(prometheusOptionsFromConfig(config, collectedFeatureNames(FEATURE_SET_V2_NAMES))?.featureNames).toEqual([...new Set([...DEFAULT_FEATURE_NAMES, ...FEATURE_SET_V2_NAMES])]);
    expect(collectedFeatureNames(DEFAULT_FEATURE_NAMES)).toEqual([...DEFAULT_FEATURE_NAMES]);
  });

  it('reads a proxied Prometheus with the kubeconfig of the healer', () => {
    const config = validateConfig({ prometheus: { service: 'monitoring/prometheus-operated:9090' }, kubernetes: { kubeconfig: '/tmp/kubeconfig', context: 'lab' } });
    expect(prometheusOptionsFromConfig(config, DEFAULT_FEATURE_NAMES)).toMatchObject({ service: { namespace: 'monitoring', name: 'prometheus-operated', port: 9090 }, kubeconfigPath: '/tmp/kubeconfig', context: 'lab' });
    expect(healerOptionsFromConfig(config)).toEqual({ kubeconfigPath: '/tmp/kubeconfig', context: 'lab' });
  });

  it('lets an explicit kubeconfig win over inCluster (a --kubeconfig flag over the in-cluster config file)', () => {
    expect(healerOptionsFromConfig(validateConfig({ kubernetes: { kubeconfig: '/tmp/kubeconfig', inCluster: true } }))).toEqual({ kubeconfigPath: '/tmp/kubeconfig' });
    expect(healerOptionsFromConfig(validateConfig({ kubernetes: { inCluster: true } }))).toEqual({ inCluster: true });
  });
});

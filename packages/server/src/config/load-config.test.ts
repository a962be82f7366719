import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AutohealError } from '@autoheal/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAdapterSchemas } from './adapter-schemas.js';
import { parseDuration } from './duration.js';
import { applyEnvOverrides } from './env-overrides.js';
import { loadConfig, validateConfig } from './load-config.js';

async function tempFile(name: string, text: string) {
  const dir = await mkdtemp(path.join(tmpdir(), 'autoheal-config-'));
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

/** The message of what `act` throws (fails the test when it does not throw). */
async function failure(act: () => unknown): Promise<string> {
  try {
    await act();
  } catch (error) {
    expect(AutohealError.isInstance(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

beforeAll(async () => {
  await loadAdapterSchemas();
});

describe('configuration', () => {
  it('limits slow clients by default and takes durations for server.timeouts; the headers cannot outlast the request', async () => {
    expect(validateConfig({}).server.timeouts).toEqual({ headers: 10_000, request: 30_000, keepAlive: 5_000 });
    expect(validateConfig({ server: { timeouts: { request: '2m', keepAlive: '65s' } } }).server.timeouts).toEqual({ headers: 10_000, request: 120_000, keepAlive: 65_000 });
    expect(await failure(() => validateConfig({ server: { timeouts: { headers: '1m' } } }))).toContain('server.timeouts.headers: must not be longer than request (30000 ms)');
    expect(await failure(() => validateConfig({ server: { timeouts: { headers: 10 } } }))).toContain('server.timeouts.headers: must be at least 100ms');
  });

  it('closes reads with a viewer token (or readAccess: token and the API token), and names a contradiction', async () => {
    expect(validateConfig({}).server.readAccess).toBe('open');
    expect(validateConfig({ server: { viewerToken: 'v'.repeat(16) } }).server.readAccess).toBe('token');
    expect(validateConfig({ server: { readAccess: 'token', apiToken: 'a'.repeat(16) } }).server.readAccess).toBe('token');
    expect(await failure(() => validateConfig({ server: { readAccess: 'token' } }))).toContain('server.readAccess: is "token" but no token is set: set viewerToken (AUTOHEAL_VIEWER_TOKEN) or apiToken');
    expect(await failure(() => validateConfig({ server: { readAccess: 'open', viewerToken: 'v'.repeat(16) } }))).toContain('server.readAccess: is "open" but a viewerToken is set');
    const env = { AUTOHEAL_VIEWER_TOKEN: 'short', AUTOHEAL_METRICS_TOKEN: 'm'.repeat(16) };
    const message = await failure(() => loadConfig({ env }));
    expect(message).toContain('environment variable AUTOHEAL_VIEWER_TOKEN is invalid: server.viewerToken: must be at least 16 characters');
    expect(message).not.toContain('short');
    const config = await loadConfig({ env: { AUTOHEAL_VIEWER_TOKEN: 'v'.repeat(16), AUTOHEAL_METRICS_TOKEN: 'm'.repeat(16), AUTOHEAL_READ_ACCESS: 'token' } });
    expect(config.server).toMatchObject({ readAccess: 'token', viewerToken: 'v'.repeat(16), metricsToken: 'm'.repeat(16) });
  });

  it('gives working defaults for an empty file', () => {
    const config = validateConfig({});
    expect(config.policy.threshold).toBeUndefined(); // core resolves it: the model's tuned threshold, else 0.50
    expect(config.policy.recheckDelay).toBe(120_000);
    expect(config.server.port).toBe(5000);
    expect(config.model).toEqual({ path: 'models/risk-v2.onnx', compatibilityPath: 'models/risk-v1.onnx' }); // the feature names come from the model's feature_set
    expect(config.prometheus).toBeUndefined();
  });

  it("takes the adapters' and core's defaults for the sections that map onto them", () => {
    const config = validateConfig({ prometheus: { url: 'http://127.0.0.1:9090' }, leaderElection: {} });
    expect(config.prometheus).toMatchObject({ rateWindow: '2m', minRequests: 5, timeout: 10_000, queries: {}, headers: {} });
    expect(config.policy).toMatchObject({ healthyReset: 600_000, dryRun: false, keep: { healthyEvaluations: 3, minHealthy: 60_000 }, circuitBreaker: { maxActions: 5, window: 3_600_000 } });
    expect(config.policy.ladder.map((step) => step.kind)).toEqual(['restart', 'cache', 'rollback']);
    expect(config.slack.minSeverity).toBe('info');
    expect(config.leaderElection).toEqual({ enabled: false, namespace: 'autoheal', leaseName: 'autoheal-leader', waitForLease: 30_000 });
  });

  it('reads YAML with durations, targets and a Prometheus service reference', async () => {
    const file = await tempFile(
      'autoheal.yaml',
      ['prometheus:', '  service: monitoring/prometheus-operated:9090', 'targets: [prod/backend, {namespace: prod, name: frontend}]', 'policy:', '  recheckDelay: 90s', '  cooldown: 5m'].join('\n'),
    );
    const config = await loadConfig({ file, env: {} });
    expect(config.prometheus?.service).toEqual({ namespace: 'monitoring', name: 'prometheus-operated', port: 9090 });
    expect(config.targets.map((t) => `${t.namespace}/${t.name}`)).toEqual(['prod/backend', 'prod/frontend']);
    expect(config.policy.recheckDelay).toBe(90_000);
    expect(config.policy.cooldown).toBe(300_000);
  });

  it('lists the path of every wrong field', async () => {
    const message = await failure(() => validateConfig({ policy: { threshold: 2, recheckDelay: 'soon' }, targets: ['not a target'], prometheus: { timeout: 0 } }));
    expect(message).toContain('policy.threshold: must be between 0 and 1');
    expect(message).toContain('policy.recheckDelay: "soon" is not a duration');
    expect(message).toContain('targets.0');
    expect(message).toContain('prometheus.timeout');
  });

  it('says when the file is missing or not YAML', async () => {
    await expect(loadConfig({ file: '/nonexistent/autoheal.yaml', env: {} })).rejects.toThrow(/cannot read config file .*ENOENT/);
    const broken = await tempFile('broken.yaml', 'policy: [unclosed');
    await expect(loadConfig({ file: broken, env: {} })).rejects.toThrow(/not valid YAML/);
  });

  it('parses durations with units', () => {
    expect(parseDuration('120s')).toBe(120_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1500')).toBe(1500);
    expect(parseDuration('soon')).toBeUndefined();
  });
});

describe('unknown keys', () => {
  it('are errors at the top level and in a section, naming the key path and the closest valid key', async () => {
    const file = await tempFile('typos.yaml', ['polcy: {}', 'policy:', '  dryrun: true', 'leaderElection:', '  enable: true'].join('\n'));
    const message = await failure(() => loadConfig({ file, env: {} }));
    expect(message).toContain(`config file ${file} is invalid:`);
    expect(message).toContain('polcy: unknown key; did you mean "policy"?');
    expect(message).toContain('policy.dryrun: unknown key; did you mean "dryRun"?');
    expect(message).toContain('leaderElection.enable: unknown key; did you mean "enabled"?');
  });

  it('are errors at every nesting level, in the schemas reused from core and the adapters too', async () => {
    const message = await failure(() =>
      validateConfig({
        policy: { circuitBreaker: { maxAction: 3 }, ladder: [{ kind: 'restart', scaleup: { by: 1 } }, { kind: 'cache', command: ['true'], perPodTimeout: 5 }] },
        prometheus: { url: 'http://127.0.0.1:9090', queries: { cpu_usage_pct: { querry: 'up' } } },
        targets: [{ namespace: 'prod', name: 'backend', clustre: 'eu' }],
      }),
    );
    expect(message).toContain('policy.circuitBreaker.maxAction: unknown key; did you mean "maxActions"?');
    expect(message).toContain('policy.ladder.0.scaleup: unknown key; did you mean "scaleUp"?');
    expect(message).toContain('policy.ladder.1.perPodTimeout: unknown key; did you mean "perPodTimeoutMs"?');
    expect(message).toContain('prometheus.queries.cpu_usage_pct.querry: unknown key; did you mean "query"?');
    expect(message).toContain('targets.0.clustre: unknown key; did you mean "cluster"?');
  });

  it('list the valid keys when none is close', async () => {
    const message = await failure(() => validateConfig({ watch: { everySoOften: '5s' } }));
    expect(message).toContain('watch.everySoOften: unknown key; valid keys here: interval, concurrency');
  });

  it('are reported once each', async () => {
    const message = await failure(() => validateConfig({ policy: { dryrun: true } }));
    expect(message.match(/dryrun/g)).toHaveLength(1);
  });
});

describe('environment overrides', () => {
  it('let AUTOHEAL_* and the original RISK_THRESHOLD override the file', () => {
    const raw = applyEnvOverrides({ policy: { threshold: 0.5 } }, { RISK_THRESHOLD: '0.7', AUTOHEAL_TARGETS: 'prod/a, prod/b', AUTOHEAL_DRY_RUN: 'true' });
    const config = validateConfig(raw);
    expect(config.policy.threshold).toBe(0.7);
    expect(config.policy.dryRun).toBe(true);
    expect(config.targets).toHaveLength(2);
  });

  it('reject a value of the wrong type, naming the variable', () => {
    expect(() => applyEnvOverrides({}, { AUTOHEAL_PORT: 'eighty' })).toThrow(/AUTOHEAL_PORT="eighty" is not a number/);
  });

  it('are blamed for a wrong value instead of the file', async () => {
    const file = await tempFile('good.yaml', 'policy: { threshold: 0.5 }\n');
    const message = await failure(() => loadConfig({ file, env: { RISK_THRESHOLD: '7' } }));
    expect(message).toContain('environment variable RISK_THRESHOLD="7" is invalid: policy.threshold: must be between 0 and 1');
    expect(message).not.toContain(file);
  });

  it('and the file are each blamed for their own mistakes', async () => {
    const file = await tempFile('typo.yaml', 'policy: { dryrun: true }\n');
    const message = await failure(() => loadConfig({ file, env: { AUTOHEAL_PROMETHEUS_SERVICE: 'prometheus:9090' } }));
    expect(message).toContain(`config file ${file}: policy.dryrun: unknown key; did you mean "dryRun"?`);
    expect(message).toContain('environment variable AUTOHEAL_PROMETHEUS_SERVICE="prometheus:9090": prometheus.service: "prometheus:9090" is not a service reference');
  });

  it('name a secret variable without its value', async () => {
    const message = await failure(() => loadConfig({ env: { SLACK_WEBHOOK_URL: 'hooks.slack.com/services/T0/B0/secret' } }));
    expect(message).toContain('environment variable SLACK_WEBHOOK_URL is invalid: slack.webhookUrl');
    expect(message).not.toContain('secret');
  });
});

describe('adapter sections', () => {
  it('are composed from the adapters: a Prometheus rate window the adapter would accept is accepted', () => {
    expect(validateConfig({ prometheus: { url: 'http://127.0.0.1:9090', rateWindow: '1d' } }).prometheus?.rateWindow).toBe('1d');
  });

  it('refuse prometheus.url with prometheus.service, and a bearer token with a service', async () => {
    const both = await failure(() => validateConfig({ prometheus: { url: 'http://127.0.0.1:9090', service: 'monitoring/prometheus-operated:9090' } }));
    expect(both).toContain('prometheus.service: cannot be set with url');
    const token = await failure(() => validateConfig({ prometheus: { service: 'monitoring/prometheus-operated:9090', bearerToken: 'abc' } }));
    expect(token).toContain('prometheus.bearerToken: cannot be used with service');
  });
});

describe('the example config in examples/config', () => {
  it('is valid', async () => {
    const file = path.resolve(import.meta.dirname, '../../../../examples/config/autoheal.yaml');
    const config = await loadConfig({ file, env: {} });
    expect(config.policy.dryRun).toBe(true);
    expect(config.policy.targetThresholds['prod/frontend']).toBe(0.7);
    expect(config.prometheus?.url).toBe('http://prometheus-operated.monitoring:9090');
  });
});

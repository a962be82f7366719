import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AutohealError } from '@autoheal/core';
import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';
import { applyEnvOverrides, loadConfig, validateConfig } from './load-config.js';

async function tempFile(name: string, text: string) {
  const dir = await mkdtemp(path.join(tmpdir(), 'autoheal-config-'));
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('configuration', () => {
  it('gives working defaults for an empty file', () => {
    const config = validateConfig({});
    expect(config.policy.threshold).toBeUndefined(); // the model's tuned threshold applies, else 0.50
    expect(config.policy.recheckDelay).toBe(120_000);
    expect(config.server.port).toBe(5000);
    expect(config.model.path).toBe('models/risk-v1.onnx');
  });

  it('reads YAML with durations, targets and a Prometheus service reference', async () => {
    const file = await tempFile(
      'autoheal.yaml',
      ['prometheus:', '  service: monitoring/prometheus-operated:9090', 'targets: [prod/backend, {namespace: prod, name: frontend}]', 'policy:', '  recheckDelay: 90s', '  cooldown: 5m'].join('\n'),
    );
    const config = await loadConfig({ file, env: {} });
    expect(config.prometheus.service).toEqual({ namespace: 'monitoring', name: 'prometheus-operated', port: 9090, scheme: 'http' });
    expect(config.targets.map((t) => `${t.namespace}/${t.name}`)).toEqual(['prod/backend', 'prod/frontend']);
    expect(config.policy.recheckDelay).toBe(90_000);
    expect(config.policy.cooldown).toBe(300_000);
  });

  it('lists the path of every wrong field', () => {
    let error: unknown;
    try {
      validateConfig({ policy: { threshold: 2, recheckDelay: 'soon' }, targets: ['not a target'], surprise: true });
    } catch (e) {
      error = e;
    }
    expect(AutohealError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('policy.threshold');
    expect(message).toContain('policy.recheckDelay');
    expect(message).toContain('targets.0');
    expect(message).toContain('surprise');
  });

  it('lets AUTOHEAL_* and the original RISK_THRESHOLD override the file', () => {
    const raw = applyEnvOverrides({ policy: { threshold: 0.5 } }, { RISK_THRESHOLD: '0.7', AUTOHEAL_TARGETS: 'prod/a, prod/b', AUTOHEAL_DRY_RUN: 'true' });
    const config = validateConfig(raw);
    expect(config.policy.threshold).toBe(0.7);
    expect(config.policy.dryRun).toBe(true);
    expect(config.targets).toHaveLength(2);
  });

  it('rejects an environment value of the wrong type, naming the variable', () => {
    expect(() => applyEnvOverrides({}, { AUTOHEAL_PORT: 'eighty' })).toThrow(/AUTOHEAL_PORT="eighty" is not a number/);
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

describe('the example config in examples/config', () => {
  it('is valid', async () => {
    const file = path.resolve(import.meta.dirname, '../../../../examples/config/autoheal.yaml');
    const config = await loadConfig({ file, env: {} });
    expect(config.policy.dryRun).toBe(true);
    expect(config.policy.targetThresholds['prod/frontend']).toBe(0.7);
    expect(config.prometheus.url).toBe('http://prometheus-operated.monitoring:9090');
  });
});

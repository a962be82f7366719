/**
 * `/api/info` as `autoheal serve` builds it (config → settings → info plugin), validated against the
 * one declaration of the contract in core, in both modes.
 */
import { serverInfoSchema } from '@autoheal/core';
import { createInMemoryFeatureSource, createInMemoryHealer, createInMemoryRiskModel, HEALTHY_FEATURES } from '@autoheal/core/testing';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../config/load-config.js';
import { startServer, type RunningServer } from '../../serve.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const logger = pino({ level: 'silent' });

describe('GET /api/info from autoheal serve', () => {
  it('matches the contract in predict-only mode, with the ladder it would run', async () => {
    const config = validateConfig({ server: { port: 0, dashboard: false }, policy: { threshold: 0.4 }, log: { level: 'silent' } });
    server = await startServer(config, logger, { riskModel: createInMemoryRiskModel() });
    const info = serverInfoSchema.parse(await (await fetch(`${server.url}/api/info`)).json());
    expect(info.mode).toBe('predict-only');
    expect(info.model.threshold).toBe(0.4);
    expect(info.policy.threshold).toBe(0.4);
    expect(info.policy.ladder.map((step) => step.kind)).toEqual(['restart', 'cache', 'rollback']);
  });

  it('names the threshold in force when the config leaves it to the model', async () => {
    const config = validateConfig({ server: { port: 0, dashboard: false }, log: { level: 'silent' } });
    server = await startServer(config, logger, { riskModel: createInMemoryRiskModel() });
    const info = serverInfoSchema.parse(await (await fetch(`${server.url}/api/info`)).json());
    expect(info.policy.threshold).toBe(info.model.threshold);
  });

  it('matches the contract with a pipeline, in dry-run', async () => {
    const config = validateConfig({
      server: { port: 0, dashboard: false, readOnly: true },
      targets: ['prod/backend'],
      policy: { dryRun: true, ladder: [{ kind: 'rollback' }] },
      log: { level: 'silent' },
    });
    server = await startServer(config, logger, {
      riskModel: createInMemoryRiskModel(),
      featureSource: createInMemoryFeatureSource({ values: () => HEALTHY_FEATURES }),
      healer: createInMemoryHealer(),
      notifiers: [],
      watch: false,
    });
    const info = serverInfoSchema.parse(await (await fetch(`${server.url}/api/info`)).json());
    expect(info).toMatchObject({ mode: 'full', dryRun: true, readOnly: true, leaderElection: false });
    expect(info.policy.ladder).toEqual([{ kind: 'rollback' }]);
  });
});

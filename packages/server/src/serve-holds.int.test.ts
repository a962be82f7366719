/**
 * `startServer` against the sandbox with a target paused by `autoheal pause` (run in-process as its
 * own process would be): the server's loop reads the mark and `GET /api/targets` says who paused it
 * and until when; once resumed, the hold is gone.
 */
import type { TargetHold } from '@autoheal/core';
import { createInMemoryFeatureSource, createInMemoryRiskModel, HEALTHY_FEATURES } from '@autoheal/core/testing';
import { startSandbox, type Sandbox } from '@autoheal/sandbox';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../test-support/capture-io.js';
import { pauseCommand, resumeCommand } from './cli/operator/pause-command.js';
import { loadAdapterSchemas } from './config/adapter-schemas.js';
import { validateConfig } from './config/load-config.js';
import { startServer, type RunningServer } from './serve.js';

describe('serve with a paused target', () => {
  let sandbox: Sandbox;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    await loadAdapterSchemas();
    sandbox = await startSandbox({
      time: 'virtual',
      deployments: [
        { namespace: 'prod', name: 'backend', replicas: 2 },
        { namespace: 'prod', name: 'frontend', replicas: 2 },
      ],
    });
  });

  afterAll(async () => {
    await server?.stop();
    await sandbox?.close();
  });

  const flags = () => ['--kubeconfig', sandbox.kubeconfigPath, '--log-level', 'silent'];
  const holds = async () => {
    const body = (await (await fetch(`${server!.url}/api/targets`)).json()) as { targets: Array<{ key: string; hold: TargetHold | null }> };
    return Object.fromEntries(body.targets.map((t) => [t.key, t.hold]));
  };
  async function until(predicate: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!(await predicate())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('GET /api/targets shows the pause (who, until when, why) of the paused target only, and nothing once resumed', async () => {
    const paused = captureIo();
    expect(await pauseCommand(['prod/backend', '--by', 'alice', '--until', '2h', '--reason', 'db migration', ...flags()], paused), paused.err).toBe(0);
    const config = validateConfig({
      server: { port: 0, dashboard: false },
      kubernetes: { kubeconfig: sandbox.kubeconfigPath },
      targets: ['prod/backend', 'prod/frontend'],
      watch: { interval: '1s' },
      log: { level: 'silent' },
    });
    server = await startServer(config, pino({ level: 'silent' }), { featureSource: createInMemoryFeatureSource({ values: () => HEALTHY_FEATURES }), riskModel: createInMemoryRiskModel() });

    await until(async () => (await holds())['prod/backend'] !== null, 'the pause in /api/targets');
    const whilePaused = await holds();
    const resumed = captureIo();
    expect(await resumeCommand(['prod/backend', ...flags()], resumed), resumed.err).toBe(0);
    await until(async () => (await holds())['prod/backend'] === null, 'the hold to go after resume');

    expect(whilePaused['prod/backend']).toMatchObject({ kind: 'paused', scope: 'target', by: 'alice', reason: 'db migration', source: 'annotation autoheal.dev/paused on deployment prod/backend' });
    expect(whilePaused['prod/backend']!.until! - Date.now()).toBeGreaterThan(3_600_000);
    expect(whilePaused['prod/frontend']).toBeNull();
  }, 90_000);
});

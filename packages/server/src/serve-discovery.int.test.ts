/**
 * `startServer` with discovery against the sandbox: `GET /api/targets` lists the opted-in
 * Deployment it evaluates, the one it skips for a bad annotation (with why and the fix), and counts
 * the Deployments that never opted in.
 */
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { createInMemoryFeatureSource, createInMemoryRiskModel, HEALTHY_FEATURES } from '@autoheal/core/testing';
import { startSandbox, type Sandbox } from '@autoheal/sandbox';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAdapterSchemas } from './config/adapter-schemas.js';
import { validateConfig } from './config/load-config.js';
import { startServer, type RunningServer } from './serve.js';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface TargetsBody {
  targets: Array<{ key: string }>;
  skipped: Array<{ key: string; reason: string; message: string; origin: string }>;
  notOptedIn: number;
}

describe('serve with discovery', () => {
  let sandbox: Sandbox;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    await loadAdapterSchemas();
    sandbox = await startSandbox({
      time: 'virtual',
      deployments: [
        { namespace: 'pay', name: 'api', replicas: 1 },
        { namespace: 'pay', name: 'ledger', replicas: 1 },
        { namespace: 'pay', name: 'cron', replicas: 1 },
      ],
    });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(sandbox.kubeconfigPath);
    await kubeConfig.makeApiClient(CoreV1Api).patchNamespace({ name: 'pay', body: { metadata: { labels: { team: 'payments' } } } }, merge);
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    await apps.patchNamespacedDeployment({ namespace: 'pay', name: 'api', body: { metadata: { annotations: { 'autoheal.dev/enabled': 'true' } } } }, merge);
    await apps.patchNamespacedDeployment({ namespace: 'pay', name: 'ledger', body: { metadata: { annotations: { 'autoheal.dev/enabled': 'true', 'autoheal.dev/steps': 'restrat' } } } }, merge);
  });

  afterAll(async () => {
    await server?.stop();
    await sandbox?.close();
  });

  it('GET /api/targets lists the skipped opted-in Deployment with why, and counts the ones not opted in', async () => {
    const config = validateConfig({
      server: { port: 0, dashboard: false },
      kubernetes: { kubeconfig: sandbox.kubeconfigPath },
      discovery: { namespaceSelector: 'team=payments' },
      watch: { interval: '1s' },
      log: { level: 'silent' },
    });
    server = await startServer(config, pino({ level: 'silent' }), { featureSource: createInMemoryFeatureSource({ values: () => HEALTHY_FEATURES }), riskModel: createInMemoryRiskModel() });

    const deadline = Date.now() + 60_000;
    let body: TargetsBody;
    for (;;) {
      body = (await (await fetch(`${server.url}/api/targets`)).json()) as TargetsBody;
      if (body.targets.length > 0 && body.skipped.length > 0) break;
      if (Date.now() > deadline) throw new Error(`timed out waiting for the first round: ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    expect(body.targets.map((t) => t.key)).toEqual(['pay/api']);
    expect(body.skipped).toEqual([expect.objectContaining({ key: 'pay/ledger', reason: 'invalid-overrides', origin: expect.any(String), message: expect.stringContaining('annotation autoheal.dev/steps is "restrat"') })]);
    expect(body.notOptedIn).toBe(1);
  }, 90_000);
});

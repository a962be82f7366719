/**
 * `startServer` with leader election on, two replicas against the sandbox's Lease API: only the
 * leader answers "check now"; the follower says who does the healing instead of acting too.
 */
import { createInMemoryFeatureSource, createInMemoryRiskModel, HEALTHY_FEATURES } from '@autoheal/core/testing';
import { startSandbox, type Sandbox } from '@autoheal/sandbox';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAdapterSchemas } from './config/adapter-schemas.js';
import { validateConfig } from './config/load-config.js';
import { startServer, type RunningServer } from './serve.js';

const TOKEN = 'leader-test-token-0123456789';

describe('leader election in the server', () => {
  let sandbox: Sandbox;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    await loadAdapterSchemas(); // the kubernetes and leaderElection sections are validated with the adapter's schemas
    sandbox = await startSandbox({ time: 'virtual', deployments: [{ namespace: 'prod', name: 'backend', replicas: 2 }] });
    // The Lease lives in its own namespace, as in the manifests.
    await fetch(`${sandbox.url}/api/v1/namespaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'autoheal' } }),
    });
  });

  afterAll(async () => {
    for (const server of servers) await server.stop();
    await sandbox?.close();
  });

  const start = async (identity: string) => {
    const config = validateConfig({
      server: { port: 0, apiToken: TOKEN, dashboard: false },
      kubernetes: { kubeconfig: sandbox.kubeconfigPath },
      targets: ['prod/backend'],
      leaderElection: { enabled: true, identity },
      watch: { interval: '1h' },
      log: { level: 'silent' },
    });
    const server = await startServer(config, pino({ level: 'silent' }), {
      featureSource: createInMemoryFeatureSource({ values: () => HEALTHY_FEATURES }),
      riskModel: createInMemoryRiskModel(),
    });
    servers.push(server);
    return server;
  };

  const checkNow = (server: RunningServer) =>
    fetch(`${server.url}/api/targets/prod/backend/evaluate`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });

  it('lets only the Lease holder act', async () => {
    const first = await start('replica-a');
    const deadline = Date.now() + 20_000;
    while ((await checkNow(first)).status !== 200) {
      if (Date.now() > deadline) throw new Error('replica-a never became the leader');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const second = await start('replica-b');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const refused = await checkNow(second);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: string }).error).toBe('not-leader');
    expect((await checkNow(first)).status).toBe(200);

    const lease = (await (await fetch(`${sandbox.url}/apis/coordination.k8s.io/v1/namespaces/autoheal/leases/autoheal-leader`)).json()) as { spec: { holderIdentity: string } };
    expect(lease.spec.holderIdentity).toBe('replica-a');
  }, 60_000);
});

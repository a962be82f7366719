/**
 * Error texts said once and aimed at the right thing, through the paths a user meets them: the JSON
 * log of a Kubernetes error (a Lease in a namespace that does not exist), a cache step whose exec
 * RBAC forbids, and an unreachable Prometheus in `autoheal status`. The cluster is the sandbox's API
 * server (with RBAC enforced for the exec case); the errors are client-node's and undici's own.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { AT_RISK_FEATURES, createInMemoryFeatureSource, createInMemoryRiskModel } from '@autoheal/core/testing';
import { createApiServer, createSimulation, startSandbox, writeKubeconfig, type ApiServer, type Sandbox, type Simulation } from '@autoheal/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../test-support/capture-io.js';
import { createCliLogger } from './cli/logger.js';
import { registerCommand, runCli } from './cli/main.js';
import { healCommand } from './cli/operator/heal-command.js';
import { statusCommand } from './cli/operator/status-command.js';
import { validateConfig } from './config/load-config.js';
import { loadAdapterSchemas } from './config/adapter-schemas.js';
import { startLeadership } from './leadership.js';

const MODEL = resolve(import.meta.dirname, '../../../models/risk-v1.onnx');
const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe('error texts against the sandbox', () => {
  let sandbox: Sandbox;
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'autoheal-error-texts-'));
    sandbox = await startSandbox({ time: 'virtual', seed: 2, kubeconfigPath: join(directory, 'kubeconfig'), deployments: [{ namespace: 'prod', name: 'backend', replicas: 2 }] });
  });
  afterAll(async () => {
    await sandbox?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('logs a Lease in a missing namespace naming the Lease\'s namespace, without client-node\'s raw answer', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const input = { kubernetes: { kubeconfig: sandbox.kubeconfigPath }, leaderElection: { enabled: true, namespace: 'nowhere', identity: 'replica-a' } };
    await loadAdapterSchemas();
    const config = validateConfig(input);
    const leadership = await startLeadership(config, undefined, createCliLogger('warn', destination));
    const deadline = Date.now() + 30_000;
    while (!lines.some((line) => line.includes('leader election attempt failed')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await leadership.stop();

    const failures = lines.filter((line) => line.includes('leader election attempt failed'));
    expect(failures).toHaveLength(1);
    const logged = JSON.parse(failures[0]!) as { err: { message: string; cause?: { type: string; code?: number } } };
    expect(logged.err.message).toBe(
      '[autoheal] [kubernetes] create leases.coordination.k8s.io "autoheal-leader" in namespace "nowhere" failed: not found (404): namespaces "nowhere" not found; ' +
        'namespace "nowhere" does not exist: create it (kubectl create namespace nowhere) or keep the Lease in an existing namespace',
    );
    expect(logged.err.cause).toEqual({ type: 'ApiException', code: 404 });
    expect(occurrences(failures[0]!, 'namespaces \\"nowhere\\" not found')).toBe(1);
    expect(failures[0]).not.toContain('Unknown API Status Code');
    expect(failures[0]).not.toContain("target's");
  }, 60_000);

  it('status says an unreachable Prometheus once for all the signals it blinds, with one hint', async () => {
    registerCommand('status', (argv, io) => statusCommand(argv, io));
    const io = captureIo();
    const code = await runCli(['status', 'prod/backend', '--prometheus-url', 'http://127.0.0.1:9', '--model', MODEL, '--kubeconfig', sandbox.kubeconfigPath, '--log-level', 'silent'], io);

    expect(code, io.err).toBe(0);
    expect(io.out).toMatch(/restart_count_last_5m, cpu_usage_pct, .*, http_5xx_error_rate: .*cannot reach Prometheus at http:\/\/127\.0\.0\.1:9/);
    expect(occurrences(io.out, 'cannot reach Prometheus')).toBe(1);
    expect(occurrences(io.out, 'Is Prometheus running')).toBe(1);
  }, 60_000);
});

describe('a cache step whose exec RBAC forbids', () => {
  let simulation: Simulation;
  let api: ApiServer;
  let directory: string;

  beforeAll(async () => {
    simulation = createSimulation({ seed: 5, deployments: [{ namespace: 'prod', name: 'web', replicas: 3, requestsPerSecond: 1 }] });
    simulation.advance(60_000);
    // autoheal's own namespace, where the shared circuit breaker's ConfigMap lives (an installed cluster has it).
    simulation.store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'autoheal' } });
    api = createApiServer({ store: simulation.store, clock: simulation.clock, exec: simulation.execHandler, enforceRbac: true });
    directory = await mkdtemp(join(tmpdir(), 'autoheal-exec-403-'));
    // The token names the user RBAC judges: "autoheal", bound to everything the cache step needs but pods/exec.
    await writeKubeconfig(join(directory, 'kubeconfig'), await api.listen(0, '127.0.0.1'), { token: 'autoheal:secret' });
    const name = 'all-but-exec';
    simulation.store.create('rbac.authorization.k8s.io/clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name },
      rules: [
        { apiGroups: ['apps'], resources: ['deployments', 'deployments/scale', 'replicasets'], verbs: ['*'] },
        { apiGroups: [''], resources: ['pods', 'events', 'configmaps'], verbs: ['*'] },
        { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['*'] },
      ],
    });
    simulation.store.create('rbac.authorization.k8s.io/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'User', name: 'autoheal', apiGroup: 'rbac.authorization.k8s.io' }],
    });
  });
  afterAll(async () => {
    await api?.close();
    simulation?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('is reported as forbidden with the rule to add, once for all the pods, never as [object Object]', async () => {
    const config = join(directory, 'autoheal.json');
    await writeFile(config, JSON.stringify({ targets: ['prod/web'] }));
    const source = createInMemoryFeatureSource({ values: { 'prod/web': { ...AT_RISK_FEATURES } } });
    registerCommand('heal', (argv, io) => healCommand(argv, io, { featureSource: source, riskModel: createInMemoryRiskModel(), notifiers: [] }));
    const io = captureIo();
    const code = await runCli(['heal', 'prod/web', '--step', 'cache', '--config', config, '--kubeconfig', join(directory, 'kubeconfig'), '--log-level', 'silent'], io);

    expect(code, io.err + io.out).toBe(20); // the step ran (restart + scale) but its exec failed
    expect(io.out).not.toContain('[object Object]');
    expect(io.out).toMatch(
      /failed exec: cache clear failed in 3 of 3 pod\(s\): web-[a-z0-9-]+, web-[a-z0-9-]+, web-[a-z0-9-]+: exec is forbidden \(403\); grant it with an RBAC Role rule \{ apiGroups: \[""\], resources: \["pods\/exec"\], verbs: \["create", "get"\] \} bound to autoheal's service account\n/,
    );
    expect(io.out).toContain('Outcome:  FAILED: 1 of 4 operation(s) failed');
    // Said in the operation's line and in the record's summary (what the Event and Slack carry), never per pod.
    expect(occurrences(io.out, 'exec is forbidden (403)')).toBe(2);
  }, 60_000);
});

/**
 * `autoheal doctor` in-process through runCli: against a real Prometheus scraping the real-time
 * sandbox (skipped, with a visible message, when the binary is absent), with RBAC objects in the
 * sandbox for the kubeconfig's user; and the Slack check against a local receiver that answers as
 * Slack does.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { HEALTHY_FEATURES, createInMemoryFeatureSource } from '@autoheal/core/testing';
import { isPrometheusAvailable, startPrometheus, startSandbox, type Sandbox } from '@autoheal/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerCommand, runCli } from '../main.js';
import { doctorCommand } from './doctor-command.js';
import type { OperatorDeps } from './operator-context.js';
import { captureIo } from '../../../test-support/capture-io.js';

const MODEL = path.resolve(import.meta.dirname, '../../../../../models/risk-v1.onnx');
const hasPrometheus = isPrometheusAvailable();
if (!hasPrometheus) console.warn('[doctor-command.int.test] SKIPPED the Prometheus part: the "prometheus" binary is not installed (apt-get install prometheus)');

async function doctor(args: string[], deps: OperatorDeps = {}) {
  registerCommand('doctor', (argv, io) => doctorCommand(argv, io, deps));
  const io = captureIo();
  const code = await runCli(['doctor', ...args, '--log-level', 'silent'], io);
  return { code, out: io.out, err: io.err };
}

/** Grants the user every resource autoheal uses except `pods/exec` (and, with `exec`, that too). */
function grant(sandbox: Sandbox, user: string, name: string, rules: Array<Record<string, unknown>>): void {
  sandbox.store.create('rbac.authorization.k8s.io/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules });
  sandbox.store.create('rbac.authorization.k8s.io/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }],
  });
}

const ALL_BUT_EXEC = [
  { apiGroups: ['apps'], resources: ['deployments', 'deployments/scale', 'replicasets'], verbs: ['*'] },
  { apiGroups: [''], resources: ['pods', 'events'], verbs: ['*'] },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['*'] },
  // The shared circuit breaker's and the pause ConfigMaps in autoheal's namespace (manifests/base/rbac-circuit-breaker.yaml).
  { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'update'] },
];

describe.skipIf(!hasPrometheus)('autoheal doctor against a real Prometheus and the sandbox with RBAC', () => {
  let sandbox: Sandbox;
  let prometheus: { url: string; close(): Promise<void> };
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'autoheal-doctor-'));
    // The token names the user the sandbox's RBAC evaluates: "oncall".
    sandbox = await startSandbox({ time: 'real', seed: 3, token: 'oncall:secret', deployments: [{ namespace: 'prod', name: 'backend', replicas: 2 }] });
    grant(sandbox, 'oncall', 'autoheal-all-but-exec', ALL_BUT_EXEC);
    prometheus = await startPrometheus({ scrapeTargets: [new URL(sandbox.url).host], scrapeIntervalSeconds: 1 });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.close();
    await sandbox?.close();
    await rm(directory, { recursive: true, force: true });
  });

  const flags = () => ['prod/backend', '--prometheus-url', prometheus.url, '--kubeconfig', sandbox.kubeconfigPath, '--model', MODEL];

  it('names the missing pods/exec (and Lease) permissions with the rule and the can-i line, and a feature query with no data; exit code 1', async () => {
    const configPath = join(directory, 'no-such-metric.json');
    await writeFile(
      configPath,
      JSON.stringify({
        prometheus: { queries: { cpu_usage_pct: 'avg by (namespace, deployment) (no_such_metric{ {{selector}} })' } },
        leaderElection: { enabled: true, namespace: 'autoheal' },
      }),
    );

    let result = await doctor([...flags(), '--config', configPath]);
    const deadline = Date.now() + 60_000;
    // Wait for the first samples: until the other features have data, only the override is missing.
    while (/feature (restart_count_last_5m|ready_replica_ratio|memory_usage_bytes|http_5xx_error_rate) returns nothing/.test(result.out) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      result = await doctor([...flags(), '--config', configPath]);
    }

    expect(result.code, result.out + result.err).toBe(1);
    expect(result.out).toMatch(/^✔ config: /m);
    expect(result.out).toMatch(/^✔ model: .* loads and declares the 7 features/m);
    expect(result.out).toMatch(/^✔ prometheus: http:\/\/127\.0\.0\.1:\d+ answers$/m);
    expect(result.out).toMatch(/^✘ prometheus: prod\/backend: feature cpu_usage_pct returns nothing: .*no_such_metric/m);
    expect(result.out).toMatch(/^✘ rbac: prod: cannot create pods\/exec — needed by cache step/m);
    expect(result.out).toContain('kubectl auth can-i create pods/exec -n prod');
    expect(result.out).toMatch(/resources: \["pods\/exec"\]\n\s+verbs: \["create"\]/);
    expect(result.out).toMatch(/fix: run the query in the Prometheus UI for namespace prod; fix prometheus\.queries\.cpu_usage_pct/);
    expect(result.out).not.toMatch(/feature (restart_count_last_5m|ready_replica_ratio|unavailable_replicas) returns nothing/);
    expect(result.out).not.toMatch(/^✘ rbac: prod: cannot \w+ (?!pods\/exec)/m); // everything else is granted
    // Leader election needs the Lease in autoheal's own namespace, which the role does not grant.
    expect(result.out).toMatch(/^✘ rbac: autoheal: cannot get leases \(coordination\.k8s\.io\) — needed by leader election/m);
    expect(result.out).toContain('kubectl auth can-i update leases.coordination.k8s.io -n autoheal');
  }, 60_000);

  it('passes every check (exit 0) once pods/exec is granted and Prometheus has data for every feature', async () => {
    grant(sandbox, 'oncall', 'autoheal-exec', [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] }]);
    let result = await doctor(flags());
    const deadline = Date.now() + 90_000;
    // The first rate() windows need a few scrapes (1 s apart) before every feature has a value.
    while (result.code !== 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      result = await doctor(flags());
    }

    expect(result.code, result.out).toBe(0);
    expect(result.out).not.toContain('✘');
    expect(result.out).toMatch(/^✔ prometheus: prod\/backend: every feature query returns data \(7\)$/m);
    expect(result.out).toMatch(/^✔ rbac: prod: all \d+ permissions the enabled steps need are granted$/m);
    // The breaker (create, get, update) and the global pause (get).
    expect(result.out).toMatch(/^✔ rbac: autoheal: all 4 permissions the enabled steps need are granted$/m);
    expect(result.out).toContain('All 7 checks passed.');
  }, 120_000);
});

describe('autoheal doctor: model and Slack checks', () => {
  let sandbox: Sandbox;
  let slack: Server;
  let slackBase: string;
  const received: Array<{ path: string; body: string }> = [];
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'autoheal-doctor-slack-'));
    sandbox = await startSandbox({ time: 'virtual', deployments: [{ namespace: 'prod', name: 'backend', replicas: 1 }] });
    // Answers like hooks.slack.com: an existing webhook rejects an empty message with 400 no_text
    // and accepts text with 200 ok; a revoked one answers 404 no_service.
    slack = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body });
        if (req.url !== '/services/T1/B1/valid') return void res.writeHead(404).end('no_service');
        const parsed = JSON.parse(body) as { text?: string };
        if (!parsed.text) return void res.writeHead(400).end('no_text');
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
    slackBase = `http://127.0.0.1:${(slack.address() as { port: number }).port}`;
  });

  afterEach(() => {
    received.length = 0;
  });

  afterAll(async () => {
    await sandbox?.close();
    await new Promise((resolve) => slack?.close(resolve));
    await rm(directory, { recursive: true, force: true });
  });

  // Signals from an in-process source: Prometheus is not the point of these tests.
  const deps = (): OperatorDeps => ({ featureSource: createInMemoryFeatureSource({ values: { 'prod/backend': { ...HEALTHY_FEATURES } } }) });
  const flags = (webhook: string) => ['prod/backend', '--kubeconfig', sandbox.kubeconfigPath, '--model', MODEL, '--slack-webhook-url', webhook];

  it('--no-post: a valid webhook answers 400 no_text to an empty message, nothing is posted, every check passes', async () => {
    const result = await doctor([...flags(`${slackBase}/services/T1/B1/valid`), '--no-post'], deps());

    expect(result.code, result.out).toBe(0);
    expect(result.out).toMatch(/^✔ slack: http:\/\/127\.0\.0\.1:\d+\/services\/… exists \(it answered 400 no_text/m);
    expect(received).toEqual([{ path: '/services/T1/B1/valid', body: '{}' }]);
  }, 30_000);

  it('--no-post: a revoked webhook (404 no_service) fails with "check the webhook URL"', async () => {
    const result = await doctor([...flags(`${slackBase}/services/T1/B1/revoked`), '--no-post'], deps());

    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^✘ slack: .* answered 404 no_service$/m);
    expect(result.out).toContain('fix: check the webhook URL (SLACK_WEBHOOK_URL / slack.webhookUrl)');
  }, 30_000);

  it('without --no-post, posts a short test message', async () => {
    const result = await doctor(flags(`${slackBase}/services/T1/B1/valid`), deps());

    expect(result.code, result.out).toBe(0);
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.body)).toEqual({ text: expect.stringContaining('autoheal doctor: test message') });
  }, 30_000);

  it('a model path that is a Git LFS pointer is named, with the original fix', async () => {
    const pointer = join(directory, 'risk.onnx');
    await writeFile(pointer, 'version https://git-lfs.github.com/spec/v1\noid sha256:0000\nsize 16438\n');

    const result = await doctor(['prod/backend', '--kubeconfig', sandbox.kubeconfigPath, '--model', pointer], deps());

    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^✘ model: cannot load the model: .*risk\.onnx is a Git LFS pointer, not the model$/m);
    expect(result.out).toContain('fix: verify MODEL_PATH / model.path (--model); is it a Git LFS pointer?');
  }, 30_000);
});

/**
 * Applies the rendered demo overlay to the sandbox Kubernetes API with kubectl, then asks the API
 * (SelfSubjectAccessReview, i.e. `kubectl auth can-i`) what autoheal's ServiceAccount may do: the
 * RBAC table of docs/deployment.md, checked against a real RBAC evaluator.
 */
import { execFile } from 'node:child_process';
import { startSandbox, type Sandbox } from '@autoheal/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { render, kubectlPath } from './render.js';

/** Kinds the sandbox API may not serve (it emulates only what autoheal talks to). */
const kindsTheSandboxMayNotServe = ['ServiceAccount', 'ServiceMonitor', 'PodDisruptionBudget', 'Ingress', 'NetworkPolicy'];
const serviceAccount = 'system:serviceaccount:autoheal:autoheal';

let sandbox: Sandbox;

function kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      kubectlPath ?? 'kubectl',
      ['--kubeconfig', sandbox.kubeconfigPath, ...args],
      { timeout: 30_000, env: { ...process.env, KUBECONFIG: '' } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input ?? '');
  });
}

describe.skipIf(!kubectlPath)('overlays/demo applied to the sandbox API', () => {
  let skipped: string[] = [];
  let servedKinds = new Set<string | undefined>();

  beforeAll(async () => {
    sandbox = await startSandbox({ time: 'virtual', deployments: [], autohealNamespace: false });
    const resources = await kubectl(['api-resources', '--no-headers']);
    expect(resources.code).toBe(0);
    servedKinds = new Set(resources.stdout.split('\n').map((line) => line.trim().split(/\s+/).at(-1)));
    const objects = render('overlays/demo');
    skipped = [...new Set(objects.filter((object) => !servedKinds.has(object.kind)).map((object) => object.kind))];
    if (skipped.length > 0) console.warn(`[autoheal] [deploy-tests] the sandbox does not serve ${skipped.join(', ')}: not applied`);
    const toApply = objects.filter((object) => servedKinds.has(object.kind));
    const applied = await kubectl(['apply', '-f', '-'], toApply.map((object) => stringify(object)).join('---\n'));
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('skips only kinds the sandbox is known not to serve', () => {
    for (const kind of skipped) expect(kindsTheSandboxMayNotServe).toContain(kind);
  });

  it('creates the autoheal server, the sample application and the HPA', async () => {
    const deployments = await kubectl(['get', 'deployments', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {end}']);
    expect(deployments.stdout.trim().split(' ').sort()).toEqual(['autoheal/autoheal', 'prod/backend', 'prod/frontend', 'prod/loadgen']);
    const hpa = await kubectl(['-n', 'prod', 'get', 'hpa', 'backend', '-o', 'jsonpath={.spec.minReplicas}..{.spec.maxReplicas}']);
    expect(hpa.stdout).toBe('2..6');
    const config = await kubectl(['-n', 'autoheal', 'get', 'configmap', 'autoheal-config', '-o', 'jsonpath={.data.autoheal\\.yaml}']);
    expect(config.stdout).toContain('url: http://prometheus-operated.monitoring:9090');
  });

  it('re-applying is a no-op (the manifests are stable under apply)', async () => {
    const objects = render('overlays/demo').filter((object) => !skipped.includes(object.kind));
    const again = await kubectl(['apply', '-f', '-'], objects.map((object) => stringify(object)).join('---\n'));
    expect(again.code).toBe(0);
    expect(again.stdout.split('\n').filter((line) => line && !line.endsWith(' unchanged'))).toEqual([]);
  });

  // Each line is `kubectl auth can-i VERB RESOURCE [--subresource=S] -n NAMESPACE --as=<autoheal's
  // ServiceAccount>`. Note: `can-i create pods/exec` would ask about a pod NAMED "exec"; a
  // subresource needs --subresource.
  it.each([
    ['get', 'deployments', 'prod', 'yes'],
    ['patch', 'deployments', 'prod', 'yes'],
    ['update', 'deployments', 'prod', 'yes'],
    ['patch', 'deployments --subresource=scale', 'prod', 'yes'],
    ['list', 'replicasets', 'prod', 'yes'],
    ['create', 'events', 'prod', 'yes'],
    ['patch', 'events', 'prod', 'yes'],
    ['list', 'pods', 'prod', 'yes'],
    ['create', 'pods --subresource=exec', 'prod', 'yes'],
    ['update', 'horizontalpodautoscalers', 'prod', 'yes'],
    ['delete', 'deployments', 'prod', 'no'],
    ['create', 'deployments', 'prod', 'no'],
    ['delete', 'pods', 'prod', 'no'],
    ['get', 'secrets', 'prod', 'no'],
    ['patch', 'deployments', 'default', 'no'],
    ['create', 'pods --subresource=exec', 'autoheal', 'no'],
    ['patch', 'deployments --subresource=scale', 'autoheal', 'no'],
    ['create', 'leases', 'autoheal', 'no'], // leader election is only in overlays/production
    ['create', 'configmaps', 'autoheal', 'yes'], // the shared circuit breaker
    ['create', 'configmaps', 'prod', 'no'],
  ])('can-i %s %s -n %s: %s', async (verb, resource, namespace, expected) => {
    const answer = await kubectl(['auth', 'can-i', verb, ...resource.split(' '), '-n', namespace, `--as=${serviceAccount}`]);
    expect(answer.stdout.trim()).toBe(expected);
  });

  describe('manifests/ci-rbac (the CI user gha)', () => {
    beforeAll(async () => {
      expect((await kubectl(['create', 'namespace', 'monitoring'])).code).toBe(0);
      const applied = await kubectl(['apply', '-f', '-'], render('ci-rbac').map((object) => stringify(object)).join('---\n'));
      expect(applied.stderr).toBe('');
    });

    // What the pipeline does as gha: apply manifests/sample-app, roll out, port-forward, run
    // autoheal (which execs for the cache step and reads Prometheus through the service proxy).
    // ServiceMonitors and Ingresses are not served by the sandbox, so kubectl cannot ask about
    // them here; manifests.test.ts checks those rules.
    it.each([
      ['patch', 'deployments', 'prod', 'yes'],
      ['create', 'services', 'prod', 'yes'],
      ['patch', 'horizontalpodautoscalers', 'prod', 'yes'],
      ['create', 'pods --subresource=exec', 'prod', 'yes'],
      ['create', 'pods --subresource=portforward', 'prod', 'yes'],
      ['create', 'events', 'prod', 'yes'],
      ['patch', 'events', 'prod', 'yes'],
      ['delete', 'deployments/loadgen', 'prod', 'yes'],
      ['get', 'services/prometheus-operated:9090 --subresource=proxy', 'monitoring', 'yes'],
      ['delete', 'deployments/backend', 'prod', 'no'],
      ['get', 'secrets', 'prod', 'no'],
      ['get', 'services/grafana:3000 --subresource=proxy', 'monitoring', 'no'],
      ['patch', 'deployments', 'autoheal', 'no'],
    ])('can-i %s %s -n %s: %s', async (verb, resource, namespace, expected) => {
      const answer = await kubectl(['auth', 'can-i', verb, ...resource.split(' '), '-n', namespace, '--as=gha']);
      expect(answer.stdout.trim()).toBe(expected);
    });
  });

  describe('then overlays/production applied over it', () => {
    beforeAll(async () => {
      const objects = render('overlays/production').filter((object) => servedKinds.has(object.kind));
      const applied = await kubectl(['apply', '-f', '-'], objects.map((object) => stringify(object)).join('---\n'));
      expect(applied.stderr).toBe('');
    });

    it('runs two replicas with dry-run off and leader election on', async () => {
      const deployment = await kubectl(['-n', 'autoheal', 'get', 'deployment', 'autoheal', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].env[*].name}']);
      expect(deployment.stdout).toMatch(/^2 /);
      expect(deployment.stdout).toContain('AUTOHEAL_LEADER_ELECTION');
    });

    it.each([
      ['create', 'leases', 'yes'],
      ['get', 'leases/autoheal-leader', 'yes'],
      ['update', 'leases/autoheal-leader', 'yes'],
      ['update', 'leases/someone-else', 'no'],
      ['delete', 'leases/autoheal-leader', 'no'],
    ])('can-i %s %s -n autoheal: %s', async (verb, resource, expected) => {
      const answer = await kubectl(['auth', 'can-i', verb, resource, '-n', 'autoheal', `--as=${serviceAccount}`]);
      expect(answer.stdout.trim()).toBe(expected);
    });
  });
});

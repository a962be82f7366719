import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from './cli.js';
import { checkDeploymentPolicy } from './deployment-policy.js';
import { readYamlObjects, type KubeObject } from './kustomize-loader.js';
import { manifestsDir, render, renderables } from './render.js';
import { validateObject } from './validate-object.js';

type Env = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } };
type Container = { name: string; image: string; args?: string[]; env?: Env[]; ports?: Array<{ name?: string; containerPort: number }>; [key: string]: unknown };

function find(objects: KubeObject[], kind: string, namespace: string | undefined, name: string): KubeObject & { spec: any; data?: Record<string, string> } {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name && object.metadata.namespace === namespace);
  if (!found) throw new Error(`${kind} ${namespace}/${name} not rendered`);
  return found as KubeObject & { spec: any };
}

function autohealContainer(objects: KubeObject[]): Container {
  return find(objects, 'Deployment', 'autoheal', 'autoheal').spec.template.spec.containers[0] as Container;
}

function envValue(container: Container, name: string): string | undefined {
  return container.env?.find((entry) => entry.name === name)?.value;
}

function configOf(objects: KubeObject[]): Record<string, any> {
  return parse(find(objects, 'ConfigMap', 'autoheal', 'autoheal-config').data!['autoheal.yaml']!) as Record<string, any>;
}

function rbacRules(objects: KubeObject[]): Array<{ role: string; namespace?: string; resources: string[]; verbs: string[] }> {
  return objects
    .filter((object) => object.kind === 'Role' || object.kind === 'ClusterRole')
    .flatMap((role) => ((role.rules as Array<{ resources: string[]; verbs: string[] }>) ?? []).map((rule) => ({ role: role.metadata.name, namespace: role.metadata.namespace, ...rule })));
}

describe.each(renderables)('manifests/%s', (folder) => {
  const objects = render(folder);

  it('renders to objects that all validate against the Kubernetes (and Prometheus Operator) schemas', () => {
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) expect(() => validateObject(object)).not.toThrow();
  });

  it('passes the deployment policy (least-privilege RBAC, hardened containers)', () => {
    // The CI identity's Role is the original project's: it runs the cache-clear step from CI.
    expect(checkDeploymentPolicy(objects, { execAllowedIn: ['gh-actions-app-access'] })).toEqual([]);
  });
});

describe.each([
  ['overlays/demo', '2 target(s), threshold 0.5, dry-run on'],
  ['overlays/production', '2 target(s), threshold 0.5, dry-run off'],
  ['overlays/multi-namespace', '3 target(s), threshold 0.5, dry-run on'],
  ['overlays/discovery', '2 target(s) + discovery in namespaces with autoheal.dev/discovery=enabled, threshold 0.5, dry-run on'],
] as const)('manifests/%s config', (overlay, effective) => {
  it(`is accepted by \`autoheal config validate\` with the Deployment's environment: ${effective}`, async () => {
    const objects = render(overlay);
    const dir = await mkdtemp(path.join(tmpdir(), 'autoheal-deploy-config-'));
    const file = path.join(dir, 'autoheal.yaml');
    await writeFile(file, find(objects, 'ConfigMap', 'autoheal', 'autoheal-config').data!['autoheal.yaml']!);
    // The literal env values the pod gets (Secret references have no value here), so a misspelt
    // variable name would show as a setting that did not change.
    const podEnv = Object.fromEntries((autohealContainer(objects).env ?? []).filter((entry) => entry.value !== undefined).map((entry) => [entry.name, entry.value!]));
    const result = await runCli(['config', 'validate', file], { env: { PATH: process.env.PATH, ...podEnv } });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(`${file}: valid (${effective})`);
    expect(result.code).toBe(0);
  });
});

describe('base: the autoheal server', () => {
  const objects = render('overlays/demo');
  const deployment = find(objects, 'Deployment', 'autoheal', 'autoheal');
  const container = autohealContainer(objects);

  it('runs `serve --config` on the mounted ConfigMap, port 5000 named http, with /healthz and /readyz probes', () => {
    expect(container.args).toEqual(['serve', '--config', '/etc/autoheal/autoheal.yaml']);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 5000 }]);
    expect(container.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'http' } });
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/readyz', port: 'http' } });
    expect(container.volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/autoheal', readOnly: true });
    expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(deployment.spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(deployment.spec.template.spec.serviceAccountName).toBe('autoheal');
  });

  it('takes the API token and the Slack webhook from a Secret by reference, Slack optional', () => {
    const token = container.env?.find((entry) => entry.name === 'AUTOHEAL_API_TOKEN');
    const slack = container.env?.find((entry) => entry.name === 'SLACK_WEBHOOK_URL');
    expect(token?.value).toBeUndefined();
    expect(token?.valueFrom?.secretKeyRef).toEqual({ name: 'autoheal', key: 'api-token' });
    expect(slack?.value).toBeUndefined();
    expect(slack?.valueFrom?.secretKeyRef).toEqual({ name: 'autoheal', key: 'slack-webhook-url', optional: true });
    expect(objects.some((object) => object.kind === 'Secret')).toBe(false);
  });

  it('reads the in-cluster Prometheus, the model inside the image, and the cluster with its ServiceAccount', () => {
    const config = configOf(objects);
    expect(config.prometheus.url).toBe('http://prometheus-operated.monitoring:9090');
    expect(config.model.path).toBe('/app/models/risk-v2.onnx');
    expect(config.model.compatibilityPath).toBe('/app/models/risk-v1.onnx');
    expect(config.kubernetes.inCluster).toBe(true);
    expect(config.targets).toEqual(['prod/backend', 'prod/frontend']);
  });

  it('exposes a Service port named http scraped by a ServiceMonitor on /metrics every 15 s, keeping the targets\' namespace label', () => {
    expect(find(objects, 'Service', 'autoheal', 'autoheal').spec.ports).toEqual([{ name: 'http', port: 5000, targetPort: 'http' }]);
    expect(find(objects, 'ServiceMonitor', 'autoheal', 'autoheal').spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '15s', honorLabels: true }]);
  });
});

describe('components: turning a step off removes its rules', () => {
  it('without cache-clear the ladder has no cache step and no Role grants pods or pods/exec', () => {
    const objects = render('overlays/multi-namespace');
    expect(configOf(objects).policy.ladder.map((step: { kind: string }) => step.kind)).toEqual(['restart', 'rollback']);
    expect(rbacRules(objects).filter((rule) => rule.resources.includes('pods/exec') || rule.resources.includes('pods'))).toEqual([]);
  });

  it('with cache-clear the ladder is restart, cache, rollback and only autoheal-cache-clear grants pods/exec (create)', () => {
    const objects = render('overlays/demo');
    expect(configOf(objects).policy.ladder.map((step: { kind: string }) => step.kind)).toEqual(['restart', 'cache', 'rollback']);
    expect(rbacRules(objects).filter((rule) => rule.resources.includes('pods/exec'))).toEqual([
      { role: 'autoheal-cache-clear', namespace: 'prod', apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
    ]);
  });

  it('the cache-clear config is the base config with only the ladder changed', () => {
    const withCache = configOf(render('overlays/demo'));
    const without = configOf(render('overlays/multi-namespace'));
    delete withCache.policy.ladder;
    delete without.policy.ladder;
    expect(withCache).toEqual(without);
  });

  it('leader election rules exist only with the component, in the autoheal namespace, limited to its Lease for get/update', () => {
    expect(rbacRules(render('overlays/demo')).filter((rule) => rule.resources.includes('leases'))).toEqual([]);
    const leaseRules = rbacRules(render('overlays/production')).filter((rule) => rule.resources.includes('leases'));
    expect(leaseRules).toEqual([
      { role: 'autoheal-leader-election', namespace: 'autoheal', apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { role: 'autoheal-leader-election', namespace: 'autoheal', apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['autoheal-leader'], verbs: ['get', 'update'] },
    ]);
  });

  it('every overlay lets autoheal keep the shared circuit breaker and read the global pause: configmaps only in its own namespace, get/update only on the breaker, get only on the pause ConfigMap', () => {
    for (const overlay of ['overlays/demo', 'overlays/production', 'overlays/multi-namespace']) {
      expect(rbacRules(render(overlay)).filter((rule) => rule.resources.includes('configmaps')), overlay).toEqual([
        { role: 'autoheal-circuit-breaker', namespace: 'autoheal', apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
        { role: 'autoheal-circuit-breaker', namespace: 'autoheal', apiGroups: [''], resources: ['configmaps'], resourceNames: ['autoheal-circuit-breaker'], verbs: ['get', 'update'] },
        { role: 'autoheal-circuit-breaker', namespace: 'autoheal', apiGroups: [''], resources: ['configmaps'], resourceNames: ['autoheal-pause'], verbs: ['get'] },
      ]);
    }
  });

  it('the Prometheus service proxy component grants only get on that one service, in monitoring', () => {
    const objects = readYamlObjects(path.join(manifestsDir, 'components/prometheus-service-proxy/rbac.yaml'));
    expect(find(objects, 'Role', 'monitoring', 'autoheal-prometheus-proxy').rules).toEqual([
      { apiGroups: [''], resources: ['services/proxy'], resourceNames: ['prometheus-operated:9090'], verbs: ['get'] },
    ]);
    expect(find(objects, 'RoleBinding', 'monitoring', 'autoheal-prometheus-proxy').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'autoheal', namespace: 'autoheal' },
    ]);
  });
});

describe('overlays/demo', () => {
  const objects = render('overlays/demo');

  it('keeps autoheal in dry-run', () => {
    expect(envValue(autohealContainer(objects), 'AUTOHEAL_DRY_RUN')).toBe('true');
  });

  it('deploys the original backend: port 5000 named http, /healthz probes, requests 200m/256Mi, limits 1/1Gi, HPA 2..6 at 60% CPU', () => {
    const backend = find(objects, 'Deployment', 'prod', 'backend').spec.template.spec.containers[0];
    expect(backend.ports).toEqual([{ name: 'http', containerPort: 5000 }]);
    expect(backend.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(backend.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(backend.resources).toEqual({ requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } });
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'prod', 'backend').spec;
    expect(hpa).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: 'backend' }, minReplicas: 2, maxReplicas: 6 });
    expect(hpa.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }]);
  });

  it('serves the frontend on Service port 80 behind the ALB Ingress, with a load generator and a backend ServiceMonitor', () => {
    expect(find(objects, 'Service', 'prod', 'frontend').spec.ports[0].port).toBe(80);
    expect(find(objects, 'Ingress', 'prod', 'web').metadata.annotations).toMatchObject({ 'kubernetes.io/ingress.class': 'alb' });
    expect(find(objects, 'Deployment', 'prod', 'loadgen').spec.replicas).toBe(1);
    expect(find(objects, 'ServiceMonitor', 'prod', 'backend').spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '15s' }]);
  });
});

describe('overlays/production', () => {
  const objects = render('overlays/production');
  const container = autohealContainer(objects);

  it('runs two replicas with leader election on and dry-run off', () => {
    expect(find(objects, 'Deployment', 'autoheal', 'autoheal').spec.replicas).toBe(2);
    expect(envValue(container, 'AUTOHEAL_LEADER_ELECTION')).toBe('true');
    expect(envValue(container, 'AUTOHEAL_DRY_RUN')).toBe('false');
  });

  it('keeps one replica through voluntary disruptions (minAvailable 1, no maxUnavailable)', () => {
    expect(find(objects, 'PodDisruptionBudget', 'autoheal', 'autoheal').spec).toEqual({
      minAvailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'autoheal' } },
    });
  });

  it('closes reads: the viewer and metrics tokens come from the Secret (required), and the ServiceMonitor sends the metrics token', () => {
    const fromSecret = (name: string) => container.env?.find((entry) => entry.name === name)?.valueFrom?.secretKeyRef;
    expect(fromSecret('AUTOHEAL_VIEWER_TOKEN')).toEqual({ name: 'autoheal', key: 'viewer-token' });
    expect(fromSecret('AUTOHEAL_METRICS_TOKEN')).toEqual({ name: 'autoheal', key: 'metrics-token' });
    // The component restates the base endpoint (a patch replaces a custom resource's list): it must
    // stay the base endpoint plus the credentials.
    const baseEndpoints = find(render('base'), 'ServiceMonitor', 'autoheal', 'autoheal').spec.endpoints as Array<Record<string, unknown>>;
    expect(find(objects, 'ServiceMonitor', 'autoheal', 'autoheal').spec.endpoints).toEqual(
      baseEndpoints.map((endpoint) => ({ ...endpoint, authorization: { type: 'Bearer', credentials: { name: 'autoheal', key: 'metrics-token' } } })),
    );
  });

  it('admits ingress only from the monitoring namespace and namespaces labelled for the dashboard', () => {
    const policy = find(objects, 'NetworkPolicy', 'autoheal', 'autoheal').spec;
    expect(policy.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'autoheal' } });
    expect(policy.policyTypes).toEqual(['Ingress']);
    expect(policy.ingress.map((rule: { from: unknown[] }) => rule.from)).toEqual([
      [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      [{ namespaceSelector: { matchLabels: { 'autoheal.dev/dashboard-access': 'true' } } }],
    ]);
  });
});

describe('overlays/multi-namespace', () => {
  const objects = render('overlays/multi-namespace');

  it('grants the ClusterRole per namespace with RoleBindings only, never a ClusterRoleBinding', () => {
    expect(objects.filter((object) => object.kind === 'ClusterRoleBinding')).toEqual([]);
    const binding = find(objects, 'RoleBinding', 'staging', 'autoheal-healer');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'autoheal-healer' });
    expect(envValue(autohealContainer(objects), 'AUTOHEAL_TARGETS')).toBe('prod/backend,prod/frontend,staging/backend');
  });
});

describe('overlays/discovery', () => {
  const objects = render('overlays/discovery');

  it('grants list and watch on namespaces and deployments cluster-wide, and nothing else cluster-wide', () => {
    expect(find(objects, 'ClusterRole', undefined, 'autoheal-discovery').rules).toEqual([
      { apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list', 'watch'] },
    ]);
    const bindings = objects.filter((object) => object.kind === 'ClusterRoleBinding');
    expect(bindings.map((binding) => [binding.metadata.name, (binding.roleRef as { name: string }).name, binding.subjects])).toEqual([
      ['autoheal-discovery', 'autoheal-discovery', [{ kind: 'ServiceAccount', name: 'autoheal', namespace: 'autoheal' }]],
    ]);
  });

  it('turns discovery on through the environment, with a selector the config accepts', () => {
    expect(envValue(autohealContainer(objects), 'AUTOHEAL_DISCOVERY_NAMESPACE_SELECTOR')).toBe('autoheal.dev/discovery=enabled');
  });

  it('leaves the other overlays without any discovery rights', () => {
    for (const overlay of ['overlays/demo', 'overlays/production', 'overlays/multi-namespace']) {
      expect(rbacRules(render(overlay)).filter((rule) => rule.resources.includes('namespaces')), overlay).toEqual([]);
    }
  });
});

describe('manifests/ci-rbac', () => {
  const objects = render('ci-rbac');

  it("binds the original project's gh-actions-app-access Role in prod to the user gha", () => {
    const binding = find(objects, 'RoleBinding', 'prod', 'gh-actions-app-access-rb');
    expect(binding.subjects).toEqual([{ kind: 'User', name: 'gha', apiGroup: 'rbac.authorization.k8s.io' }]);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'gh-actions-app-access' });
    expect(find(objects, 'Role', 'prod', 'gh-actions-app-access').rules).toContainEqual({
      apiGroups: ['apps'],
      resources: ['deployments', 'deployments/scale', 'replicasets'],
      verbs: ['get', 'list', 'watch', 'update', 'patch', 'create'],
    });
  });

  it('lets gha apply every kind in manifests/sample-app (create and patch in prod)', () => {
    const rules = find(objects, 'Role', 'prod', 'gh-actions-app-access').rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }>;
    const plurals: Record<string, string> = { Deployment: 'deployments', Service: 'services', HorizontalPodAutoscaler: 'horizontalpodautoscalers', ServiceMonitor: 'servicemonitors', Ingress: 'ingresses' };
    for (const object of [...render('sample-app'), ...render('sample-app/loadgen')]) {
      const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0]! : '';
      const plural = plurals[object.kind];
      expect(plural, `plural of ${object.kind}`).toBeDefined();
      expect(object.metadata.namespace).toBe('prod');
      for (const verb of ['get', 'create', 'patch']) {
        const allowed = rules.some((rule) => !rule.resourceNames && rule.apiGroups.includes(group) && rule.resources.includes(plural!) && rule.verbs.includes(verb));
        expect(allowed, `${verb} ${plural} in ${group || 'core'}`).toBe(true);
      }
    }
  });
});

/**
 * The shipped Grafana dashboard and alert rules against the real thing: `startServer` with the real
 * Kubernetes healer acting on the sandbox API, a real Prometheus scraping the server's /metrics the
 * way the ServiceMonitor makes the Prometheus Operator do it (job "autoheal", its honorLabels), and
 * every panel's PromQL (with Grafana's variables filled in) and every alert expression run against
 * that Prometheus. Each panel must parse and return data; each alert expression must parse and
 * evaluate, and the ones the situation calls for must return a sample.
 *
 * The situation: prod/backend at risk (the in-memory source and model make it so), healed once by a
 * real restart; the circuit breaker allows one step, and the cooldown holds every later one back;
 * prod/frontend healthy; prod/worker without signals (unknown); prod/ghost configured but absent
 * from the cluster, so its evaluations fail.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AT_RISK_FEATURES, HEALTHY_FEATURES, createInMemoryFeatureSource, createInMemoryRiskModel } from '@autoheal/core/testing';
import { isPrometheusAvailable, startPrometheus, startSandbox, type RunningPrometheus, type Sandbox } from '@autoheal/sandbox';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadAdapterSchemas } from './config/adapter-schemas.js';
import { validateConfig } from './config/load-config.js';
import { startServer, type RunningServer } from './serve.js';

const MANIFESTS = path.resolve(import.meta.dirname, '../../../manifests');
const DASHBOARD = path.join(MANIFESTS, 'components/grafana-dashboard/autoheal-dashboard.json');
const RULES = path.join(MANIFESTS, 'components/alerts/prometheus-rule.yaml');
const SERVICE_MONITOR = path.join(MANIFESTS, 'base/service-monitor.yaml');

/** Grafana's variables as a dashboard opened on this Prometheus would fill them in. */
const VARIABLES: Record<string, string> = {
  '${datasource}': 'prometheus',
  $__rate_interval: '1m',
  $__range: '1h',
  $namespace: '.*',
  $job: 'autoheal',
};

type Panel = { id: number; type: string; title: string; targets?: Array<{ expr: string; refId: string }>; panels?: Panel[] };
type Dashboard = { panels: Panel[]; templating: { list: Array<{ name: string; query?: { query: string } | string }> } };
type AlertRule = { alert: string; expr: string };

const hasPrometheus = isPrometheusAvailable();
if (!hasPrometheus) console.warn('[observability] SKIPPED: the "prometheus" binary is not installed (apt-get install prometheus)');

function fill(expression: string): string {
  return Object.entries(VARIABLES).reduce((text, [name, value]) => text.split(name).join(value), expression);
}

function dashboardQueries(): Array<{ panel: string; refId: string; expr: string }> {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
  const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]).filter((panel) => panel.type !== 'row');
  return panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, refId: target.refId, expr: target.expr })));
}

function alertRules(): AlertRule[] {
  const rule = parse(readFileSync(RULES, 'utf8')) as { spec: { groups: Array<{ rules: AlertRule[] }> } };
  return rule.spec.groups.flatMap((group) => group.rules);
}

/** `honorLabels` of the ServiceMonitor's endpoint, so the test scrapes as the cluster will. */
function serviceMonitorHonorsLabels(): boolean {
  const [monitor] = parseAllDocuments(readFileSync(SERVICE_MONITOR, 'utf8')).map((document) => document.toJS() as { spec: { endpoints: Array<{ honorLabels?: boolean }> } });
  return monitor?.spec.endpoints[0]?.honorLabels === true;
}

describe.skipIf(!hasPrometheus)('the Grafana dashboard and the alert rules against a real Prometheus scraping the server', () => {
  let sandbox: Sandbox;
  let server: RunningServer;
  let prometheus: RunningPrometheus;

  /** Polls `expression` until it returns a sample (a condition with a deadline, not a sleep). */
  async function waitForSample(expression: string, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await prometheus.query(expression)).length > 0) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${expression})`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  beforeAll(async () => {
    await loadAdapterSchemas(); // the kubernetes section is validated with the adapter's schema
    sandbox = await startSandbox({
      time: 'real',
      seed: 19,
      deployments: [
        { namespace: 'prod', name: 'backend', replicas: 2 },
        { namespace: 'prod', name: 'frontend', replicas: 2 },
        { namespace: 'prod', name: 'worker', replicas: 1 },
      ],
    });
    const config = validateConfig({
      server: { host: '127.0.0.1', port: 0, dashboard: false },
      kubernetes: { kubeconfig: sandbox.kubeconfigPath },
      targets: ['prod/backend', 'prod/frontend', 'prod/worker', 'prod/ghost'],
      policy: { recheckDelay: '1s', cooldown: '1h', circuitBreaker: { maxActions: 1, window: '1h' } },
      watch: { interval: '1s' },
      log: { level: 'silent' },
    });
    // prod/worker and prod/ghost have no values: every feature is missing, so they are unknown.
    const source = createInMemoryFeatureSource({ values: { 'prod/backend': { ...HEALTHY_FEATURES }, 'prod/frontend': { ...HEALTHY_FEATURES } } });
    server = await startServer(config, pino({ level: 'silent' }), { featureSource: source, riskModel: createInMemoryRiskModel() });
    prometheus = await startPrometheus({
      scrapeTargets: [new URL(sandbox.url).host],
      scrapeIntervalSeconds: 1,
      extraScrapeConfigs: [
        {
          // What the Prometheus Operator generates from base/service-monitor.yaml: job = the
          // Service's name, the pod's namespace and name as target labels.
          job_name: 'autoheal',
          honor_labels: serviceMonitorHonorsLabels(),
          scrape_interval: '1s',
          scrape_timeout: '1s',
          metrics_path: '/metrics',
          static_configs: [{ targets: [new URL(server.url).host], labels: { namespace: 'autoheal', pod: 'autoheal-0', service: 'autoheal' } }],
        },
      ],
    });
    // The fault appears once Prometheus watches: a counter that moves before the first scrape
    // moves unseen by increase(), in a cluster as here.
    await waitForSample('autoheal_target_verdict{job="autoheal", deployment="backend", verdict="healthy"} == 1', 'a scrape of healthy prod/backend');
    source.setValues({ namespace: 'prod', name: 'backend' }, { ...AT_RISK_FEATURES });
    await waitForSample('autoheal_actions_total{job="autoheal", deployment="backend", step="restart", outcome="success"} > 0', 'the restart of prod/backend');
    await waitForSample('autoheal_suppressed_actions_total{job="autoheal", deployment="backend", reason="cooldown"} > 0', 'a cooldown suppression');
    await waitForSample('autoheal_pipeline_errors_total{job="autoheal", component="state"} > 0', 'the unreadable state of prod/ghost');
    // Two scrapes after the last of those, so every rate() and increase() window has two samples.
    await waitForSample('count_over_time(autoheal_leader{job="autoheal"}[1m]) > 4', 'a few scrapes');
  }, 120_000);

  afterAll(async () => {
    await prometheus?.close();
    await server?.stop();
    await sandbox?.close();
  });

  it('every panel of the dashboard parses and returns data', async () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(15);
    const empty: string[] = [];
    for (const query of queries) {
      const result = await prometheus.query(fill(query.expr)).catch((error: unknown) => {
        throw new Error(`panel "${query.panel}" (${query.refId}): ${(error as Error).message}\n${fill(query.expr)}`);
      });
      if (result.length === 0) empty.push(`panel "${query.panel}" (${query.refId}): ${fill(query.expr)}`);
    }
    expect(empty).toEqual([]);
  });

  it('shows what happened: the per-target panels name the targets, the steps and suppressions are counted', async () => {
    const byTarget = async (expression: string) =>
      Object.fromEntries((await prometheus.query(fill(expression))).map((sample) => [`${sample.metric.namespace}/${sample.metric.deployment}`, Number(sample.value[1])]));
    const queries = dashboardQueries();
    const expr = (panel: string, refId = 'A') => queries.find((query) => query.panel === panel && query.refId === refId)!.expr;

    // honorLabels: the target's namespace, not autoheal's (which would become exported_namespace).
    expect(await byTarget(expr('Risk per target'))).toEqual({ 'prod/backend': expect.closeTo(0.98, 2), 'prod/frontend': expect.closeTo(0.05, 2) });
    // 0 healthy, 1 at-risk, 2 unknown (prod/ghost too: every evaluation has a record, even one whose state cannot be read).
    expect(await byTarget(expr('Verdict per target'))).toEqual({ 'prod/backend': 1, 'prod/frontend': 0, 'prod/worker': 2, 'prod/ghost': 2 });
    expect(await byTarget(expr('Ladder position per target'))).toMatchObject({ 'prod/backend': 1, 'prod/frontend': 0 });
    const steps = await prometheus.query(fill(expr('Steps per target in the time range')));
    expect(steps.map((sample) => `${sample.metric.namespace}/${sample.metric.deployment} ${sample.metric.step} ${sample.metric.outcome}`)).toEqual(['prod/backend restart success']);
    const reasons = (await prometheus.query(fill(`sum by (reason) (increase(autoheal_suppressed_actions_total{job="$job"}[$__range])) > 0`))).map((sample) => sample.metric.reason).sort();
    // After the restart, prod/backend's rollout may still be under way when it is next evaluated (rolling-out).
    expect(reasons).toEqual(expect.arrayContaining(['cooldown', 'state-unavailable', 'unknown']));
    expect(reasons.filter((reason) => !['cooldown', 'rolling-out', 'state-unavailable', 'unknown'].includes(reason ?? ''))).toEqual([]);
    expect(Number((await prometheus.query(fill(expr('Circuit breaker'))))[0]!.value[1])).toBe(1);
    expect(Number((await prometheus.query(fill(expr('Replicas up and leading', 'B'))))[0]!.value[1])).toBe(1);
  });

  it('the dashboard variables find their values', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
    for (const variable of dashboard.templating.list.filter((entry) => entry.query && typeof entry.query === 'object')) {
      // Grafana's label_values(metric, label) is the series API's label values with a match[].
      const match = /^label_values\((.+), (\w+)\)$/.exec((variable.query as { query: string }).query);
      expect(match, variable.name).not.toBeNull();
      const response = await fetch(`${prometheus.url}/api/v1/label/${match![2]}/values?match[]=${encodeURIComponent(fill(match![1]!))}`);
      const body = (await response.json()) as { status: string; data: string[] };
      expect(body.status).toBe('success');
      expect(body.data, variable.name).toContain(variable.name === 'job' ? 'autoheal' : 'prod');
    }
  });

  it('every alert expression parses and evaluates, on metrics the server exports', async () => {
    const exported = new Set(((await (await fetch(`${prometheus.url}/api/v1/label/__name__/values`)).json()) as { data: string[] }).data);
    const firing: string[] = [];
    for (const rule of alertRules()) {
      for (const name of rule.expr.match(/autoheal_[a-z_]+/g) ?? []) expect(exported, `${rule.alert} uses ${name}`).toContain(name);
      const result = await prometheus.query(rule.expr).catch((error: unknown) => {
        throw new Error(`alert ${rule.alert}: ${(error as Error).message}\n${rule.expr}`);
      });
      if (result.length > 0) firing.push(rule.alert);
    }
    // The breaker allowed one step and is open; prod/ghost fails every round. Nothing else is wrong.
    expect(firing.sort()).toEqual(['AutohealCircuitBreakerOpen', 'AutohealEvaluationsFailing']);
  });
});

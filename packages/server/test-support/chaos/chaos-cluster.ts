/**
 * Test support (outside src/, never shipped): the world a chaos test runs autoheal in — a real-time
 * sandbox with its request log, a real Prometheus scraping it (behind a proxy, so it can be stopped
 * and started again at the same URL), a fault proxy in front of the sandbox's API, and one
 * kubeconfig and config file per autoheal process (its bearer token names it in the request log).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig, type CoreV1Event } from '@kubernetes/client-node';
import { startPrometheus, startSandbox, type RunningPrometheus, type Sandbox } from '@autoheal/sandbox';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';

const MODEL = path.resolve(import.meta.dirname, '../../../../models/risk-v1.onnx');

/** Options of {@link startChaosCluster}. */
export interface ChaosClusterOptions {
  /** Deployments in `prod`, named `<prefix>-0` … */
  deployments: number;
  prefix?: string;
  replicas?: number;
  seed?: number;
}

/** Settings of one autoheal process's config file. */
export interface ProcessConfig {
  targets: string[];
  /** `policy:` of the config file (durations as strings). Merged over the chaos defaults. */
  policy?: Record<string, unknown>;
  leaderElection?: boolean;
  /** The Lease the replicas compete for. @default autoheal-chaos */
  leaseName?: string;
  slackWebhookUrl?: string;
  watchInterval?: string;
}

/** A running chaos cluster. */
export interface ChaosCluster {
  sandbox: Sandbox;
  /** The fault proxy in front of the sandbox's API: every autoheal process talks through it. */
  api: FaultProxy;
  /** The proxy in front of Prometheus (its URL stays the same across a restart). */
  prometheusUrl: string;
  /** The deployments' names. */
  names: string[];
  /** Writes the config of process `name` (kubeconfig token `name`, identity `name`); returns its path. */
  configFor(name: string, settings: ProcessConfig): Promise<string>;
  /** Waits until Prometheus has complete data for every deployment (the model can judge them). */
  waitForData(): Promise<void>;
  stopPrometheus(): Promise<void>;
  startPrometheus(): Promise<void>;
  /** autoheal's Events on `prod/<name>`. */
  events(name: string): Promise<CoreV1Event[]>;
  close(): Promise<void>;
}

/** The policy every chaos process starts from: everything with complete data is at risk, short waits. */
export const CHAOS_POLICY = {
  // Threshold 0: every look with complete data is "at risk", so the ladder climbs without waiting for a
  // real fault; `unknown` (missing data) still never acts.
  threshold: 0,
  strategy: 'ladder',
  recheckDelay: '5s',
  cooldown: '5s',
  actionTimeout: '20s',
  circuitBreaker: { maxActions: 50, window: '1h' },
};

/**
 * Starts the sandbox (real time), Prometheus and the proxies.
 *
 * @example
 * const cluster = await startChaosCluster({ deployments: 2 });
 * const config = await cluster.configFor('replica-a', { targets: ['prod/chaos-0'] });
 */
export async function startChaosCluster(options: ChaosClusterOptions): Promise<ChaosCluster> {
  const prefix = options.prefix ?? 'chaos';
  const names = Array.from({ length: options.deployments }, (_, index) => `${prefix}-${index}`);
  const directory = await mkdtemp(path.join(tmpdir(), 'autoheal-chaos-'));
  const sandbox = await startSandbox({
    time: 'real',
    seed: options.seed ?? 5,
    kubeconfigPath: path.join(directory, 'admin-kubeconfig'),
    requestLogLimit: 200_000,
    deployments: names.map((name) => ({ namespace: 'prod', name, replicas: options.replicas ?? 2, requestsPerSecond: 20 })),
  });
  const api = await startFaultProxy(sandbox.url);
  let prometheus: RunningPrometheus | undefined = await startPrometheus({ scrapeTargets: [new URL(sandbox.url).host], scrapeIntervalSeconds: 1 });
  const prometheusProxy = await startFaultProxy(prometheus.url);
  const admin = new KubeConfig();
  admin.loadFromFile(sandbox.kubeconfigPath);
  const core = admin.makeApiClient(CoreV1Api);

  async function kubeconfigFor(name: string): Promise<string> {
    const file = path.join(directory, `${name}-kubeconfig`);
    const config = JSON.parse(admin.exportConfig()) as { clusters: Array<{ cluster: { server: string } }>; users: Array<{ user: { token?: string } }> };
    for (const cluster of config.clusters) cluster.cluster.server = api.url;
    for (const user of config.users) user.user.token = `${name}:chaos`;
    await writeFile(file, JSON.stringify(config));
    return file;
  }

  return {
    sandbox,
    api,
    prometheusUrl: prometheusProxy.url,
    names,
    async configFor(name, settings) {
      const file = path.join(directory, `${name}.json`);
      const config = {
        prometheus: { url: prometheusProxy.url, rateWindow: '30s', minRequests: 0 },
        kubernetes: { kubeconfig: await kubeconfigFor(name) },
        model: { path: MODEL },
        targets: settings.targets,
        policy: { ...CHAOS_POLICY, ...settings.policy },
        watch: { interval: settings.watchInterval ?? '2s' },
        leaderElection: { enabled: settings.leaderElection ?? false, namespace: 'autoheal', leaseName: settings.leaseName ?? 'autoheal-chaos', identity: name },
        server: { host: '127.0.0.1', port: 0, dashboard: false },
        ...(settings.slackWebhookUrl ? { slack: { webhookUrl: settings.slackWebhookUrl, minSeverity: 'info' } } : {}),
        log: { level: 'info' },
      };
      await writeFile(file, JSON.stringify(config, null, 2));
      return file;
    },
    async waitForData() {
      const deadline = Date.now() + 240_000;
      for (;;) {
        const ready = await prometheus!
          .query('count by (deployment) (kube_deployment_status_replicas_available{namespace="prod"})')
          .then((result) => result.length >= names.length)
          .catch(() => false);
        // The 30 s rate windows need two scrapes of every series; give them a full window.
        if (ready) {
          await new Promise((resolve) => setTimeout(resolve, 35_000));
          return;
        }
        if (Date.now() > deadline) throw new Error('Prometheus never had data for every chaos deployment');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    },
    async stopPrometheus() {
      await prometheus?.close();
      prometheus = undefined;
    },
    async startPrometheus() {
      prometheus = await startPrometheus({ scrapeTargets: [new URL(sandbox.url).host], scrapeIntervalSeconds: 1 });
      prometheusProxy.retarget(prometheus.url);
    },
    async events(name) {
      const list = await core.listNamespacedEvent({ namespace: 'prod', fieldSelector: `involvedObject.kind=Deployment,involvedObject.name=${name}` });
      return list.items.filter((event) => event.source?.component === 'autoheal');
    },
    async close() {
      await prometheus?.close();
      await prometheusProxy.close();
      await api.close();
      await sandbox.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

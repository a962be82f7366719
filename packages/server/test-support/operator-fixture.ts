/**
 * Test support for the operator commands (outside src/, never shipped): a virtual-time sandbox with
 * a config file, and in-process doubles for the signals, so the tests decide whether a target is at
 * risk while the healer, the state and the Events are the real Kubernetes ones.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AT_RISK_FEATURES, HEALTHY_FEATURES, createInMemoryFeatureSource, createInMemoryNotifier, createInMemoryRiskModel, type InMemoryFeatureSource, type InMemoryNotifier } from '@autoheal/core/testing';
import type { RiskModel } from '@autoheal/core';
import { startSandbox, type Sandbox } from '@autoheal/sandbox';
import type { OperatorDeps } from '../src/cli/operator/operator-context.js';

/** A sandbox (virtual time) with prod/backend and prod/frontend, a config file, and in-process signals. */
export interface OperatorFixture {
  sandbox: Sandbox;
  configPath: string;
  /** `--config FILE --kubeconfig PATH --log-level silent`. */
  flags: string[];
  source: InMemoryFeatureSource;
  notifier: InMemoryNotifier;
  deps: OperatorDeps;
  atRisk(name: string): void;
  healthy(name: string): void;
  deployment(name: string): { metadata: { resourceVersion: string; annotations?: Record<string, string> }; spec: Record<string, unknown> };
  /** The autoheal Events of prod/NAME, oldest first. */
  events(name: string): Array<{ reason: string; message: string; type: string }>;
  close(): Promise<void>;
}

/**
 * Starts the fixture; `policy` goes into the config file (durations as strings, e.g. "10m"),
 * `riskModel` replaces the default in-memory model (e.g. one with a recommended threshold), and
 * `config` adds other sections (e.g. `watch: { interval: '1s' }`).
 */
export async function startOperatorFixture(policy: Record<string, unknown> = {}, options: { riskModel?: RiskModel; config?: Record<string, unknown> } = {}): Promise<OperatorFixture> {
  const directory = await mkdtemp(join(tmpdir(), 'autoheal-operator-'));
  const sandbox = await startSandbox({
    time: 'virtual',
    seed: 7,
    kubeconfigPath: join(directory, 'kubeconfig'),
    deployments: [
      { namespace: 'prod', name: 'backend', replicas: 2 },
      { namespace: 'prod', name: 'frontend', replicas: 2 },
    ],
  });
  sandbox.advance(60_000); // the first pods start and become ready
  const configPath = join(directory, 'autoheal.json');
  await writeFile(configPath, JSON.stringify({ targets: ['prod/backend', 'prod/frontend'], policy, ...options.config }));
  const source = createInMemoryFeatureSource({ values: { 'prod/backend': { ...HEALTHY_FEATURES }, 'prod/frontend': { ...HEALTHY_FEATURES } } });
  const notifier = createInMemoryNotifier();
  return {
    sandbox,
    configPath,
    flags: ['--config', configPath, '--kubeconfig', sandbox.kubeconfigPath, '--log-level', 'silent'],
    source,
    notifier,
    deps: { featureSource: source, riskModel: options.riskModel ?? createInMemoryRiskModel(), notifiers: [notifier] },
    atRisk: (name) => source.setValues({ namespace: 'prod', name }, { ...AT_RISK_FEATURES }),
    healthy: (name) => source.setValues({ namespace: 'prod', name }, { ...HEALTHY_FEATURES }),
    deployment: (name) => sandbox.store.get('apps/deployments', 'prod', name) as never,
    events: (name) =>
      (sandbox.store.list('/events', 'prod').items as unknown as Array<{ reason: string; message: string; type: string; involvedObject: { name: string }; source?: { component?: string } }>)
        .filter((e) => e.involvedObject.name === name && e.source?.component === 'autoheal')
        .map(({ reason, message, type }) => ({ reason, message, type })),
    async close() {
      await sandbox.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

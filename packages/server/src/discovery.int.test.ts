/**
 * Discovery in the server's watch loop, with the Kubernetes parts real (the sandbox API over HTTP,
 * client-node's watches, the Kubernetes healer): a Deployment annotated in is evaluated at the next
 * round, its override threshold judges it, a bad annotation skips it, removing the annotation drops
 * it, and a cut watch loses nothing. The signals and the model are in-process doubles: whether the
 * target is at risk is not the point here.
 */
import { Writable } from 'node:stream';
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { DecisionRecord } from '@autoheal/core';
import { HEALTHY_FEATURES, createFakeClock, createInMemoryFeatureSource, createInMemoryRiskModel, type FakeClock } from '@autoheal/core/testing';
import { startSandbox, type Sandbox } from '@autoheal/sandbox';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutoheal, type FullAutoheal } from './compose.js';
import { loadAdapterSchemas } from './config/adapter-schemas.js';
import { validateConfig } from './config/load-config.js';
import { whileLeading } from './target-sources.js';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
let sandbox: Sandbox;
let apps: AppsV1Api;
let autoheal: FullAutoheal;
let clock: FakeClock;
const logLines: string[] = [];
const rounds: DecisionRecord[][] = [[]];
const stop = new AbortController();
let watching: Promise<void>;

async function annotate(namespace: string, name: string, annotations: Record<string, string | null>): Promise<void> {
  await apps.patchNamespacedDeployment({ namespace, name, body: { metadata: { annotations } } }, merge);
}

/** Waits (event-loop turns, bounded) until the discovery's listing matches: watch events arrive asynchronously. */
async function discovered(condition: (names: string[]) => boolean): Promise<void> {
  for (let turn = 0; turn < 500; turn++) {
    const listing = await autoheal.targets.catalog.targets();
    if (condition(listing.targets.map((entry) => `${entry.target.namespace}/${entry.target.name}`))) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('discovery never saw the change');
}

/** Runs the next round of the loop and answers its records. */
async function nextRound(): Promise<DecisionRecord[]> {
  rounds.push([]);
  await clock.advance(15_000);
  for (let turn = 0; turn < 500 && clock.pendingSleeps() === 0; turn++) await new Promise((resolve) => setTimeout(resolve, 10));
  return rounds.at(-1)!;
}

const evaluated = (records: DecisionRecord[]) => records.map((record) => `${record.target.namespace}/${record.target.name}`).sort();

beforeAll(async () => {
  sandbox = await startSandbox({
    time: 'virtual',
    seed: 5,
    deployments: [
      { namespace: 'pay', name: 'api', replicas: 1 },
      { namespace: 'pay', name: 'ledger', replicas: 1 },
      { namespace: 'search', name: 'indexer', replicas: 1 },
    ],
  });
  sandbox.advance(60_000);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(sandbox.kubeconfigPath);
  apps = kubeConfig.makeApiClient(AppsV1Api);
  await kubeConfig.makeApiClient(CoreV1Api).patchNamespace({ name: 'pay', body: { metadata: { labels: { team: 'payments' } } } }, merge);
  await annotate('pay', 'api', { 'autoheal.dev/enabled': 'true' });

  await loadAdapterSchemas();
  const config = validateConfig({ kubernetes: { kubeconfig: sandbox.kubeconfigPath }, discovery: { namespaceSelector: 'team=payments' }, policy: { threshold: 0.5 } });
  const logger = pino({ level: 'warn' }, new Writable({ write: (chunk, _encoding, done) => (logLines.push(String(chunk)), done()) }));
  clock = createFakeClock(Date.parse('2026-06-01T00:00:00Z'));
  autoheal = await createAutoheal(config, logger, {
    requirePipeline: true,
    featureSource: createInMemoryFeatureSource({ values: () => ({ ...HEALTHY_FEATURES }) }),
    riskModel: createInMemoryRiskModel(),
    notifiers: [],
    clock,
  });
  autoheal.pipeline.subscribe((record) => rounds.at(-1)!.push(record));
  watching = autoheal.pipeline.watch(whileLeading(autoheal.targets.catalog, () => true), { intervalMs: 15_000, signal: stop.signal });
  for (let turn = 0; turn < 500 && clock.pendingSleeps() === 0; turn++) await new Promise((resolve) => setTimeout(resolve, 10));
}, 60_000);

afterAll(async () => {
  stop.abort();
  await watching;
  await autoheal?.close();
  await sandbox?.close();
});

describe('discovery in the watch loop', () => {
  it('evaluates the opted-in Deployment of the selected namespace from the first round, and nothing else', () => {
    expect(evaluated(rounds[0]!)).toEqual(['pay/api']);
  });

  it('evaluates a Deployment annotated in at the next round, judged at its own threshold', async () => {
    await annotate('pay', 'ledger', { 'autoheal.dev/enabled': 'true', 'autoheal.dev/threshold': '0.8' });
    await discovered((names) => names.includes('pay/ledger'));

    const records = await nextRound();

    expect(evaluated(records)).toEqual(['pay/api', 'pay/ledger']);
    expect(records.find((record) => record.target.name === 'ledger')?.assessment.threshold).toBe(0.8);
    expect(records.find((record) => record.target.name === 'api')?.assessment.threshold).toBe(0.5);
    expect(autoheal.pipeline.thresholdFor({ namespace: 'pay', name: 'ledger' })).toBe(0.8);
  });

  it('skips a Deployment whose annotation turns bad, says why in the log and in an Event, and evaluates the rest', async () => {
    await annotate('pay', 'ledger', { 'autoheal.dev/steps': 'restrat' });
    await discovered((names) => !names.includes('pay/ledger'));

    const records = await nextRound();

    expect(evaluated(records)).toEqual(['pay/api']);
    const skipped = autoheal.targets.catalog.lastListing()?.skipped.find((entry) => entry.target.name === 'ledger');
    expect(skipped).toMatchObject({ reason: 'invalid-overrides', message: expect.stringContaining('annotation autoheal.dev/steps is "restrat"') });
    expect(logLines.join('')).toContain('discovery skips pay/ledger: annotation autoheal.dev/steps is \\"restrat\\"');
    const events = () => (sandbox.store.list('/events', 'pay').items as unknown as Array<{ reason: string; involvedObject: { name: string } }>).filter((event) => event.reason === 'AutohealInvalidAnnotation' && event.involvedObject.name === 'ledger');
    for (let turn = 0; turn < 200 && events().length === 0; turn++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(events()).toHaveLength(1);
  });

  it('keeps evaluating its targets while the watches are cut, and drops one whose annotation is removed', async () => {
    expect(sandbox.dropWatches('reset')).toBeGreaterThanOrEqual(2);
    expect(evaluated(await nextRound())).toEqual(['pay/api']);

    await annotate('pay', 'api', { 'autoheal.dev/enabled': null });
    await discovered((names) => !names.includes('pay/api'));

    expect(evaluated(await nextRound())).toEqual([]);
  });
});

/**
 * Discovery against the sandbox API over HTTP with client-node: namespaces chosen by label,
 * Deployments opted in by annotation, overrides, a bad annotation, and watches that drop.
 */
import type { SkippedTarget, TargetListing } from '@autoheal/core';
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../test-support/test-cluster.js';
import { createKubernetesTargetDiscovery, type KubernetesTargetDiscovery } from './target-discovery.js';

let cluster: TestCluster;
let core: CoreV1Api;
let apps: AppsV1Api;
let discovery: KubernetesTargetDiscovery | undefined;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

beforeAll(async () => {
  // A short history, so a watch that resumes after a few writes gets 410 Expired and must re-list.
  cluster = await startTestCluster(
    [
      { namespace: 'pay', name: 'api', replicas: 1 },
      { namespace: 'pay', name: 'ledger', replicas: 1 },
      { namespace: 'search', name: 'indexer', replicas: 1 },
    ],
    { historyLimit: 50 },
  );
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(cluster.kubeconfigPath);
  core = kubeConfig.makeApiClient(CoreV1Api);
  apps = kubeConfig.makeApiClient(AppsV1Api);
  await core.patchNamespace({ name: 'pay', body: { metadata: { labels: { team: 'payments' } } } }, merge);
  await core.patchNamespace({ name: 'search', body: { metadata: { labels: { team: 'search' } } } }, merge);
});

afterEach(async () => {
  await discovery?.close();
  discovery = undefined;
  for (const [namespace, name] of [['pay', 'api'], ['pay', 'ledger'], ['search', 'indexer']] as const) {
    await annotate(namespace, name, { 'autoheal.dev/enabled': null, 'autoheal.dev/threshold': null, 'autoheal.dev/steps': null, 'autoheal.dev/strategy': null });
  }
});

afterAll(async () => {
  await cluster?.close();
});

async function annotate(namespace: string, name: string, annotations: Record<string, string | null>): Promise<void> {
  await apps.patchNamespacedDeployment({ namespace, name, body: { metadata: { annotations } } }, merge);
}

function start(options: { onInvalid?: (skipped: SkippedTarget) => void; errors?: unknown[] } = {}): KubernetesTargetDiscovery {
  discovery = createKubernetesTargetDiscovery({
    kubeconfigPath: cluster.kubeconfigPath,
    namespaceSelector: 'team=payments',
    reconnectDelayMs: 100,
    ...(options.onInvalid ? { onInvalid: options.onInvalid } : {}),
    onError: (error) => options.errors?.push(error),
  });
  return discovery;
}

const names = (listing: TargetListing) => listing.targets.map((entry) => `${entry.target.namespace}/${entry.target.name}`);

/** Asks for the targets until `condition` holds (the watch delivers changes asynchronously); fails instead of hanging. */
async function targetsWhen(source: KubernetesTargetDiscovery, condition: (listing: TargetListing) => boolean): Promise<TargetListing> {
  let listing = await source.targets();
  for (let turn = 0; turn < 300 && !condition(listing); turn++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    listing = await source.targets();
  }
  if (!condition(listing)) throw new Error(`the listing never matched: ${JSON.stringify(listing)}`);
  return listing;
}

describe('Kubernetes target discovery', () => {
  it('lists the opted-in Deployments of the selected namespaces and says why the others are skipped', async () => {
    await annotate('pay', 'api', { 'autoheal.dev/enabled': 'true' });
    await annotate('search', 'indexer', { 'autoheal.dev/enabled': 'true' });

    const listing = await start().targets();

    expect(names(listing)).toEqual(['pay/api']);
    expect(listing.targets[0]).toEqual({ target: { namespace: 'pay', name: 'api', kind: 'Deployment' }, origin: 'discovery' });
    // search is not a selected namespace: its Deployments are not candidates at all.
    expect(listing.skipped).toEqual([
      { target: { namespace: 'pay', name: 'ledger', kind: 'Deployment' }, reason: 'not-opted-in', message: 'no autoheal.dev/enabled: "true" annotation', origin: 'discovery' },
    ]);
  });

  it('adds a Deployment annotated in, drops it when the annotation goes, and follows a namespace labelled in', async () => {
    const source = start();
    expect(names(await source.targets())).toEqual([]);

    await annotate('pay', 'ledger', { 'autoheal.dev/enabled': 'true' });
    await targetsWhen(source, (listing) => names(listing).includes('pay/ledger'));

    await annotate('pay', 'ledger', { 'autoheal.dev/enabled': null });
    await targetsWhen(source, (listing) => !names(listing).includes('pay/ledger'));

    await annotate('search', 'indexer', { 'autoheal.dev/enabled': 'true' });
    await core.patchNamespace({ name: 'search', body: { metadata: { labels: { team: 'payments' } } } }, merge);
    try {
      await targetsWhen(source, (listing) => names(listing).includes('search/indexer'));
    } finally {
      await core.patchNamespace({ name: 'search', body: { metadata: { labels: { team: 'search' } } } }, merge);
    }
    await targetsWhen(source, (listing) => !names(listing).includes('search/indexer'));
  });

  it('reads the threshold, allowed steps and strategy from the annotations', async () => {
    await annotate('pay', 'api', { 'autoheal.dev/enabled': 'true', 'autoheal.dev/threshold': '0.8', 'autoheal.dev/steps': 'restart,rollback', 'autoheal.dev/strategy': 'ladder' });

    const listing = await start().targets();

    expect(listing.targets[0]?.overrides).toEqual({ threshold: 0.8, steps: ['restart', 'rollback'], strategy: 'ladder' });
  });

  it('skips a Deployment with a bad annotation, reports it once and records one Warning Event on it', async () => {
    await annotate('pay', 'api', { 'autoheal.dev/enabled': 'true', 'autoheal.dev/threshold': '1.5' });
    const invalid: SkippedTarget[] = [];
    const source = start({ onInvalid: (skipped) => invalid.push(skipped) });

    const first = await source.targets();
    await source.targets();

    expect(names(first)).toEqual([]);
    expect(first.skipped.find((entry) => entry.target.name === 'api')).toMatchObject({
      reason: 'invalid-overrides',
      message: 'annotation autoheal.dev/threshold is "1.5": must be between 0 and 1 (a probability, e.g. "0.7")',
    });
    expect(invalid).toHaveLength(1);
    const events = async () => (await core.listNamespacedEvent({ namespace: 'pay', fieldSelector: 'involvedObject.name=api,reason=AutohealInvalidAnnotation' })).items;
    for (let turn = 0; turn < 100 && (await events()).length === 0; turn++) await new Promise((resolve) => setTimeout(resolve, 20));
    const written = await events();
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ type: 'Warning', message: expect.stringContaining('autoheal skips this Deployment: annotation autoheal.dev/threshold is "1.5"') });

    await annotate('pay', 'api', { 'autoheal.dev/threshold': '0.7' });
    await targetsWhen(source, (listing) => names(listing).includes('pay/api'));
  });

  it('keeps its targets while a watch is cut and catches up after, re-listing when its resourceVersion expired', async () => {
    await annotate('pay', 'api', { 'autoheal.dev/enabled': 'true' });
    const source = start();
    await targetsWhen(source, (listing) => names(listing).includes('pay/api'));
    const listsBefore = source.health().deployments.lists;

    expect(cluster.dropWatches('reset')).toBeGreaterThanOrEqual(2);
    // More writes than the history keeps, in the same turn (before it can reconnect): its resourceVersion expires.
    cluster.store.create('/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'noise', namespace: 'search' }, data: { n: '0' } });
    for (let write = 1; write <= 60; write++) {
      const noise = cluster.store.get('/configmaps', 'search', 'noise')!;
      cluster.store.update('/configmaps', { ...noise, data: { n: String(write) } });
    }
    // Still answered from the cache while disconnected.
    expect(names(await source.targets())).toEqual(['pay/api']);
    await annotate('pay', 'ledger', { 'autoheal.dev/enabled': 'true' });

    const after = await targetsWhen(source, (listing) => names(listing).includes('pay/ledger'));

    expect(names(after)).toEqual(['pay/api', 'pay/ledger']);
    expect(source.health().deployments.lists).toBeGreaterThan(listsBefore);
  });

  it('rejects targets() with the connection failure when it could never list, and keeps retrying', async () => {
    const errors: unknown[] = [];
    const kubeconfigYaml = [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{ name: gone, cluster: { server: "http://127.0.0.1:1" } }]',
      'users: [{ name: u, user: { token: t } }]',
      'contexts: [{ name: gone, context: { cluster: gone, user: u } }]',
      'current-context: gone',
    ].join('\n');
    discovery = createKubernetesTargetDiscovery({ kubeconfigYaml, namespaceSelector: 'team=payments', syncTimeoutMs: 1_000, reconnectDelayMs: 100, onError: (error) => errors.push(error) });

    await expect(discovery.targets()).rejects.toThrow(/namespaces with team=payments not listed within 1000 ms: \[autoheal\] \[kubernetes\] watch of namespaces with team=payments failed/);
    expect(discovery.health().namespaces).toMatchObject({ synced: false, lists: 0, lastError: expect.stringContaining('reconnecting') });
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });
});

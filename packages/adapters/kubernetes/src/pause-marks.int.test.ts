/**
 * The pause marks on a real API (the sandbox): what `autoheal pause|resume` write on the Deployment
 * and on the pause ConfigMap, what the pause source reads back, and that an evaluation's pause read
 * and state read cost one GET of the Deployment together.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { useHealerTestKit } from '../test-support/healer-test-kit.js';
import { createKubernetesHealer } from './kubernetes-healer.js';
import { PAUSE_ANNOTATION } from './pause-annotation.js';

const kit = useHealerTestKit('pause');
const { newTarget, read } = kit;
const SINCE = Date.parse('2026-12-07T16:00:00Z');
const UNTIL = Date.parse('2026-12-07T18:00:00Z');

/** A KubeConfig that counts the GETs of each Deployment. */
class CountingKubeConfig extends KubeConfig {
  readonly gets = new Map<string, number>();
  override async applySecurityAuthentication(context: Parameters<KubeConfig['applySecurityAuthentication']>[0]): Promise<void> {
    const match = /\/deployments\/([^/?]+)(\?|$)/.exec(context.getUrl());
    if (context.getHttpMethod() === 'GET' && match) this.gets.set(match[1]!, (this.gets.get(match[1]!) ?? 0) + 1);
    return super.applySecurityAuthentication(context);
  }
}

const pauseConfigMap = () => kit.cluster.store.get('/configmaps', 'autoheal', 'autoheal-pause') as { metadata: { annotations?: Record<string, string> } } | undefined;

describe('pause marks', () => {
  it('pausing a target writes the annotation as JSON; the pause source reads it; resuming removes it, and resuming again changes nothing', async () => {
    const target = newTarget(1);

    const paused = await kit.healer.pauses.setTargetPause(target, { by: 'alice', since: SINCE, until: UNTIL, reason: 'db migration' });
    const annotation = (await read(target)).metadata?.annotations?.[PAUSE_ANNOTATION];
    const status = await kit.healer.pauses.pauseOf(target);
    const resumed = await kit.healer.pauses.setTargetPause(target, null);
    const again = await kit.healer.pauses.setTargetPause(target, null);

    expect(JSON.parse(annotation!)).toEqual({ by: 'alice', since: '2026-12-07T16:00:00Z', until: '2026-12-07T18:00:00Z', reason: 'db migration' });
    expect(paused).toMatchObject({ changed: true, dryRun: false, where: `annotation ${PAUSE_ANNOTATION} on deployment prod/${target.name}` });
    expect(status).toEqual({ pauses: [{ scope: 'target', source: paused.where, by: 'alice', since: SINCE, until: UNTIL, reason: 'db migration' }] });
    expect(resumed).toMatchObject({ changed: true, previous: { by: 'alice' } });
    expect(resumed.current).toBeUndefined();
    expect((await read(target)).metadata?.annotations?.[PAUSE_ANNOTATION]).toBeUndefined();
    expect(again.changed).toBe(false);
  });

  it('a global pause is an annotation on the pause ConfigMap (created on first use); every target reads it; resume removes it', async () => {
    const healer = createKubernetesHealer({ kubeconfigPath: kit.cluster.kubeconfigPath, globalPauseCacheMs: 0 });
    const [a, b] = [newTarget(1), newTarget(1)];

    await healer.pauses.setGlobalPause({ by: 'bob', reason: 'freeze' });
    const created = pauseConfigMap();
    const statuses = [await healer.pauses.pauseOf(a), await healer.pauses.pauseOf(b)];
    await healer.pauses.setGlobalPause(null);
    const after = await healer.pauses.pauseOf(a);

    expect(JSON.parse(created!.metadata.annotations![PAUSE_ANNOTATION]!)).toEqual({ by: 'bob', reason: 'freeze' });
    for (const status of statuses) expect(status.pauses).toEqual([{ scope: 'global', source: `annotation ${PAUSE_ANNOTATION} on configmap autoheal/autoheal-pause`, by: 'bob', reason: 'freeze' }]);
    expect(pauseConfigMap()?.metadata.annotations?.[PAUSE_ANNOTATION]).toBeUndefined();
    expect(after).toEqual({ pauses: [] });
  });

  it('--dry-run: the API server validates the patch and nothing changes', async () => {
    const target = newTarget(1);
    const before = (await read(target)).metadata?.resourceVersion;

    const change = await kit.healer.pauses.setTargetPause(target, { reason: 'x' }, { dryRun: true });

    expect(change).toMatchObject({ changed: true, dryRun: true });
    expect((await read(target)).metadata?.resourceVersion).toBe(before);
    expect((await read(target)).metadata?.annotations?.[PAUSE_ANNOTATION]).toBeUndefined();
  });

  it('pausing a Deployment that does not exist fails naming it and what to check', async () => {
    await expect(kit.healer.pauses.setTargetPause({ namespace: 'prod', kind: 'Deployment', name: 'nope' }, { reason: 'x' })).rejects.toThrow(/deployments\.apps "nope" in namespace "prod".*not found \(404\).*check the target's namespace and name/);
  });

  it("an evaluation's pause read and state read cost one GET of the Deployment together", async () => {
    const target = newTarget(1);
    await kit.healer.pauses.setTargetPause(target, { reason: 'x' });
    const kubeConfig = new CountingKubeConfig();
    kubeConfig.loadFromFile(kit.cluster.kubeconfigPath);
    const healer = createKubernetesHealer({ kubeConfig });

    const status = await healer.pauses.pauseOf(target);
    const read = await healer.readTarget!(target);
    await healer.readTarget!(target);

    expect(status.pauses).toHaveLength(1);
    expect(read.state).toEqual({ attempt: 0 });
    // pauseOf + the first readTarget: one GET; the second readTarget reads afresh.
    expect(kubeConfig.gets.get(target.name)).toBe(2);
  });

  it('a target that cannot be read is reported unavailable (the pipeline then holds it), not thrown', async () => {
    const status = await kit.healer.pauses.pauseOf({ namespace: 'prod', kind: 'Deployment', name: 'missing' });

    expect(status.pauses).toEqual([]);
    expect(status.unavailable).toMatch(/deployment prod\/missing: .*not found/);
  });
});

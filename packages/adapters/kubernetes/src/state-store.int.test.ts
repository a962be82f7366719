/**
 * The ladder state on a real Deployment: where it is written, the original script's annotation, and
 * optimistic concurrency against a real 409 from a concurrent writer.
 */
import { KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { useHealerTestKit } from '../test-support/healer-test-kit.js';
import { createKubernetesHealer } from './kubernetes-healer.js';

const kit = useHealerTestKit('state');
const { newTarget, read } = kit;

/** A KubeConfig whose next PATCH of `deployment` is preceded by another writer's change, so that PATCH meets a real 409. */
class ConcurrentWriterKubeConfig extends KubeConfig {
  pending = 0;
  conflictsCaused = 0;
  constructor(private readonly deployment: string, private readonly otherWriter: () => Promise<void>) {
    super();
  }
  override async applySecurityAuthentication(context: Parameters<KubeConfig['applySecurityAuthentication']>[0]): Promise<void> {
    if (this.pending > 0 && context.getHttpMethod() === 'PATCH' && context.getUrl().includes(`/deployments/${this.deployment}?`)) {
      this.pending -= 1;
      this.conflictsCaused += 1;
      await this.otherWriter();
    }
    return super.applySecurityAuthentication(context);
  }
}

describe('ladder state', () => {
  it('reads a Deployment that only has healing.attempt (the original script\'s annotation)', async () => {
    const target = newTarget(1);
    await kit.apps.patchNamespacedDeployment(
      { name: target.name, namespace: target.namespace, body: { metadata: { annotations: { 'healing.attempt': '2' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

    await expect(kit.healer.readState(target)).resolves.toEqual({ attempt: 2 });
  });

  it('is written on the Deployment metadata (not the template), without starting a rollout', async () => {
    const target = newTarget(1);
    const before = await read(target);

    await kit.healer.writeState(target, { attempt: 1, lastStep: 'restart', lastActionAt: 1_700_000_000_000 });
    kit.cluster.advance(30_000);

    const after = await read(target);
    expect(after.metadata?.annotations?.['healing.attempt']).toBe('1');
    expect(JSON.parse(after.metadata?.annotations?.['autoheal.dev/healing-state'] ?? '{}')).toEqual({ lastStep: 'restart', lastActionAt: 1_700_000_000_000 });
    expect(after.spec?.template.metadata?.annotations?.['healing.attempt']).toBeUndefined();
    expect(after.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe(before.metadata?.annotations?.['deployment.kubernetes.io/revision']);
  });

  it('retries after a 409 from a concurrent writer, and keeps the other writer\'s change', async () => {
    const target = newTarget(1);
    const otherWriter = async () => {
      await kit.apps.patchNamespacedDeployment(
        { name: target.name, namespace: target.namespace, body: { metadata: { annotations: { 'team.example/owner': 'payments' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    };
    const kubeConfig = new ConcurrentWriterKubeConfig(target.name, otherWriter);
    kubeConfig.loadFromFile(kit.cluster.kubeconfigPath);
    const racing = createKubernetesHealer({ kubeConfig });
    kubeConfig.pending = 2;

    await racing.writeState(target, { attempt: 2, lastStep: 'cache' });

    expect(kubeConfig.conflictsCaused).toBe(2);
    await expect(racing.readState(target)).resolves.toEqual({ attempt: 2, lastStep: 'cache' });
    expect((await read(target)).metadata?.annotations?.['team.example/owner']).toBe('payments');
  });

  it('gives up after conflictRetries with a retryable error', async () => {
    const target = newTarget(1);
    let n = 0;
    const kubeConfig = new ConcurrentWriterKubeConfig(target.name, async () => {
      n += 1;
      await kit.apps.patchNamespacedDeployment(
        { name: target.name, namespace: target.namespace, body: { metadata: { annotations: { 'other/n': String(n) } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    });
    kubeConfig.loadFromFile(kit.cluster.kubeconfigPath);
    const racing = createKubernetesHealer({ kubeConfig, conflictRetries: 1 });
    kubeConfig.pending = 5;

    await expect(racing.writeState(target, { attempt: 1 })).rejects.toMatchObject({ code: 'ADAPTER_FAILED', retryable: true });
    expect(kubeConfig.conflictsCaused).toBe(2);
  });

  it('writeState(null) removes both annotations', async () => {
    const target = newTarget(1);
    await kit.healer.writeState(target, { attempt: 3, lastStep: 'rollback', handoffNotified: true });

    await kit.healer.writeState(target, null);

    const annotations = (await read(target)).metadata?.annotations ?? {};
    expect(annotations['healing.attempt']).toBeUndefined();
    expect(annotations['autoheal.dev/healing-state']).toBeUndefined();
    await expect(kit.healer.readState(target)).resolves.toEqual({ attempt: 0 });
  });
});

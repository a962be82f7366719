/** The operator helpers (revisions, rollback, summary) on a real Deployment. */
import { makeDecisionRecord } from '@autoheal/core/testing';
import { describe, expect, it } from 'vitest';
import { useHealerTestKit } from '../test-support/healer-test-kit.js';

const kit = useHealerTestKit('ops');
const { newTarget, read, setImage } = kit;

describe('operator helpers', () => {
  it('listRevisions lists revisions with ReplicaSet, images and which one is current', async () => {
    const target = newTarget(1);
    const original = (await read(target)).spec?.template.spec?.containers[0]?.image;
    await setImage(target, 'registry.local/app:2.0.0');

    const revisions = await kit.healer.listRevisions(target);

    expect(revisions.map((r) => [r.revision, r.images, r.current])).toEqual([
      [1, [original], false],
      [2, ['registry.local/app:2.0.0'], true],
    ]);
    expect(revisions[0]?.replicaSet).toMatch(new RegExp(`^${target.name}-`));
    expect(revisions[0]?.created).toMatch(/^\d{4}-/);
  });

  it('rollback(target) rolls back and rollback of a fresh Deployment throws HEALING_REFUSED', async () => {
    const target = newTarget(1);
    const fresh = newTarget(1);
    await setImage(target, 'registry.local/app:2.0.0');

    const outcome = await kit.healer.rollback(target);

    expect(outcome.ok).toBe(true);
    expect((await read(target)).spec?.template.spec?.containers[0]?.image).not.toBe('registry.local/app:2.0.0');
    await expect(kit.healer.rollback(fresh)).rejects.toMatchObject({ code: 'HEALING_REFUSED' });
  });

  it('getDeploymentSummary reports replicas, readiness, revision, state, HPA and recent Events with their record ids', async () => {
    const target = newTarget(2, { minReplicas: 2, maxReplicas: 5 });
    await kit.healer.writeState(target, { attempt: 1, lastStep: 'restart' });
    await kit.healer.recordDecision?.(makeDecisionRecord({ target, decision: 'kept', summary: 'kept it' }));

    const summary = await kit.healer.getDeploymentSummary(target);

    expect(summary).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      paused: false,
      revision: 1,
      state: { attempt: 1, lastStep: 'restart' },
      hpa: { name: target.name, minReplicas: 2, maxReplicas: 5 },
    });
    expect(summary.events[0]).toMatchObject({
      type: 'Normal',
      reason: 'AutohealKept',
      message: 'kept it | record 0lx1b2c3d-000001-fixture | risk 0.05 < threshold 0.50',
      from: 'autoheal',
      recordId: '0lx1b2c3d-000001-fixture',
    });
  });
});

import { healPlanSchema, healStepSchema, type HealStepInput, type TargetRef } from '@autoheal/core';
import type { V1Deployment, V1Pod, V1PodTemplateSpec, V1ReplicaSet, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { operationOf } from '../test-support/plan-lookups.js';
import { planStep, viewNeeds, type StepView } from './plan-step.js';

const UID = 'd-uid-1';
const target: TargetRef = { namespace: 'prod', kind: 'Deployment', name: 'web' };
const step = (input: HealStepInput) => healStepSchema.parse(input);

function template(image: string): V1PodTemplateSpec {
  return { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image }, { name: 'sidecar', image: 'proxy:1' }] } };
}

function deployment(overrides: { replicas?: number; paused?: boolean; image?: string; annotations?: Record<string, string> } = {}): V1Deployment {
  return {
    metadata: { name: 'web', namespace: 'prod', uid: UID, annotations: { 'deployment.kubernetes.io/revision': '2', ...overrides.annotations } },
    spec: { replicas: overrides.replicas ?? 2, paused: overrides.paused ?? false, selector: { matchLabels: { app: 'web' } }, template: template(overrides.image ?? 'app:2') },
  };
}

function replicaSet(name: string, revision: number, image: string, created: string): V1ReplicaSet {
  return {
    metadata: {
      name,
      uid: `${name}-uid`,
      creationTimestamp: new Date(created),
      annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: UID, controller: true }],
    },
    spec: { selector: { matchLabels: { app: 'web' } }, template: template(image) },
  };
}

function pod(name: string, owner: V1ReplicaSet, ready: boolean | 'terminating'): V1Pod {
  return {
    metadata: {
      name,
      ...(ready === 'terminating' ? { deletionTimestamp: new Date('2026-01-01T00:00:00Z') } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '', controller: true }],
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready === true ? 'True' : 'False', ...(ready === false ? { reason: 'ContainersNotReady' } : {}) }] },
  };
}

function hpa(minReplicas: number, maxReplicas: number, annotations: Record<string, string> = {}): V2HorizontalPodAutoscaler {
  return {
    metadata: { name: 'web', annotations },
    spec: { minReplicas, maxReplicas, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } },
  };
}

const oldRs = replicaSet('web-old', 1, 'app:1', '2026-01-01T00:00:00Z');
const currentRs = replicaSet('web-new', 2, 'app:2', '2026-01-02T00:00:00Z');

describe('viewNeeds', () => {
  it('reads the HPA for a scale-up only when HPA-aware, and nothing more for a paused restart', () => {
    const restart = step({ kind: 'restart', scaleUp: { by: 1, maxReplicas: 5 } });

    expect(viewNeeds(restart, deployment(), { hpaAware: true })).toEqual({ replicaSets: false, pods: false, hpa: true });
    expect(viewNeeds(restart, deployment(), { hpaAware: false })).toEqual({ replicaSets: false, pods: false, hpa: false });
    expect(viewNeeds(step({ kind: 'restart', scaleUp: false }), deployment(), { hpaAware: true }).hpa).toBe(false);
    expect(viewNeeds(restart, deployment({ paused: true }), { hpaAware: true })).toEqual({ replicaSets: false, pods: false, hpa: false });
  });

  it('reads ReplicaSets and pods for a cache clear, ReplicaSets for a rollback', () => {
    expect(viewNeeds(step({ kind: 'cache', scaleUp: false }), deployment(), { hpaAware: true })).toEqual({ replicaSets: true, pods: true, hpa: false });
    expect(viewNeeds(step({ kind: 'rollback' }), deployment({ paused: true }), { hpaAware: true })).toEqual({ replicaSets: true, pods: false, hpa: false });
  });
});

describe('planStep', () => {
  it('plans restart, scale from → to capped at the ceiling, and the step Event, as a valid plan', () => {
    const plan = planStep(target, { deployment: deployment({ replicas: 3 }), hpa: null }, step({ kind: 'restart', scaleUp: { by: 5, maxReplicas: 4 } }), 1);

    expect(healPlanSchema.safeParse(plan).success).toBe(true);
    expect(plan.operations.map((o) => o.op)).toEqual(['restart', 'scale', 'event']);
    expect(operationOf(plan, 'scale')).toEqual({ op: 'scale', description: 'scale deployment/web 3 → 4 replicas', details: { from: 3, to: 4, ceiling: 4 } });
    expect(operationOf(plan, 'event').details).toEqual({ reason: 'AutohealRestart' });
  });

  it('plans a scale step as the scale-up alone (no restart: it would take capacity away), through the HPA when there is one', () => {
    const plain = planStep(target, { deployment: deployment({ replicas: 3 }), hpa: null }, step({ kind: 'scale', by: 2 }), 1);
    const withHpa = planStep(target, { deployment: deployment({ replicas: 3 }), hpa: hpa(3, 8) }, step({ kind: 'scale' }), 1);

    expect(healPlanSchema.safeParse(plain).success).toBe(true);
    expect(plain.operations.map((o) => o.op)).toEqual(['scale', 'event']);
    expect(operationOf(plain, 'scale').details).toEqual({ from: 3, to: 5, ceiling: 10 });
    expect(operationOf(plain, 'event').details).toEqual({ reason: 'AutohealScale' });
    expect(withHpa.operations.map((o) => o.op)).toEqual(['scale-hpa', 'event']);
    expect(viewNeeds(step({ kind: 'scale' }), deployment(), { hpaAware: true })).toEqual({ replicaSets: false, pods: false, hpa: true });
  });

  it('at the ceiling plans a no-op scale that says so', () => {
    const plan = planStep(target, { deployment: deployment({ replicas: 4 }) }, step({ kind: 'restart', scaleUp: { by: 1, maxReplicas: 4 } }), 1);

    expect(operationOf(plan, 'scale').details).toEqual({ from: 4, to: 4, ceiling: 4, noop: true });
  });

  it('refuses a scale step that would add nothing (at its ceiling or the HPA\'s), so the ladder skips it', () => {
    const atCeiling = planStep(target, { deployment: deployment({ replicas: 12 }), hpa: null }, step({ kind: 'scale' }), 2);
    const hpaAtMax = planStep(target, { deployment: deployment({ replicas: 6 }), hpa: hpa(6, 6) }, step({ kind: 'scale' }), 2);
    expect(atCeiling).toMatchObject({ operations: [], refusal: 'nothing to scale: deployment/web already at 12 replicas (ceiling 10): no scale-up' });
    expect(hpaAtMax.refusal).toMatch(/^nothing to scale: HPA web minReplicas already at the ceiling/);
    expect(healPlanSchema.safeParse(atCeiling).success).toBe(true);
  });

  it('with an HPA raises its floor by the step\'s amount, within the HPA\'s own maximum, remembering the user\'s floor', () => {
    const view: StepView = { deployment: deployment({ replicas: 3 }), hpa: hpa(2, 6, { 'autoheal.dev/original-min-replicas': '1' }) };

    const plan = planStep(target, view, step({ kind: 'restart', scaleUp: { by: 1, maxReplicas: 10 } }), 1);

    expect(plan.operations.map((o) => o.op)).toEqual(['restart', 'scale-hpa', 'event']);
    expect(operationOf(plan, 'scale-hpa').details).toEqual({ hpa: 'web', from: 2, to: 3, replicas: 3, ceiling: 6, originalMinReplicas: 1 });
  });

  it('never pins the floor of an HPA that scaled out under load at its maximum', () => {
    const view: StepView = { deployment: deployment({ replicas: 10 }), hpa: hpa(2, 10) };

    const plan = planStep(target, view, step({ kind: 'restart', scaleUp: { by: 2, maxReplicas: 10 } }), 1);

    expect(operationOf(plan, 'scale-hpa').details).toMatchObject({ from: 2, to: 4, replicas: 10, ceiling: 10 });
  });

  it('refuses to restart a paused Deployment, but plans a cache clear without restart', () => {
    const paused = deployment({ paused: true });
    const view: StepView = { deployment: paused, replicaSets: [currentRs], pods: [pod('web-new-a', currentRs, true)] };

    const restart = planStep(target, view, step({ kind: 'restart' }), 1);
    const cacheOnly = planStep(target, view, step({ kind: 'cache', restart: false, scaleUp: false }), 2);

    expect(restart).toMatchObject({ refusal: "can't restart paused deployment (run rollout resume first)", operations: [] });
    expect(cacheOnly.refusal).toBeUndefined();
    expect(cacheOnly.operations.map((o) => o.op)).toEqual(['exec', 'event']);
  });

  it('clears the cache in the ready pods of the current ReplicaSet only, naming the pods it skips and why', () => {
    const view: StepView = {
      deployment: deployment(),
      replicaSets: [oldRs, currentRs],
      pods: [pod('web-new-b', currentRs, true), pod('web-new-a', currentRs, true), pod('web-new-c', currentRs, false), pod('web-new-d', currentRs, 'terminating'), pod('web-old-a', oldRs, true)],
    };

    const plan = planStep(target, view, step({ kind: 'cache', perPodTimeoutMs: 2000, scaleUp: false }), 2);

    expect(plan.operations.map((o) => o.op)).toEqual(['exec', 'restart', 'event']);
    expect(operationOf(plan, 'exec').details).toEqual({
      command: ['sh', '-c', 'rm -rf /tmp/cache/*'],
      container: 'app',
      pods: ['web-new-a', 'web-new-b'],
      skipped: [
        { pod: 'web-new-c', reason: 'not ready (phase Running, ContainersNotReady)' },
        { pod: 'web-new-d', reason: 'terminating' },
      ],
      perPodTimeoutMs: 2000,
      replicaSet: 'web-new',
    });
    expect(operationOf(plan, 'event').details.reason).toBe('AutohealCacheClear');
  });

  it('plans the rollback to the previous release with its patch, and warns when Argo CD manages the Deployment', () => {
    const managed = deployment({ annotations: { 'argocd.argoproj.io/tracking-id': 'shop:apps/Deployment:prod/web' } });

    const plan = planStep(target, { deployment: managed, replicaSets: [oldRs, currentRs] }, step({ kind: 'rollback' }), 3);

    const rollback = operationOf(plan, 'rollback');
    expect(rollback.details).toMatchObject({ revision: 1, fromRevision: 2, replicaSet: 'web-old', images: ['app:1', 'proxy:1'], gitOpsManager: 'Argo CD' });
    expect('patch' in rollback.details && rollback.details.patch.map((p) => p.path)).toEqual(['/spec/template', '/metadata/annotations']);
    expect(rollback.description).toContain('warning: managed by Argo CD');
  });

  it('plans a skipped rollback when the template already matches, and passes a refusal through', () => {
    const skipped = planStep(target, { deployment: deployment(), replicaSets: [oldRs, currentRs] }, step({ kind: 'rollback', toRevision: 2 }), 3);
    const refused = planStep(target, { deployment: deployment(), replicaSets: [currentRs] }, step({ kind: 'rollback' }), 3);

    expect(operationOf(skipped, 'rollback').details).toEqual({ skip: true, revision: 2, replicaSet: 'web-new' });
    expect(refused.operations).toEqual([]);
    expect(refused.refusal).toContain('no rollout history found for deployment "web"');
  });
});

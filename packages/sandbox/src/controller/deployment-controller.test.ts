import { describe, expect, it } from 'vitest';
import { createSimulation, type Simulation } from '../sim/simulation.js';
import { writeDeploymentSpec } from './deployment-util.js';
import type { Deployment, Pod, ReplicaSet } from '../base/kube-types.js';

const minute = 60_000;

function backendSimulation(replicas = 4): Simulation {
  const simulation = createSimulation({ seed: 11, deployments: [{ namespace: 'prod', name: 'backend', replicas, requestsPerSecond: 50 }] });
  simulation.advance(30_000);
  return simulation;
}

function deployment(simulation: Simulation): Deployment {
  return simulation.store.get('apps/deployments', 'prod', 'backend') as Deployment;
}

function replicaSets(simulation: Simulation): ReplicaSet[] {
  return simulation.store.list('apps/replicasets', 'prod').items as ReplicaSet[];
}

function pods(simulation: Simulation): Pod[] {
  return simulation.store.list('/pods', 'prod').items as Pod[];
}

function revisionOf(replicaSet: ReplicaSet): string | undefined {
  return replicaSet.metadata.annotations?.['deployment.kubernetes.io/revision'];
}

describe('Deployment controller', () => {
  it('creates revision 1: a hashed ReplicaSet, owned pods, complete status and an Event', () => {
    const simulation = backendSimulation();
    const current = deployment(simulation);
    const [replicaSet, ...others] = replicaSets(simulation);
    expect(others).toHaveLength(0);
    expect(replicaSet?.metadata.name).toMatch(/^backend-[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    const hash = replicaSet?.metadata.labels?.['pod-template-hash'];
    expect(replicaSet?.metadata.name).toBe(`backend-${hash}`);
    expect(replicaSet?.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '4',
      'deployment.kubernetes.io/max-replicas': '5',
    });
    expect(replicaSet?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'backend', uid: current.metadata.uid, controller: true });
    expect(current.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');

    const backendPods = pods(simulation);
    expect(backendPods).toHaveLength(4);
    for (const pod of backendPods) {
      expect(pod.metadata.name).toMatch(new RegExp(`^backend-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(pod.metadata.labels).toMatchObject({ app: 'backend', 'pod-template-hash': hash });
      expect(pod.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', name: replicaSet?.metadata.name, uid: replicaSet?.metadata.uid });
      expect(pod.status?.phase).toBe('Running');
      expect(pod.status?.containerStatuses?.[0]).toMatchObject({ ready: true, restartCount: 0, state: { running: {} } });
    }

    expect(current.status).toMatchObject({ observedGeneration: 1, replicas: 4, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 4, unavailableReplicas: 0 });
    expect(current.status?.conditions?.map((condition) => [condition.type, condition.status, condition.reason, condition.message])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      ['Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${replicaSet?.metadata.name}" has successfully progressed.`],
    ]);

    const events = simulation.store.list('/events', 'prod').items as any[];
    expect(events).toContainEqual(expect.objectContaining({
      reason: 'ScalingReplicaSet',
      type: 'Normal',
      message: `Scaled up replica set ${replicaSet?.metadata.name} to 4`,
      involvedObject: expect.objectContaining({ kind: 'Deployment', name: 'backend', uid: current.metadata.uid }),
    }));
  });

  it('rolls a restart out within maxSurge and maxUnavailable, as revision 2', () => {
    const simulation = backendSimulation(4); // 25% of 4: surge 1, unavailable 1
    const [original] = replicaSets(simulation);
    simulation.restart('prod', 'backend');
    const generation = deployment(simulation).metadata.generation;
    expect(generation).toBe(2);
    let maxPods = 0;
    let minAvailable = Infinity;
    for (let second = 0; second < 90; second += 1) {
      simulation.advance(1000);
      const all = pods(simulation);
      maxPods = Math.max(maxPods, all.length);
      const available = all.filter((pod) => pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True')).length;
      minAvailable = Math.min(minAvailable, available);
    }
    expect(maxPods).toBe(5);
    expect(minAvailable).toBeGreaterThanOrEqual(3);

    const sets = replicaSets(simulation);
    expect(sets).toHaveLength(2);
    const next = sets.find((replicaSet) => replicaSet.metadata.name !== original?.metadata.name);
    expect(revisionOf(next as ReplicaSet)).toBe('2');
    expect(next?.spec.replicas).toBe(4);
    expect(sets.find((replicaSet) => replicaSet.metadata.name === original?.metadata.name)?.spec.replicas).toBe(0);
    expect(next?.spec.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBe('2025-01-01T00:00:30Z');
    const status = deployment(simulation).status;
    expect(status).toMatchObject({ observedGeneration: 2, replicas: 4, updatedReplicas: 4, availableReplicas: 4 });
    expect(status?.conditions?.find((condition) => condition.type === 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
    const messages = (simulation.store.list('/events', 'prod').items as any[]).map((event) => event.message);
    expect(messages).toContain(`Scaled up replica set ${next?.metadata.name} to 1`);
    expect(messages).toContain(`Scaled down replica set ${original?.metadata.name} to 0 from 1`);
  });

  it('re-uses and re-numbers the old ReplicaSet on rollback', () => {
    const simulation = backendSimulation(2);
    const [original] = replicaSets(simulation);
    simulation.setImage('prod', 'backend', 'registry.local/backend:1.1.0');
    simulation.advance(minute);
    expect(replicaSets(simulation)).toHaveLength(2);
    const result = simulation.rollback('prod', 'backend');
    expect(result).toMatchObject({ outcome: 'rolled-back', revision: 1, message: 'deployment.apps/backend rolled back' });
    simulation.advance(minute);
    const sets = replicaSets(simulation);
    expect(sets).toHaveLength(2);
    const reused = sets.find((replicaSet) => replicaSet.metadata.name === original?.metadata.name);
    expect(reused?.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
    expect(reused?.spec.replicas).toBe(2);
    expect(deployment(simulation).metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(deployment(simulation).spec.template?.spec?.containers?.[0]?.image).toBe('registry.local/backend:1.0.0');
    // Rolling back to the template in use is skipped, as kubectl does.
    expect(simulation.rollback('prod', 'backend', 3).outcome).toBe('skipped');
    expect(() => simulation.rollback('prod', 'backend', 9)).toThrow('unable to find specified revision 9 in history');
  });

  it('keeps at most revisionHistoryLimit old ReplicaSets', () => {
    const simulation = backendSimulation(1);
    const current = deployment(simulation);
    writeDeploymentSpec(simulation.store, current, { ...current, spec: { ...current.spec, revisionHistoryLimit: 2 } });
    for (let release = 1; release <= 5; release += 1) {
      simulation.setImage('prod', 'backend', `registry.local/backend:1.${release}.0`);
      simulation.advance(minute);
    }
    const revisions = replicaSets(simulation).map((replicaSet) => Number(revisionOf(replicaSet))).sort((left, right) => left - right);
    expect(revisions).toEqual([4, 5, 6]);
  });

  it('stalls a rollout whose pods never become ready and reports the deadline', () => {
    const simulation = backendSimulation(4);
    simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'bad-release', strength: 1 });
    simulation.advance(5 * minute);
    const stalled = deployment(simulation);
    // Surge 1 new pod, and 1 old pod may go (unavailable 1): 3 old + 2 new at most.
    expect(stalled.status).toMatchObject({ replicas: 5, updatedReplicas: 2, availableReplicas: 3, unavailableReplicas: 2 });
    expect(stalled.status?.conditions?.find((condition) => condition.type === 'Progressing')?.status).toBe('True');
    simulation.advance(6 * minute);
    const timedOut = deployment(simulation).status?.conditions?.find((condition) => condition.type === 'Progressing');
    expect(timedOut).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    expect(timedOut?.message).toMatch(/^ReplicaSet "backend-\w+" has timed out progressing\.$/);
  });

  it('scales the new ReplicaSet when spec.replicas changes', () => {
    const simulation = backendSimulation(2);
    simulation.scale('prod', 'backend', 5);
    simulation.advance(20_000);
    expect(deployment(simulation).status).toMatchObject({ replicas: 5, readyReplicas: 5, availableReplicas: 5 });
    simulation.scale('prod', 'backend', 1);
    simulation.advance(5_000);
    expect(pods(simulation)).toHaveLength(1);
  });
});

describe('HPA controller', () => {
  function withHpa(): Simulation {
    const simulation = createSimulation({
      seed: 5,
      deployments: [{ namespace: 'prod', name: 'backend', replicas: 3, requestsPerSecond: 90, hpa: { minReplicas: 2, maxReplicas: 6, targetCpuUtilization: 60 } }],
    });
    simulation.advance(minute);
    return simulation;
  }

  it('undoes writes of spec.replicas outside [min, max]', () => {
    const simulation = withHpa();
    simulation.scale('prod', 'backend', 10);
    simulation.advance(16_000);
    expect(deployment(simulation).spec.replicas).toBe(6);
    simulation.scale('prod', 'backend', 1);
    simulation.advance(16_000);
    expect(deployment(simulation).spec.replicas).toBeGreaterThanOrEqual(2);
  });

  it('scales out on CPU utilisation above target', () => {
    const simulation = withHpa();
    const before = deployment(simulation).spec.replicas ?? 0;
    simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'cpu-saturation', strength: 0.6 });
    simulation.advance(2 * minute);
    expect(deployment(simulation).spec.replicas).toBeGreaterThan(before);
    expect(deployment(simulation).spec.replicas).toBeLessThanOrEqual(6);
    const hpa = simulation.store.get('autoscaling/horizontalpodautoscalers', 'prod', 'backend') as any;
    expect(hpa.status.currentMetrics[0].resource.current.averageUtilization).toBeGreaterThan(0);
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { createSimulation, type Simulation } from './simulation.js';
import { type ActiveFault, defaultSaturationRampMs, stepFaults } from './faults.js';
import { deploymentSignals, type DeploymentSignals } from '../metrics/deployment-signals.js';

const minute = 60_000;
const mebibyte = 1024 * 1024;

/** Advances `windowMs` and returns the backend's signals over that window. */
function observe(simulation: Simulation, windowMs: number, deployment = 'backend'): DeploymentSignals {
  const before = simulation.scrape();
  simulation.advance(windowMs);
  return deploymentSignals(before, simulation.scrape(), windowMs / 1000, 'prod', deployment);
}

/** The trainer runs with 5 s steps; the behaviour must hold at both step sizes. */
let tickMs = 1000;

function warmedUp(seed = 3): Simulation {
  const simulation = createSimulation({ seed, tickMs });
  simulation.advance(3 * minute);
  return simulation;
}

describe('the cpu-saturation load factor', () => {
  it('climbs linearly over the ramp to the peak its strength sets, then holds it', () => {
    const fault: ActiveFault = { type: 'cpu-saturation', strength: 0.5, startAt: 0, rampMs: defaultSaturationRampMs, applied: false };
    const workload = { namespace: 'prod', name: 'api', faults: [fault], cacheBytes: 0 };
    const factorAt = (now: number) => stepFaults(workload, now, 1).loadFactor;
    expect(factorAt(-1)).toBe(1);
    expect(factorAt(0)).toBe(1);
    expect(factorAt(defaultSaturationRampMs / 4)).toBeCloseTo(1.5, 10);
    expect(factorAt(defaultSaturationRampMs / 2)).toBeCloseTo(2, 10);
    expect(factorAt(defaultSaturationRampMs)).toBeCloseTo(3, 10);
    expect(factorAt(3 * defaultSaturationRampMs)).toBeCloseTo(3, 10);
    expect(stepFaults({ ...workload, faults: [{ ...fault, rampMs: 0 }] }, 0, 1).loadFactor).toBe(3);
  });
});

describe.each([1000, 5000])('with %i ms steps', (stepMs) => {
  beforeEach(() => {
    tickMs = stepMs;
  });

  describe('healthy workloads', () => {
    it('show realistic, quiet signals', () => {
      const simulation = warmedUp();
      const backend = observe(simulation, 5 * minute);
      expect(backend.restarts).toBe(0);
      expect(backend.cpuPercent).toBeGreaterThan(15);
      expect(backend.cpuPercent).toBeLessThan(70);
      expect(backend.memoryBytes).toBeGreaterThan(80 * mebibyte);
      expect(backend.memoryBytes).toBeLessThan(320 * mebibyte);
      expect(backend.http5xxPerSecond).toBeLessThan(0.5);
      expect(backend.networkBytesPerSecond).toBeGreaterThan(10_000);
      expect(backend.readyRatio).toBe(1);
      expect(backend.unavailableReplicas).toBe(0);
    });
  });

  describe('memory leak', () => {
    function leaking(): { simulation: Simulation; degraded: DeploymentSignals; healthyMemory: number } {
      const simulation = warmedUp();
      const healthyMemory = observe(simulation, minute).memoryBytes;
      simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'memory-leak', strength: 0.5 });
      simulation.advance(10 * minute);
      const degraded = observe(simulation, 5 * minute);
      return { simulation, degraded, healthyMemory };
    }

    it('raises memory until the containers are OOM-killed and restart', () => {
      const { simulation, degraded, healthyMemory } = leaking();
      expect(degraded.restarts).toBeGreaterThanOrEqual(2);
      const pods = simulation.store.list('/pods', 'prod').items.filter((pod) => pod.metadata.name.startsWith('backend-'));
      const terminated = pods.map((pod) => (pod.status as any).containerStatuses[0].lastState.terminated?.reason);
      expect(terminated).toContain('OOMKilled');
      expect(degraded.memoryBytes).toBeGreaterThan(healthyMemory + 50 * mebibyte);
    });

    it('is relieved for a while by a restart', () => {
      const { simulation, degraded, healthyMemory } = leaking();
      simulation.restart('prod', 'backend');
      const rollout = observe(simulation, minute);
      expect(rollout.memoryBytes).toBeLessThan(degraded.memoryBytes);
      expect(rollout.memoryBytes).toBeLessThan(healthyMemory + 80 * mebibyte);
      const afterRestart = observe(simulation, 3 * minute);
      expect(afterRestart.restarts).toBe(0);
      expect(afterRestart.readyRatio).toBe(1);
    });

    it('is not fixed by clearing the cache', () => {
      const { simulation } = leaking();
      for (const pod of simulation.podsOf('prod', 'backend')) {
        try {
          simulation.execSync('prod', pod, ['sh', '-c', 'rm -rf /tmp/cache/*']);
        } catch {
          // A container in back-off cannot be exec'd into, as in a real cluster.
        }
      }
      const after = observe(simulation, 6 * minute);
      expect(after.restarts).toBeGreaterThanOrEqual(2);
    });
  });

  describe('cache bloat', () => {
    function bloated(): { simulation: Simulation; degraded: DeploymentSignals; healthy: DeploymentSignals } {
      const simulation = warmedUp();
      const healthy = observe(simulation, 2 * minute);
      simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'cache-bloat' });
      simulation.advance(12 * minute);
      const degraded = observe(simulation, 2 * minute);
      return { simulation, degraded, healthy };
    }

    it('slowly raises memory and 5xx', () => {
      const { degraded, healthy } = bloated();
      expect(degraded.memoryBytes).toBeGreaterThan(healthy.memoryBytes + 150 * mebibyte);
      expect(degraded.http5xxPerSecond).toBeGreaterThan(10);
      expect(healthy.http5xxPerSecond).toBeLessThan(0.5);
    });

    it('is fixed by the cache-clear command run through exec', async () => {
      const { simulation, degraded, healthy } = bloated();
      const [pod] = simulation.podsOf('prod', 'backend');
      const result = await simulation.exec('prod', pod ?? '', ['sh', '-c', 'rm -rf /tmp/cache/*']);
      expect(result).toEqual({ stdout: '', stderr: '', exitCode: 0 });
      const after = observe(simulation, 2 * minute);
      expect(after.memoryBytes).toBeLessThan(healthy.memoryBytes + 60 * mebibyte);
      expect(after.http5xxPerSecond).toBeLessThan(degraded.http5xxPerSecond / 5);
    });

    it('is not fixed by a restart (the cache volume outlives pods)', () => {
      const { simulation, degraded } = bloated();
      simulation.restart('prod', 'backend');
      simulation.advance(minute);
      const after = observe(simulation, 2 * minute);
      expect(after.http5xxPerSecond).toBeGreaterThan(degraded.http5xxPerSecond * 0.7);
      expect(after.memoryBytes).toBeGreaterThan(degraded.memoryBytes - 30 * mebibyte);
    });
  });

  describe('cpu saturation under a traffic surge', () => {
    /** The backend's load with the fault over the same simulation without it, minute by minute after the injection. */
    function loadRatios(fault: { strength?: number; rampMs?: number }, minutes: number): number[] {
      const faulted = warmedUp();
      const control = warmedUp();
      faulted.injectFault({ namespace: 'prod', deployment: 'backend', type: 'cpu-saturation', ...fault });
      const load = (simulation: Simulation) => simulation.state().deployments.find((deployment) => deployment.name === 'backend')?.requestsPerSecond ?? Number.NaN;
      const ratios: number[] = [];
      for (let minuteIndex = 0; minuteIndex < minutes; minuteIndex++) {
        faulted.advance(minute);
        control.advance(minute);
        ratios.push(load(faulted) / load(control));
      }
      return ratios;
    }

    function saturated(): { simulation: Simulation; degraded: DeploymentSignals } {
      const simulation = warmedUp();
      simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'cpu-saturation' });
      simulation.advance(defaultSaturationRampMs + 2 * minute);
      return { simulation, degraded: observe(simulation, 2 * minute) };
    }

    it('ramps the extra load up over ten minutes instead of jumping to the peak', () => {
      // Same seed, same draws until a pod saturates: the ratio is the fault's load factor itself.
      const ratios = loadRatios({ strength: 1 }, 3);
      expect(ratios[0]).toBeCloseTo(1 + 4 * 0.1, 1);
      expect(ratios[1]).toBeCloseTo(1 + 4 * 0.2, 1);
      expect(ratios[2]).toBeCloseTo(1 + 4 * 0.3, 1);
    });

    it('jumps to the peak at once with rampMs 0 (the step model v1 was trained on)', () => {
      expect(loadRatios({ strength: 0.25, rampMs: 0 }, 1)[0]).toBeCloseTo(2, 1);
    });

    it('takes a ramp for cpu-saturation only', () => {
      const simulation = warmedUp();
      expect(() => simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'memory-leak', rampMs: 60_000 })).toThrow(/rampMs: only a cpu-saturation fault ramps up/);
    });

    it('lets CPU climb before the pods saturate', () => {
      const simulation = warmedUp();
      const calm = observe(simulation, minute);
      simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'cpu-saturation' });
      const early = observe(simulation, 2 * minute);
      const later = observe(simulation, 2 * minute);
      expect(early.cpuPercent).toBeGreaterThan(calm.cpuPercent * 1.1);
      expect(later.cpuPercent).toBeGreaterThan(early.cpuPercent * 1.2);
      expect(early.http5xxPerSecond).toBeLessThan(0.5);
      expect(early.readyRatio).toBe(1);
    });

    it('at its peak pegs CPU at the limit, flaps readiness and sheds requests as 503', () => {
      const { degraded } = saturated();
      // Averaged over pods, including the moments a pod is out of the endpoints after a failed probe.
      expect(degraded.cpuPercent).toBeGreaterThan(75);
      expect(degraded.http5xxPerSecond).toBeGreaterThan(20);
      const flaps: number[] = [];
      const { simulation } = saturated();
      for (let second = 0; second < 60; second += 5) {
        simulation.advance(5000);
        flaps.push(simulation.state().deployments.find((deployment) => deployment.name === 'backend')?.readyReplicas ?? 0);
      }
      expect(Math.min(...flaps)).toBeLessThan(3);
    });

    it('is fixed by scaling out', () => {
      const { simulation, degraded } = saturated();
      simulation.scale('prod', 'backend', 12);
      simulation.advance(minute);
      const after = observe(simulation, 2 * minute);
      expect(after.cpuPercent).toBeLessThan(75);
      expect(after.http5xxPerSecond).toBeLessThan(degraded.http5xxPerSecond / 10);
      expect(after.readyRatio).toBe(1);
    });

    it('is not fixed by a restart', () => {
      const { simulation, degraded } = saturated();
      simulation.restart('prod', 'backend');
      simulation.advance(minute);
      const after = observe(simulation, 2 * minute);
      expect(after.http5xxPerSecond).toBeGreaterThan(degraded.http5xxPerSecond * 0.5);
    });
  });

  describe('bad release', () => {
    function badlyReleased(strength: number): { simulation: Simulation; degraded: DeploymentSignals } {
      const simulation = warmedUp();
      simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'bad-release', strength });
      simulation.advance(5 * minute);
      return { simulation, degraded: observe(simulation, 5 * minute) };
    }

    it('rolls out a new revision whose pods crash-loop, so the rollout stalls', () => {
      const { simulation, degraded } = badlyReleased(1);
      const deployment = simulation.store.get('apps/deployments', 'prod', 'backend') as any;
      expect(deployment.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
      expect(deployment.spec.template.spec.containers[0].image).toBe('registry.local/backend:bad');
      // CrashLoopBackOff doubles the wait after every crash, so restarts slow down.
      expect(degraded.restarts).toBeGreaterThanOrEqual(1);
      expect(degraded.unavailableReplicas).toBeGreaterThan(0);
      const badPods = simulation.store.list('/pods', 'prod').items.filter((pod: any) => pod.spec.containers[0].image.endsWith(':bad'));
      expect(badPods.length).toBeGreaterThan(0);
      for (const pod of badPods as any[]) {
        expect(pod.status.conditions.find((condition: any) => condition.type === 'Ready').status).toBe('False');
      }
      expect(badPods.some((pod: any) => pod.status.containerStatuses[0].state.waiting?.reason === 'CrashLoopBackOff')).toBe(true);
      const backOff = (simulation.store.list('/events', 'prod').items as any[]).filter((event) => event.reason === 'BackOff');
      expect(backOff.length).toBeGreaterThan(0);
      expect(backOff[0]).toMatchObject({ type: 'Warning', involvedObject: { kind: 'Pod' }, source: { component: 'kubelet' } });
      expect(Math.max(...backOff.map((event) => event.count))).toBeGreaterThanOrEqual(2);
      simulation.advance(10 * minute);
      const progressing = (simulation.store.get('apps/deployments', 'prod', 'backend') as any).status.conditions.find((condition: any) => condition.type === 'Progressing');
      expect(progressing).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    });

    it('at lower strength serves 500s from pods that briefly pass readiness', () => {
      const { degraded } = badlyReleased(0.5);
      expect(degraded.http5xxPerSecond).toBeGreaterThan(1);
      expect(degraded.restarts).toBeGreaterThanOrEqual(2);
    });

    it('is fixed by a rollback', () => {
      const { simulation } = badlyReleased(0.5);
      const result = simulation.rollback('prod', 'backend');
      expect(result.outcome).toBe('rolled-back');
      simulation.advance(2 * minute);
      const after = observe(simulation, 3 * minute);
      expect(after.restarts).toBe(0);
      expect(after.unavailableReplicas).toBe(0);
      expect(after.http5xxPerSecond).toBeLessThan(0.5);
      expect(after.readyRatio).toBe(1);
    });

    it('is not fixed by a restart (same bad template, new revision)', () => {
      const { simulation } = badlyReleased(0.5);
      simulation.restart('prod', 'backend');
      simulation.advance(2 * minute);
      const after = observe(simulation, 3 * minute);
      expect(after.restarts).toBeGreaterThanOrEqual(1);
      const deployment = simulation.store.get('apps/deployments', 'prod', 'backend') as any;
      expect(deployment.spec.template.spec.containers[0].image).toBe('registry.local/backend:bad');
    });
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { createSimulation, type Simulation } from './simulation.js';
import { type ActiveFault, defaultSaturationRampMs, saturationSurgeRequestsPerSecond, stepFaults } from './faults.js';
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

/** A workload as the faults see it: 10 req/s on pods that spend 5 ms of CPU per request. */
function faultedWorkload(fault: ActiveFault) {
  return { namespace: 'prod', name: 'api', faults: [fault], cacheBytes: 0, profile: { cpuSecondsPerRequest: 0.005, idleCpuCores: 0.01 }, load: { current: 10 } };
}

describe('the cpu-saturation surge', () => {
  it('sizes its peak against the CPU of the replicas the workload had at onset: (1 + strength) × each one\'s limit', () => {
    const profile = { cpuSecondsPerRequest: 0.004, idleCpuCores: 0.01 };
    const demandPerPodAtPeak = (sizing: { strength: number; replicas: number; cpuLimitCores: number; baselineRequestsPerSecond: number }) =>
      profile.idleCpuCores + ((sizing.baselineRequestsPerSecond + saturationSurgeRequestsPerSecond({ ...sizing, profile })) / sizing.replicas) * profile.cpuSecondsPerRequest;
    for (const strength of [0.1, 0.3, 0.6, 0.9, 1]) {
      // A small light service, a large one, and one with half a core per pod: the same overload each time.
      expect(demandPerPodAtPeak({ strength, replicas: 2, cpuLimitCores: 1, baselineRequestsPerSecond: 40 })).toBeCloseTo(1 + strength, 10);
      expect(demandPerPodAtPeak({ strength, replicas: 20, cpuLimitCores: 1, baselineRequestsPerSecond: 480 })).toBeCloseTo(1 + strength, 10);
      expect(demandPerPodAtPeak({ strength, replicas: 4, cpuLimitCores: 0.5, baselineRequestsPerSecond: 30 })).toBeCloseTo(0.5 * (1 + strength), 10);
    }
    // The surge is traffic on top of the baseline: none when the workload already asks for more than the peak.
    expect(saturationSurgeRequestsPerSecond({ strength: 0.3, replicas: 2, cpuLimitCores: 1, profile, baselineRequestsPerSecond: 1000 })).toBe(0);
  });

  it('adds its traffic linearly over the ramp, up to the surge it sized at the start, then holds it', () => {
    const fault: ActiveFault = { type: 'cpu-saturation', strength: 0.5, startAt: 0, rampMs: defaultSaturationRampMs, peak: 'cpu-limit', surgeRequestsPerSecond: 300, applied: true };
    const extraAt = (now: number) => stepFaults(faultedWorkload(fault), now, 1);
    expect(extraAt(-1)).toMatchObject({ loadFactor: 1, extraRequestsPerSecond: 0 });
    expect(extraAt(0).extraRequestsPerSecond).toBe(0);
    expect(extraAt(defaultSaturationRampMs / 4).extraRequestsPerSecond).toBeCloseTo(75, 10);
    expect(extraAt(defaultSaturationRampMs / 2).extraRequestsPerSecond).toBeCloseTo(150, 10);
    expect(extraAt(defaultSaturationRampMs)).toMatchObject({ loadFactor: 1, extraRequestsPerSecond: 300 });
    expect(extraAt(3 * defaultSaturationRampMs).extraRequestsPerSecond).toBe(300);
  });
});

describe('the cpu-saturation load factor (peak: load-multiplier, model v1\'s surge)', () => {
  it('climbs linearly over the ramp to the peak its strength sets, then holds it', () => {
    const fault: ActiveFault = { type: 'cpu-saturation', strength: 0.5, startAt: 0, rampMs: defaultSaturationRampMs, peak: 'load-multiplier', applied: false };
    const workload = faultedWorkload(fault);
    const factorAt = (now: number) => stepFaults(workload, now, 1).loadFactor;
    expect(factorAt(-1)).toBe(1);
    expect(factorAt(0)).toBe(1);
    expect(factorAt(defaultSaturationRampMs / 4)).toBeCloseTo(1.5, 10);
    expect(factorAt(defaultSaturationRampMs / 2)).toBeCloseTo(2, 10);
    expect(factorAt(defaultSaturationRampMs)).toBeCloseTo(3, 10);
    expect(factorAt(3 * defaultSaturationRampMs)).toBeCloseTo(3, 10);
    expect(stepFaults({ ...workload, faults: [{ ...fault, rampMs: 0 }] }, 0, 1).loadFactor).toBe(3);
    expect(stepFaults(workload, defaultSaturationRampMs, 1).extraRequestsPerSecond).toBe(0);
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
    type SurgeSpec = { strength?: number; rampMs?: number; peak?: 'cpu-limit' | 'load-multiplier' };
    const load = (simulation: Simulation, deployment = 'backend') => simulation.state().deployments.find((d) => d.name === deployment)?.requestsPerSecond ?? Number.NaN;

    /**
     * The backend's load with the fault and in the same simulation without it, minute by minute after
     * the injection. Same seed, same draws until a pod saturates (a saturated pod draws its probe
     * failures): until then the difference is the surge's own traffic, the ratio its load factor.
     */
    function surgeLoads(fault: SurgeSpec, minutes: number): Array<{ faulted: number; control: number }> {
      const faulted = warmedUp();
      const control = warmedUp();
      faulted.injectFault({ namespace: 'prod', deployment: 'backend', type: 'cpu-saturation', ...fault });
      const loads: Array<{ faulted: number; control: number }> = [];
      for (let minuteIndex = 0; minuteIndex < minutes; minuteIndex++) {
        faulted.advance(minute);
        control.advance(minute);
        loads.push({ faulted: load(faulted), control: load(control) });
      }
      return loads;
    }

    /** A service sized as the scenario catalogue sizes one (20 req/s a replica, a heavy profile: 12–20% of its core), 3 minutes in. */
    function catalogueSized(seed: number): Simulation {
      const simulation = createSimulation({ seed, tickMs, deployments: [{ namespace: 'prod', name: 'orders', replicas: 2, requestsPerSecond: 40 }] });
      simulation.advance(3 * minute);
      return simulation;
    }

    /** CPU seconds per request, read from a calm minute's CPU and traffic (the idle CPU makes it a few percent high). */
    function cpuSecondsPerRequest(simulation: Simulation, deployment: string): number {
      const estimates: number[] = [];
      for (let sample = 0; sample < 12; sample++) {
        simulation.advance(5000);
        const state = simulation.state().deployments.find((d) => d.name === deployment)!;
        estimates.push(state.pods.reduce((sum, pod) => sum + pod.cpuCores, 0) / state.requestsPerSecond);
      }
      return estimates.reduce((sum, value) => sum + value, 0) / estimates.length;
    }

    function saturated(): { simulation: Simulation; degraded: DeploymentSignals } {
      const simulation = warmedUp();
      simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'cpu-saturation' });
      simulation.advance(defaultSaturationRampMs + 2 * minute);
      return { simulation, degraded: observe(simulation, 2 * minute) };
    }

    it('ramps its extra traffic up over ten minutes instead of jumping to the peak', () => {
      const extra = surgeLoads({ strength: 1 }, 3).map(({ faulted, control }) => faulted - control);
      expect(extra[0]).toBeGreaterThan(0);
      // A tenth, two tenths, three tenths of the way up: linear in time.
      expect(extra[1]! / extra[0]!).toBeCloseTo(2, 6);
      expect(extra[2]! / extra[0]!).toBeCloseTo(3, 6);
    });

    it('at its peak asks each replica it had at onset for (1 + strength) × its CPU limit', () => {
      const demandPerReplica = (strength: number) => {
        const simulation = catalogueSized(4);
        const perRequest = cpuSecondsPerRequest(simulation, 'orders');
        simulation.injectFault({ namespace: 'prod', deployment: 'orders', type: 'cpu-saturation', strength, rampMs: 0 });
        simulation.advance(15_000);
        const demand = (load(simulation, 'orders') * perRequest) / 2;
        simulation.close();
        return demand;
      };
      const [moderate, severe] = [demandPerReplica(0.3), demandPerReplica(0.9)];
      // Two replicas of one core each; CPU per request is read from calm traffic, within a few percent.
      expect(Math.abs(moderate - 1.3)).toBeLessThan(0.15 * 1.3);
      expect(Math.abs(severe - 1.9)).toBeLessThan(0.15 * 1.9);
      // Same workload, same estimate: the peaks stand as 1.9 to 1.3 (the traffic multiple 1 + 4 × strength made it 4.6 to 2.2).
      expect(severe / moderate).toBeCloseTo(1.9 / 1.3, 1);
    });

    it('with peak load-multiplier multiplies the load by 1 + 4 × strength, and with rampMs 0 at once (model v1\'s surge)', () => {
      const [first] = surgeLoads({ strength: 0.25, rampMs: 0, peak: 'load-multiplier' }, 1);
      expect(first!.faulted / first!.control).toBeCloseTo(2, 1);
      const ramped = surgeLoads({ strength: 1, peak: 'load-multiplier' }, 2);
      expect(ramped[0]!.faulted / ramped[0]!.control).toBeCloseTo(1 + 4 * 0.1, 1);
      expect(ramped[1]!.faulted / ramped[1]!.control).toBeCloseTo(1 + 4 * 0.2, 1);
    });

    it('takes a peak for cpu-saturation only', () => {
      const simulation = warmedUp();
      expect(() => simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'memory-leak', peak: 'cpu-limit' })).toThrow(/peak: only a cpu-saturation fault has a peak/);
      expect(() => simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'cpu-saturation', peak: 'twice' as never })).toThrow(/peak: must be one of cpu-limit, load-multiplier/);
    });

    it('takes a service sized for its traffic past its CPU limit over the ramp, and it breaches its objective at strength 0.3', () => {
      const simulation = catalogueSized(4);
      const onset = simulation.clock.now();
      simulation.injectFault({ namespace: 'prod', deployment: 'orders', type: 'cpu-saturation', strength: 0.3 });
      // CPU in percent of the limit, two minutes at a time, through the ten-minute ramp.
      const cpu: number[] = [];
      for (let window = 0; window < 5; window++) cpu.push(observe(simulation, 2 * minute, 'orders').cpuPercent);
      expect(cpu[0]).toBeLessThan(60);
      for (let window = 1; window < 4; window++) expect(cpu[window]).toBeGreaterThan(cpu[window - 1]! + 5);
      simulation.advance(3 * minute);
      const [breach] = simulation.truthOf('prod', 'orders').breaches;
      // Not at the onset: the surge builds first, which is the warning a model can give.
      expect(breach?.start).toBeGreaterThan(onset + 4 * minute);
      expect(breach?.start).toBeLessThan(onset + defaultSaturationRampMs + minute);
      simulation.close();
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
      const { simulation: pegged, degraded } = saturated();
      // Averaged over pods, including the moments a pod is out of the endpoints after a failed probe.
      expect(degraded.cpuPercent).toBeGreaterThan(50);
      expect(degraded.http5xxPerSecond).toBeGreaterThan(20);
      // A pod in the endpoints runs at its one-core limit.
      for (let sample = 0; sample < 6; sample++) {
        pegged.advance(5000);
        const pods = pegged.state().deployments.find((deployment) => deployment.name === 'backend')!.pods;
        for (const pod of pods.filter((p) => p.ready)) expect(pod.cpuCores).toBeGreaterThan(0.95);
      }
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

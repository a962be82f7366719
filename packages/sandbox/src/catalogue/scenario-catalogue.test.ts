import { describe, expect, it } from 'vitest';
import { defaultSaturationRampMs } from '../sim/faults.js';
import { createSimulation } from '../sim/simulation.js';
import { faultTypes } from '../sim/simulation-options.js';
import { faultCausesPresent, faultPace, faultRemedies } from './fault-remedies.js';
import { scenarioDeployments, startScenario, type ScenarioSimulation } from './scenario.js';
import { buildScenarioCatalogue, defaultWorkloadShapes } from './scenario-catalogue.js';

const minute = 60_000;

describe('buildScenarioCatalogue', () => {
  const catalogue = buildScenarioCatalogue({ seed: 1 });

  it('covers every fault type × strength × shape × variant, then healthy days per shape', () => {
    expect(catalogue).toHaveLength(faultTypes.length * 3 * 4 * 3 + 4 * 12);
    for (const type of faultTypes) {
      for (const shape of defaultWorkloadShapes) {
        const strengths = catalogue.filter((s) => s.family === type && s.shape === shape.name).map((s) => s.strength);
        expect(new Set(strengths)).toEqual(new Set([0.3, 0.6, 0.9]));
      }
    }
    expect(new Set(catalogue.map((s) => s.id)).size).toBe(catalogue.length);
    const healthy = catalogue.filter((s) => s.family === 'healthy');
    expect(healthy.every((s) => s.workloads[0]?.fault === undefined && (s.workloads[0]?.deploys?.length ?? 0) >= 2)).toBe(true);
    expect(healthy.some((s) => s.workloads[0]?.backgroundErrorRatio !== undefined)).toBe(true);
  });

  it('gives faulty workloads the same background error ratio as healthy ones (about half, 0.2–2%), so errors alone do not tell a fault', () => {
    const faulty = catalogue.filter((s) => s.family !== 'healthy');
    const ratios = faulty.map((s) => s.workloads[0]?.backgroundErrorRatio).filter((r) => r !== undefined);
    expect(ratios.length / faulty.length).toBeGreaterThan(0.4);
    expect(ratios.length / faulty.length).toBeLessThan(0.6);
    for (const r of ratios) expect(r >= 0.002 && r <= 0.02).toBe(true);
    for (const type of faultTypes) expect(faulty.some((s) => s.family === type && s.workloads[0]?.backgroundErrorRatio !== undefined)).toBe(true);
  });

  it('gives HPA shapes an HPA and sizes replicas for the traffic', () => {
    for (const scenario of catalogue) {
      const [workload] = scenario.workloads;
      expect(workload?.hpa !== undefined).toBe(scenario.shape.endsWith('-hpa'));
      expect(workload!.requestsPerSecond / workload!.replicas).toBeLessThanOrEqual(25);
    }
  });

  it('is deterministic in the seed, and a scenario depends only on the seed and its id', () => {
    expect(buildScenarioCatalogue({ seed: 1 })).toEqual(catalogue);
    expect(buildScenarioCatalogue({ seed: 2 })).not.toEqual(catalogue);
    const narrower = buildScenarioCatalogue({ seed: 1, faultTypes: ['cache-bloat'], strengths: [0.6], healthyVariants: 0 });
    expect(narrower).toEqual(catalogue.filter((s) => s.family === 'cache-bloat' && s.strength === 0.6));
  });

  it('starts each fault after the warm-up and ends only the causes that go away by themselves', () => {
    for (const scenario of catalogue.filter((s) => s.family !== 'healthy')) {
      const fault = scenario.workloads[0]!.fault!;
      expect(fault.onsetMs).toBeGreaterThanOrEqual(scenario.warmupMs + 2 * minute);
      expect(fault.onsetMs).toBeLessThanOrEqual(scenario.warmupMs + 6 * minute);
      expect(fault.endMs !== undefined).toBe(fault.type === 'cpu-saturation' || fault.type === 'failing-dependency');
    }
  });
});

describe('a played cpu-saturation scenario', () => {
  it('builds its surge over minutes (the sandbox\'s default ramp) instead of jumping to its peak', () => {
    const [scenario] = buildScenarioCatalogue({ seed: 1, faultTypes: ['cpu-saturation'], strengths: [0.9], shapes: [defaultWorkloadShapes[0]!], variants: 1, healthyVariants: 0 });
    const fault = scenario!.workloads[0]!.fault!;
    const play = (run: typeof scenario) => {
      const simulation = createSimulation({ seed: run!.seed, tickMs: 5000, deployments: scenarioDeployments(run!, 'prod') });
      startScenario(simulation, run!, { namespace: 'prod', start: simulation.clock.now() });
      return simulation;
    };
    const faulted = play(scenario);
    const control = play({ ...scenario!, workloads: scenario!.workloads.map(({ fault: _fault, ...workload }) => workload) });
    const start = faulted.clock.now();
    const extraAt = (offsetMs: number) => {
      for (const simulation of [faulted, control]) simulation.advance(start + offsetMs - simulation.clock.now());
      return faulted.state().deployments[0]!.requestsPerSecond - control.state().deployments[0]!.requestsPerSecond;
    };
    // Same seed, same draws until a pod saturates: the difference is the surge's own traffic.
    expect(extraAt(fault.onsetMs - minute)).toBe(0);
    // One minute in, a tenth of the way up; three minutes in, three tenths (a step is at the peak at once).
    const oneMinuteIn = extraAt(fault.onsetMs + minute);
    expect(oneMinuteIn).toBeGreaterThan(0);
    expect(extraAt(fault.onsetMs + 3 * minute) / oneMinuteIn).toBeCloseTo(3, 6);
    expect(defaultSaturationRampMs).toBe(10 * minute);
    faulted.close();
    control.close();
  });

  it('breaches its objective at every strength when no HPA adds capacity, during the ramp, not at the onset', () => {
    const shapes = defaultWorkloadShapes.filter((shape) => !shape.hpa);
    const scenarios = buildScenarioCatalogue({ seed: 1, faultTypes: ['cpu-saturation'], shapes, variants: 1, healthyVariants: 0 });
    expect(scenarios).toHaveLength(3 * shapes.length);
    for (const scenario of scenarios) {
      const fault = scenario.workloads[0]!.fault!;
      const simulation = createSimulation({ seed: scenario.seed, tickMs: 5000, deployments: scenarioDeployments(scenario, 'prod') });
      const start = simulation.clock.now();
      startScenario(simulation, scenario, { namespace: 'prod', start });
      // The surge ends 15–30 minutes after its onset (a change the caller applies): its peak lasts at least five.
      simulation.advance(fault.onsetMs + defaultSaturationRampMs + 5 * minute);
      const breaches = simulation.truthOf('prod', scenario.workloads[0]!.name).breaches;
      simulation.close();
      expect({ id: scenario.id, breached: breaches.length > 0 }).toEqual({ id: scenario.id, breached: true });
      const minutesToBreach = (breaches[0]!.start - start - fault.onsetMs) / minute;
      expect(minutesToBreach).toBeGreaterThan(3);
      expect(minutesToBreach).toBeLessThan(defaultSaturationRampMs / minute);
    }
  });
});

describe('startScenario', () => {
  it('injects faults with their onsets and returns the other changes in time order', () => {
    const calls: string[] = [];
    const recorder: ScenarioSimulation = {
      injectFault: (spec) => calls.push(`fault ${spec.deployment} ${spec.type} ${spec.strength} @${spec.startAt}`),
      setImage: (_ns, name, image) => calls.push(`image ${name} ${image}`),
      setLoad: (spec) => calls.push(`load ${spec.deployment} ${spec.requestsPerSecond}`),
      clearFaults: (ref) => calls.push(`clear ${ref.deployment}`),
    };
    const changes = startScenario(
      recorder,
      {
        seed: 1,
        warmupMs: 0,
        durationMs: 10 * minute,
        workloads: [
          { name: 'api', replicas: 2, requestsPerSecond: 10, fault: { type: 'failing-dependency', strength: 0.5, onsetMs: 60_000, endMs: 120_000 }, loadChanges: [{ atMs: 120_000, factor: 2 }], backgroundErrorRatio: 0.02 },
          { name: 'web', replicas: 2, requestsPerSecond: 10, deploys: [{ atMs: 30_000 }, { atMs: 120_000 }], backgroundErrorRatio: 0.01 },
        ],
      },
      { namespace: 'prod', start: 1000 },
    );
    expect(calls).toEqual(['fault api failing-dependency 0.5 @61000', 'fault api failing-dependency 0.02 @1000', 'fault web failing-dependency 0.01 @1000']);
    expect(changes.map((c) => `${c.atMs} ${c.workload} ${c.kind}`)).toEqual(['30000 web deploy', '120000 api load', '120000 api fault-ends', '120000 web deploy']);
    for (const change of changes) change.apply(recorder);
    // The fault's end clears every fault of the workload; its background error ratio is put back.
    expect(calls.slice(3)).toEqual(['image web registry.local/web:1.1.0', 'load api 20', 'clear api', 'fault api failing-dependency 0.02 @1000', 'image web registry.local/web:1.2.0']);
  });
});

describe('startScenario and a surge\'s ramp and peak', () => {
  it('passes a scenario\'s rampMs and peak to the simulation and leaves them out otherwise (the sandbox\'s defaults)', () => {
    const specs: Array<Record<string, unknown>> = [];
    const recorder: ScenarioSimulation = { injectFault: (spec) => specs.push(spec), setImage: () => {}, setLoad: () => {} };
    const run = (surge: { rampMs?: number; peak?: 'cpu-limit' | 'load-multiplier' }) =>
      startScenario(recorder, { seed: 1, warmupMs: 0, durationMs: minute, workloads: [{ name: 'api', replicas: 2, requestsPerSecond: 10, fault: { type: 'cpu-saturation', strength: 0.5, onsetMs: 0, ...surge } }] }, { namespace: 'prod', start: 0 });
    run({ rampMs: 0, peak: 'load-multiplier' });
    run({});
    expect(specs[0]).toMatchObject({ type: 'cpu-saturation', rampMs: 0, peak: 'load-multiplier' });
    expect(specs[1]).not.toHaveProperty('rampMs');
    expect(specs[1]).not.toHaveProperty('peak');
  });
});

describe('the remedy table', () => {
  it('names what fixes every fault type and how it arrives', () => {
    for (const type of faultTypes) {
      expect(faultRemedies[type]).toBeDefined();
      expect(['gradual', 'sudden']).toContain(faultPace[type]);
    }
    expect(faultRemedies['failing-dependency']).toEqual([]);
  });

  it('sees a faulty release as a cause until a rollback removes its template, and a restart does not', () => {
    const simulation = createSimulation({ seed: 2, deployments: scenarioDeployments({ seed: 2, warmupMs: 0, durationMs: 0, workloads: [{ name: 'api', replicas: 2, requestsPerSecond: 10 }] }, 'prod') });
    simulation.advance(minute);
    expect(faultCausesPresent(simulation, 'prod', 'api')).toEqual([]);
    simulation.injectFault({ namespace: 'prod', deployment: 'api', type: 'bad-config', strength: 0.5, startAt: simulation.clock.now() + 10_000 });
    expect(faultCausesPresent(simulation, 'prod', 'api')).toEqual([]);
    simulation.advance(minute);
    expect(faultCausesPresent(simulation, 'prod', 'api')).toEqual(['bad-config']);
    simulation.restart('prod', 'api');
    expect(faultCausesPresent(simulation, 'prod', 'api')).toEqual(['bad-config']);
    // Undo to the first revision: the previous one is the restart of the bad config.
    simulation.rollback('prod', 'api', 1);
    expect(faultCausesPresent(simulation, 'prod', 'api')).toEqual([]);
  });
});

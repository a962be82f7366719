import { describe, expect, it } from 'vitest';
import { createFakeSimulation } from '../../test-support/fake-simulation.js';
import { scaleOutReplicas, simulateRun } from './sandbox-dataset.js';
import type { RunScenario } from './scenarios.js';

const minute = 60_000;
const run: RunScenario = {
  index: 0,
  seed: 5,
  fold: 'train',
  warmupMs: 10 * minute,
  durationMs: 30 * minute,
  workloads: [
    { name: 'api', replicas: 3, requestsPerSecond: 20, kind: 'healthy', heldOutShape: false },
    { name: 'search', replicas: 3, requestsPerSecond: 20, kind: 'bad-release', heldOutShape: false, fault: { type: 'bad-release', strength: 1, onsetMs: 20 * minute } },
  ],
};

describe('simulateRun', () => {
  const episodes = simulateRun(run, { createSimulation: createFakeSimulation });
  const healthy = episodes.find((e) => e.id === 'run-0/api')!;
  const faulty = episodes.find((e) => e.id === 'run-0/search')!;

  it('records every 15 s after the warm-up, with all seven features', () => {
    expect(healthy.times[0]! - healthy.times.at(-1)! + (healthy.times.length - 1) * 15_000).toBe(0);
    expect(healthy.times.length).toBe(30 * 4 + 1);
    expect(healthy.features[10]!.every((v) => Number.isFinite(v))).toBe(true);
    expect(healthy.breaches).toEqual([]);
    expect(healthy.labels.every((l) => l.label === 0 && !l.inBreach)).toBe(true);
  });

  it('finds the breach of a fault, labels the 5 minutes before it and ends the episode with it', () => {
    expect(faulty.breaches).toHaveLength(1);
    const breach = faulty.breaches[0]!;
    expect(breach.start).toBeGreaterThan(faulty.faultOnset!);
    faulty.times.forEach((t, i) => {
      const label = faulty.labels[i]!;
      expect(label.inBreach).toBe(t >= breach.start && t <= breach.end);
      expect(label.label).toBe(t < breach.start && breach.start - t <= 5 * minute ? 1 : 0);
    });
    // The last recorded sample, or the end of the breach when it ends sooner.
    expect(faulty.times.at(-1)).toBe(Math.min(breach.end, healthy.times.at(-1)!));
  });

  it('is deterministic for a seed', () => {
    expect(simulateRun(run, { createSimulation: createFakeSimulation })).toEqual(episodes);
  });
});

describe('scaleOutReplicas', () => {
  it('sizes a scale-out for the surge\'s peak: 1 + 4 × strength times the load (v1), or half a core a pod for a peak sized on the CPU limit', () => {
    const surge = (strength: number, peak?: 'cpu-limit' | 'load-multiplier') => ({ replicas: 10, fault: { type: 'cpu-saturation' as const, strength, onsetMs: 0, ...(peak ? { peak } : {}) } });
    expect(scaleOutReplicas(surge(0.5, 'load-multiplier'))).toBe(36); // 10 × 3 × 1.2
    // The peak asks 10 × 1.5 cores; 36 replicas take 0.42 each.
    expect(scaleOutReplicas(surge(0.5))).toBe(36);
    expect(scaleOutReplicas(surge(0.5, 'cpu-limit'))).toBe(36);
    expect(scaleOutReplicas(surge(0.25, 'load-multiplier'))).toBe(24);
    expect(scaleOutReplicas(surge(0.25))).toBe(30);
    expect(scaleOutReplicas({ replicas: 3 })).toBe(4);
  });
});

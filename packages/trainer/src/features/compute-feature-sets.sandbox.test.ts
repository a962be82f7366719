import { DEFAULT_FEATURE_NAMES, FEATURE_SET_V2_NAMES } from '@autoheal/core';
import { createSimulation } from '@autoheal/sandbox';
import { describe, expect, it } from 'vitest';
import { computeFeatureSets, SEED_AND_V2_FEATURE_NAMES, toFeatureRow } from './compute-feature-sets.js';
import { computeFeatures } from './compute-features.js';
import { SeriesRecorder } from './sample-history.js';

describe('computeFeatureSets on the real sandbox simulation', () => {
  it('gives the seed features exactly as computeFeatures does (the shipped risk-v1 is trained on those)', () => {
    const simulation = createSimulation({ seed: 9, tickMs: 5000, deployments: [{ namespace: 'prod', name: 'backend', replicas: 3, requestsPerSecond: 50 }, { namespace: 'prod', name: 'quiet', replicas: 2, requestsPerSecond: 0.01 }] });
    simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'memory-leak', strength: 1, startAt: simulation.clock.now() + 60_000 });
    const recorder = new SeriesRecorder({ retentionMs: 31 * 60_000 });
    const comparisons: Array<[number | null, number | null]> = [];
    for (let i = 0; i < 60; i++) {
      simulation.advance(15_000);
      const now = simulation.clock.now();
      recorder.ingest(now, simulation.scrape());
      if (i < 20) continue;
      const seed = computeFeatures(recorder.series(), now);
      const sets = computeFeatureSets(recorder.series(), now);
      expect(sets.map((row) => row.deployment)).toEqual(seed.map((row) => row.deployment));
      sets.forEach((row, index) => {
        for (const feature of DEFAULT_FEATURE_NAMES) comparisons.push([row.values[feature] ?? null, seed[index]?.values[feature] ?? null]);
      });
    }
    simulation.close();
    for (const [fromSets, fromSeed] of comparisons) {
      if (fromSeed === null) expect(fromSets).toBeNull();
      else expect(Math.abs((fromSets as number) - fromSeed)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(fromSeed)));
    }
    expect(comparisons.some(([, value]) => value === null)).toBe(true); // the quiet service's 5xx rate
  });

  it('counts restarts per pod over the pods that exist now: once a rollout has replaced the restarted pods, only the seed sum keeps their restarts', () => {
    const simulation = createSimulation({ seed: 5, tickMs: 5000, deployments: [{ namespace: 'prod', name: 'backend', replicas: 2, requestsPerSecond: 20 }] });
    simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'memory-leak', strength: 1, startAt: simulation.clock.now() });
    const recorder = new SeriesRecorder({ retentionMs: 31 * 60_000, staleMarkers: true });
    const look = () => computeFeatureSets(recorder.series(), simulation.clock.now())[0]!.values;
    const step = () => {
      simulation.advance(15_000);
      recorder.ingest(simulation.clock.now(), simulation.scrape());
    };
    step();
    for (let i = 0; i < 60 && !((look().restarts_per_pod ?? 0) > 0); i++) step();
    expect(look().restarts_per_pod).toBeGreaterThan(0);
    // The leak is fixed by a new release, which replaces both pods.
    simulation.clearFaults({ namespace: 'prod', deployment: 'backend' });
    simulation.setImage('prod', 'backend', 'registry.local/backend:1.1.0');
    for (let i = 0; i < 12 && (i < 2 || look().rollout_in_progress === 1); i++) step();
    const after = look();
    simulation.close();
    expect(after.rollout_in_progress).toBe(0);
    expect(after.restart_count_last_5m).toBeGreaterThan(0);
    expect(after.restarts_per_pod).toBe(0);
  });

  it('reports every seed and v2 feature in a fixed order, missing ones with a kind', () => {
    const simulation = createSimulation({ seed: 3, tickMs: 5000, deployments: [{ namespace: 'prod', name: 'web', replicas: 2, requestsPerSecond: 20 }] });
    const recorder = new SeriesRecorder({ retentionMs: 31 * 60_000, staleMarkers: true });
    for (let i = 0; i < 30; i++) {
      simulation.advance(15_000);
      recorder.ingest(simulation.clock.now(), simulation.scrape());
    }
    const [web] = computeFeatureSets(recorder.series(), simulation.clock.now());
    simulation.close();
    expect(SEED_AND_V2_FEATURE_NAMES).toEqual([...new Set([...DEFAULT_FEATURE_NAMES, ...FEATURE_SET_V2_NAMES])]);
    expect(Object.keys(web!.values)).toEqual([...SEED_AND_V2_FEATURE_NAMES]);
    expect(web!.values).toMatchObject({ ready_replica_ratio: 1, rollout_in_progress: 0, rollout_stalled: 0, restarts_per_pod: 0 });
    for (const entry of web!.missing) expect(entry.kind).toMatch(/^(no-data|no-limit|low-traffic|not-applicable|no-history)$/);
    expect(toFeatureRow(web!.values)).toHaveLength(SEED_AND_V2_FEATURE_NAMES.length);
  });
});

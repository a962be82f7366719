import { createSimulation, type Simulation } from '@autoheal/sandbox';
import { describeFeatureSourceConformance } from '@autoheal/core/testing';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OBJECTIVE } from '../dataset/label.js';
import { computeFeatures } from '../features/compute-features.js';
import { SeriesRecorder } from '../features/sample-history.js';
import { createSandboxFeatureSource, OBJECTIVE_VIOLATED_FEATURE } from './sandbox-feature-source.js';

const backend = { namespace: 'prod', kind: 'Deployment' as const, name: 'backend' };
const frontend = { namespace: 'prod', kind: 'Deployment' as const, name: 'frontend' };

/** The demo pair, warmed up in virtual time with a scrape every 15 s, and a source fed the same scrapes. */
function warmedUp(): { simulation: Simulation; source: ReturnType<typeof createSandboxFeatureSource>; reference: SeriesRecorder; play: (ms: number) => void } {
  const simulation = createSimulation({ seed: 4 });
  const source = createSandboxFeatureSource({ scrape: () => simulation.scrape(), now: () => simulation.clock.now(), timer: false, objective: DEFAULT_OBJECTIVE });
  const reference = new SeriesRecorder();
  reference.ingest(simulation.clock.now(), simulation.scrape());
  const play = (ms: number) => {
    for (let done = 0; done < ms; done += 15_000) {
      simulation.advance(15_000);
      source.scrapeNow();
      reference.ingest(simulation.clock.now(), simulation.scrape());
    }
  };
  play(6 * 60_000);
  return { simulation, source, reference, play };
}

describeFeatureSourceConformance('sandbox-metrics', async () => {
  const { source } = warmedUp();
  return { source, target: backend, otherTargets: [frontend, { namespace: 'prod', kind: 'Deployment' as const, name: 'absent' }] };
});

describe('createSandboxFeatureSource', () => {
  it('computes what computeFeatures computes over the same scrapes', async () => {
    const { simulation, source, reference } = warmedUp();
    const observation = await source.collect(backend);
    const row = computeFeatures(reference.series(), simulation.clock.now()).find((r) => r.deployment === 'backend');
    expect(row).toBeDefined();
    for (const [name, value] of Object.entries(row!.values)) expect(observation.values[name]).toBe(value);
    expect(observation.missing).toEqual([]);
  });

  it('reports a Deployment it has no series for as missing, never as zeros', async () => {
    const { source } = warmedUp();
    const observation = await source.collect({ namespace: 'prod', kind: 'Deployment', name: 'absent' });
    expect(Object.values(observation.values).every((value) => value === null)).toBe(true);
    expect(observation.missing.map((m) => m.feature)).toEqual(source.featureNames);
  });

  it('says whether the observed objective is violated: 0 while healthy, 1 once a crash loop takes the pods down', async () => {
    const { simulation, source, play } = warmedUp();
    expect(source.featureNames).toContain(OBJECTIVE_VIOLATED_FEATURE);
    expect((await source.collect(backend)).values[OBJECTIVE_VIOLATED_FEATURE]).toBe(0);
    simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'bad-config', strength: 0.6 });
    play(4 * 60_000);
    expect((await source.collect(backend)).values[OBJECTIVE_VIOLATED_FEATURE]).toBe(1);
  });

  it('provides only the seven features without an objective', () => {
    const source = createSandboxFeatureSource({ scrape: () => [], now: () => 0, timer: false });
    expect(source.featureNames).not.toContain(OBJECTIVE_VIOLATED_FEATURE);
    expect(source.featureNames).toHaveLength(7);
  });
});

import { createSimulation, type Simulation } from '@autoheal/sandbox';
import { describeFeatureSourceConformance } from '@autoheal/core/testing';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_NAMES, FEATURE_SET_V2_NAMES } from '@autoheal/core';
import { DEFAULT_OBJECTIVE } from '../dataset/label.js';
import { computeFeatureSets } from '../features/compute-feature-sets.js';
import { computeFeatures } from '../features/compute-features.js';
import { SeriesRecorder } from '../features/sample-history.js';
import { createSandboxFeatureSource, OBJECTIVE_VIOLATED_FEATURE } from './sandbox-feature-source.js';

const backend = { namespace: 'prod', kind: 'Deployment' as const, name: 'backend' };
const frontend = { namespace: 'prod', kind: 'Deployment' as const, name: 'frontend' };

/** The demo pair, warmed up in virtual time with a scrape every 15 s, and a source fed the same scrapes (the reference recorder records as the source does for `featureNames`). */
function warmedUp(featureNames?: readonly string[]): { simulation: Simulation; source: ReturnType<typeof createSandboxFeatureSource>; reference: SeriesRecorder; play: (ms: number) => void } {
  const simulation = createSimulation({ seed: 4 });
  const source = createSandboxFeatureSource({ scrape: () => simulation.scrape(), now: () => simulation.clock.now(), timer: false, objective: DEFAULT_OBJECTIVE, ...(featureNames ? { featureNames } : {}) });
  const reference = featureNames ? new SeriesRecorder({ retentionMs: 31 * 60_000, staleMarkers: true }) : new SeriesRecorder();
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

describeFeatureSourceConformance('sandbox-metrics with feature set v2', async () => {
  const { source } = warmedUp(FEATURE_SET_V2_NAMES);
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

  it('provides the features the model asks for: v2 exactly as computeFeatureSets computes it over Prometheus-like recordings', async () => {
    const { simulation, source, reference, play } = warmedUp(FEATURE_SET_V2_NAMES);
    simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'memory-leak', strength: 1 });
    play(5 * 60_000);

    const observation = await source.collect(backend);
    const row = computeFeatureSets(reference.series(), simulation.clock.now()).find((r) => r.deployment === 'backend')!;

    expect(source.featureNames).toEqual([...FEATURE_SET_V2_NAMES, OBJECTIVE_VIOLATED_FEATURE]);
    expect(source.historyMs).toBeGreaterThanOrEqual(31 * 60_000);
    for (const name of FEATURE_SET_V2_NAMES) expect(observation.values[name], name).toBe(row.values[name]);
    expect(observation.values.memory_limit_ratio).toBeGreaterThan(0);
    // Absences keep their kind, so core explains them as it does from Prometheus.
    expect(observation.missing.filter((m) => m.feature !== OBJECTIVE_VIOLATED_FEATURE)).toEqual(row.missing.filter((m) => (FEATURE_SET_V2_NAMES as readonly string[]).includes(m.feature)));
  });

  it('provides both sets at once when asked, the seed ones as Prometheus would (staleness markers)', async () => {
    const both = [...DEFAULT_FEATURE_NAMES, ...FEATURE_SET_V2_NAMES.filter((name) => name !== 'ready_replica_ratio')];
    const { simulation, source, reference } = warmedUp(both);

    const observation = await source.collect(backend);
    const row = computeFeatureSets(reference.series(), simulation.clock.now()).find((r) => r.deployment === 'backend')!;

    expect(Object.keys(observation.values)).toEqual([...both, OBJECTIVE_VIOLATED_FEATURE]);
    for (const name of both) expect(observation.values[name], name).toBe(row.values[name]);
  });

  it('with v2: a crash-looping release shows as restarts per pod and error exits, its objective judged as with the seed features', async () => {
    const { simulation, source, play } = warmedUp(FEATURE_SET_V2_NAMES);
    expect((await source.collect(backend)).values[OBJECTIVE_VIOLATED_FEATURE]).toBe(0);
    simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'bad-config', strength: 1 });
    play(4 * 60_000);

    const observation = await source.collect(backend);

    expect(observation.values.restarts_per_pod).toBeGreaterThan(0.5);
    expect(observation.values.error_exit_pod_ratio).toBeGreaterThan(0);
    expect(observation.values.rollout_in_progress).toBe(1);
    // The Deployment is younger than the 30-minute look-back: the previous release and the error ratio's rise have nothing to compare with.
    expect(observation.missing.map((m) => [m.feature, m.kind])).toEqual([
      ['previous_release_error_ratio', 'no-history'],
      ['previous_release_ready_ratio', 'no-history'],
      ['http_error_ratio_rise', 'no-history'],
    ]);
  });

  it('reports every v2 feature of a Deployment it has no series for as missing data', async () => {
    const { source } = warmedUp(FEATURE_SET_V2_NAMES);
    const observation = await source.collect({ namespace: 'prod', kind: 'Deployment', name: 'absent' });
    expect(Object.values(observation.values).every((value) => value === null)).toBe(true);
    expect(observation.missing.filter((m) => m.feature !== OBJECTIVE_VIOLATED_FEATURE).every((m) => m.kind === 'no-data')).toBe(true);
  });

  it('refuses a feature it cannot compute, naming it and what it can', () => {
    expect(() => createSandboxFeatureSource({ scrape: () => [], now: () => 0, timer: false, featureNames: ['http_error_ratio', 'queue_depth'] })).toThrow(/cannot compute feature\(s\) queue_depth; this source computes the seed features and feature set v2/);
  });
});

import { describe, expect, it } from 'vitest';
import { createSimulation } from '@autoheal/sandbox';
import type { Episode } from './episode.js';
import { simulateRun, type SimulationFactory } from './sandbox-dataset.js';
import type { RunScenario, WorkloadScenario } from './scenarios.js';

const minute = 60_000;
const onsetMs = 13 * minute;
const faulty = (name: string, fault: WorkloadScenario['kind'] & string, strength: number, heal: WorkloadScenario['heal']): WorkloadScenario => ({
  name,
  replicas: 3,
  requestsPerSecond: 60,
  kind: fault,
  heldOutShape: false,
  fault: { type: fault as 'bad-release', strength, onsetMs },
  ...(heal ? { heal } : {}),
});

const run: RunScenario = {
  index: 0,
  seed: 11,
  fold: 'train',
  warmupMs: 10 * minute,
  durationMs: 25 * minute,
  workloads: [
    faulty('rolled-back', 'bad-release', 0.6, { action: 'rollback', correct: true, afterViolationMs: 30_000 }),
    faulty('restarted', 'bad-release', 0.6, { action: 'restart', correct: false, afterViolationMs: 30_000 }),
    faulty('unhealed', 'bad-release', 0.6, undefined),
    faulty('scaled', 'cpu-saturation', 0.9, { action: 'scale-out', correct: true, afterViolationMs: 15_000 }),
    // The leak is restarted in its run-up (a predictive heal), before its first OOM kill.
    faulty('leaking', 'memory-leak', 0.5, { action: 'restart', correct: true, afterViolationMs: 30_000, atMs: onsetMs + 3 * minute }),
    faulty('bloated', 'cache-bloat', 0.6, { action: 'clear-cache', correct: true, afterViolationMs: 30_000 }),
  ],
};

describe('recovery scenarios on the real sandbox simulation', () => {
  const episodes = simulateRun(run, { createSimulation: createSimulation as unknown as SimulationFactory });
  const byName = (name: string) => episodes.find((e) => e.id === `run-0/${name}`) as Episode;
  const after = (episode: Episode) => episode.times.map((t, i) => ({ t, label: episode.labels[i]!, violating: episode.violating[i]! })).filter(({ t }) => t > episode.heal!.at);

  it('a rollback ends the bad release\'s breach, and the episode goes on with negative post-heal samples', () => {
    const episode = byName('rolled-back');
    expect(episode.heal).toMatchObject({ action: 'rollback', correct: true });
    expect(episode.heal!.at).toBeGreaterThan(episode.faultOnset!);
    const post = after(episode);
    // Recorded to the end of the run (25 minutes after the warm-up), not just to the breach.
    expect(post.length).toBeGreaterThan(10 * 4);
    // Healthy again within a few minutes, and stays healthy: negatives, not in a breach.
    const recovered = post.filter(({ t }) => t > episode.heal!.at + 4 * minute);
    expect(recovered.length).toBeGreaterThan(0);
    expect(recovered.every(({ violating, label }) => !violating && !label.inBreach && label.label === 0)).toBe(true);
  });

  it('a restart leaves a bad release broken: it keeps violating after the heal', () => {
    const episode = byName('restarted');
    expect(episode.heal).toMatchObject({ action: 'restart', correct: false });
    const post = after(episode);
    expect(post.length).toBeGreaterThan(8);
    expect(post.slice(4, 20).every(({ violating, label }) => violating && label.inBreach)).toBe(true);
  });

  it('without a heal the episode ends with its first breach, as before', () => {
    const episode = byName('unhealed');
    expect(episode.heal).toBeNull();
    expect(episode.breaches).toHaveLength(1);
    expect(episode.times.at(-1)).toBe(episode.breaches[0]!.end);
  });

  it('scaling out absorbs a traffic spike: no violation from a few minutes after the heal', () => {
    const episode = byName('scaled');
    expect(episode.heal).toMatchObject({ action: 'scale-out', correct: true });
    const settled = after(episode).filter(({ t }) => t > episode.heal!.at + 4 * minute);
    expect(settled.length).toBeGreaterThan(0);
    expect(settled.every(({ violating }) => !violating)).toBe(true);
  });

  it('a restart in the run-up of a leak gives the pods their memory back', () => {
    const episode = byName('leaking');
    expect(episode.heal).toMatchObject({ action: 'restart', correct: true, at: episode.faultOnset! + 3 * minute });
    const memory = (t: number) => episode.features[episode.times.indexOf(t)]![2]!;
    // New pods start without the leaked memory (the old pods' last samples linger in the average for a while, as in Prometheus).
    expect(memory(episode.heal!.at + 30_000)).toBeLessThan(memory(episode.heal!.at) - 50e6);
    // Recorded on after the heal, with negative samples and no violation right after it.
    const post = after(episode).filter(({ t }) => t <= episode.heal!.at + 2 * minute);
    expect(post.length).toBe(8);
    expect(post.every(({ violating, label }) => !violating && !label.inBreach)).toBe(true);
  });

  it('a cache clear ends the bloated cache\'s violation; the cache grows again, so it may come back later', () => {
    const episode = byName('bloated');
    expect(episode.heal).toMatchObject({ action: 'clear-cache', correct: true });
    expect(episode.violating[episode.times.indexOf(episode.heal!.at)]).toBe(true);
    const post = after(episode);
    // Out of the breach within two minutes, then at least two minutes without a violation.
    const recovered = post.findIndex(({ violating }) => !violating);
    expect(post[recovered]!.t - episode.heal!.at).toBeLessThanOrEqual(2 * minute);
    expect(post.slice(recovered, recovered + 8).every(({ violating, label }) => !violating && !label.inBreach)).toBe(true);
  });
});

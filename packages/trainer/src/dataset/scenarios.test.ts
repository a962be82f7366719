import { describe, expect, it } from 'vitest';
import { CORRECT_HEAL, generateScenarios } from './scenarios.js';

describe('generateScenarios: recovery scenarios', () => {
  const runs = generateScenarios({ seed: 1, runs: 64 });
  const workloads = runs.flatMap((run) => run.workloads.map((w) => ({ run, w })));

  it('heals only faulty workloads, mostly with the right action, sometimes with a restart that does not help', () => {
    const healed = workloads.filter(({ w }) => w.heal);
    expect(healed.every(({ w }) => w.fault !== undefined)).toBe(true);
    for (const { w } of healed) {
      const heal = w.heal!;
      if (heal.correct) expect(heal.action).toBe(CORRECT_HEAL[w.fault!.type]);
      else {
        expect(heal.action).toBe('restart');
        expect(w.fault!.type).not.toBe('memory-leak');
      }
      if (heal.atMs !== undefined) expect(heal.atMs).toBeGreaterThan(w.fault!.onsetMs);
    }
    const faulty = workloads.filter(({ w }) => w.fault).length;
    expect(healed.length / faulty).toBeGreaterThan(0.4);
    expect(healed.length / faulty).toBeLessThan(0.8);
    // Every fold, the test fold included, has correct and wrong heals.
    for (const fold of ['train', 'test'] as const) {
      const inFold = healed.filter(({ run }) => run.fold === fold);
      expect(inFold.some(({ w }) => w.heal!.correct)).toBe(true);
      expect(inFold.some(({ w }) => !w.heal!.correct)).toBe(true);
    }
  });

  it('draws heal plans from their own stream: without them every other draw is the same', () => {
    const without = generateScenarios({ seed: 1, runs: 64, heals: false });
    expect(without.flatMap((run) => run.workloads).some((w) => w.heal)).toBe(false);
    const stripped = runs.map((run) => ({ ...run, workloads: run.workloads.map(({ heal: _heal, ...w }) => w) }));
    expect(stripped).toEqual(without);
    expect(generateScenarios({ seed: 1, runs: 64 })).toEqual(runs);
  });
});

describe('generateScenarios: model v1\'s frozen surge', () => {
  it('keeps the cpu-saturation v1 was trained on: a step (rampMs 0) to 1 + 4 × strength times the load', () => {
    const surges = generateScenarios({ seed: 1, runs: 64 }).flatMap((run) => run.workloads.flatMap((w) => (w.fault?.type === 'cpu-saturation' ? [w.fault] : [])));
    expect(surges.length).toBeGreaterThan(0);
    for (const fault of surges) expect(fault).toMatchObject({ rampMs: 0, peak: 'load-multiplier' });
  });
});

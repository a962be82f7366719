import { describe, expect, it } from 'vitest';
import { buildV2Scenarios, V2_SATURATION_PEAK, V2_WARMUP_MS } from './v2-scenarios.js';

describe('the v2 scenarios', () => {
  const scenarios = buildV2Scenarios(1);

  it('warm up for the 30-minute look-back, so the first sample has a long-running workload\'s history', () => {
    expect(V2_WARMUP_MS).toBe(30 * 60_000);
    expect(new Set(scenarios.map(({ scenario }) => scenario.warmupMs))).toEqual(new Set([V2_WARMUP_MS]));
  });

  it('play every CPU surge with the trained peak (the ramp to 1 + 4 × strength), and no other fault with a peak', () => {
    const faults = scenarios.flatMap(({ scenario }) => scenario.workloads.flatMap((w) => (w.fault ? [w.fault] : [])));
    const surges = faults.filter((fault) => fault.type === 'cpu-saturation');
    expect(surges.length).toBeGreaterThan(0);
    expect(V2_SATURATION_PEAK).toBe('load-multiplier');
    expect(surges.every((fault) => fault.peak === V2_SATURATION_PEAK && fault.rampMs === undefined)).toBe(true);
    expect(faults.filter((fault) => fault.type !== 'cpu-saturation').every((fault) => fault.peak === undefined)).toBe(true);
  });
});

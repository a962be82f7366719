import { describe, expect, it } from 'vitest';
import { DEFAULT_OBJECTIVE, findBreaches, labelSamples, violatesObjective } from './label.js';

const values = (ready: number | null, errors: number | null) => ({
  restart_count_last_5m: 0, cpu_usage_pct: 1, memory_usage_bytes: 1, ready_replica_ratio: ready, unavailable_replicas: 0, network_receive_bytes_per_s: 1, http_5xx_error_rate: errors,
});
const times = Array.from({ length: 40 }, (_, i) => i * 15_000);

describe('violatesObjective', () => {
  it('flags a ready ratio under 0.5 and 5xx over 5% of requests', () => {
    expect(violatesObjective({ values: values(0.4, 0), requestsPerSecond: 10 }, DEFAULT_OBJECTIVE)).toBe(true);
    expect(violatesObjective({ values: values(0.5, 0.5), requestsPerSecond: 10 }, DEFAULT_OBJECTIVE)).toBe(false);
    expect(violatesObjective({ values: values(1, 0.6), requestsPerSecond: 10 }, DEFAULT_OBJECTIVE)).toBe(true);
  });

  it('never counts a missing signal as a violation', () => {
    expect(violatesObjective({ values: values(null, null), requestsPerSecond: null }, DEFAULT_OBJECTIVE)).toBe(false);
  });
});

describe('findBreaches', () => {
  it('keeps stretches sustained for 60 s and drops shorter blips', () => {
    const bad = times.map((t) => (t >= 30_000 && t <= 75_000) || (t >= 300_000 && t <= 360_000));
    expect(findBreaches(times, bad, DEFAULT_OBJECTIVE)).toEqual([{ start: 300_000, end: 360_000 }]);
  });
});

describe('labelSamples', () => {
  it('labels samples up to the horizon before a breach positive and marks samples inside it', () => {
    const labels = labelSamples(times, [{ start: 450_000, end: 510_000 }], 300_000);
    expect(labels[9]).toEqual({ label: 0, inBreach: false, msToBreach: null }); // 135 s: 315 s before
    expect(labels[10]).toEqual({ label: 1, inBreach: false, msToBreach: 300_000 }); // exactly H before
    expect(labels[29]).toEqual({ label: 1, inBreach: false, msToBreach: 15_000 });
    expect(labels[30]).toEqual({ label: 0, inBreach: true, msToBreach: null });
    expect(labels[34]).toEqual({ label: 0, inBreach: true, msToBreach: null });
    expect(labels[35]).toEqual({ label: 0, inBreach: false, msToBreach: null });
  });
});

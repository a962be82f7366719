import { describe, expect, it } from 'vitest';
import type { Episode } from '../dataset/episode.js';
import { evaluatePostHeal } from './post-heal.js';

const t0 = Date.UTC(2025, 0, 1);
const times = Array.from({ length: 24 }, (_, i) => t0 + i * 15_000);
const episode = (id: string, correct: boolean, at: number, atRisk: (i: number) => 'positive' | 'breach' | 'fine'): Episode => ({
  id,
  seed: 1,
  fold: 'test',
  kind: 'bad-release',
  strength: 0.5,
  faultOnset: t0,
  heldOutShape: false,
  times,
  features: times.map(() => [0, 0, 0, 1, 0, 0, 0]),
  labels: times.map((_, i) => ({ label: atRisk(i) === 'positive' ? 1 : 0, inBreach: atRisk(i) === 'breach', msToBreach: null })),
  violating: times.map((_, i) => atRisk(i) === 'breach'),
  breaches: [],
  heal: { action: correct ? 'rollback' : 'restart', correct, at },
});

describe('evaluatePostHeal', () => {
  // Healed at sample 4; fine afterwards except a relapse (positives) from sample 20.
  const healed = episode('a', true, times[4]!, (i) => (i >= 20 ? 'positive' : i <= 4 ? 'breach' : 'fine'));
  // The wrong heal at sample 2: in breach throughout.
  const broken = episode('b', false, times[2]!, () => 'breach');
  const unhealed = { ...episode('c', true, 0, () => 'fine'), heal: null };
  // Flags samples 10 and 11 of the healed episode and every other sample of the broken one.
  const scorer = (e: Episode) => e.times.map((_, i) => (e.id === 'a' ? (i === 10 || i === 11 || i >= 21 ? 0.9 : 0.1) : i % 2 === 0 ? 0.9 : 0.1));

  it('counts false positives after a correct heal and recall after a wrong one, over every post-heal sample and at the re-check', () => {
    const rows = evaluatePostHeal([healed, broken, unhealed], scorer, { threshold: 0.5, recheckDelayMs: 90_000 });
    const row = (heal: string, window: string) => rows.find((r) => r.heal === heal && r.window === window)!.counts;
    // After sample 4: samples 5..19 fine (15, two flagged), 20..23 at risk (4, three flagged).
    expect(row('correct', 'all')).toEqual({ episodes: 1, notAtRisk: 15, notAtRiskFlagged: 2, atRisk: 4, atRiskFlagged: 3 });
    // Re-check: 90 s after sample 4 is sample 10; the minute from there is samples 10..13.
    expect(row('correct', 'recheck')).toEqual({ episodes: 1, notAtRisk: 4, notAtRiskFlagged: 2, atRisk: 0, atRiskFlagged: 0 });
    // After sample 2: samples 3..23 in breach (21), the even ones flagged (10).
    expect(row('wrong', 'all')).toEqual({ episodes: 1, notAtRisk: 0, notAtRiskFlagged: 0, atRisk: 21, atRiskFlagged: 10 });
  });
});

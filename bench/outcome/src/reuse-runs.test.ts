import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PolicyDefinition } from './policies.js';
import { reusableRuns } from './reuse-runs.js';
import type { RunResult } from './run-scenario.js';

const control: PolicyDefinition = { name: 'no-healing', description: 'the control', healing: null };
const judged: PolicyDefinition = { name: 'judged', description: 'a model', healing: { model: { kind: 'constant', probability: 0.1 }, policy: {}, evaluationIntervalMs: 15_000 } };
const WARMUP = 30 * 60_000;
const run = (scenario: string, policy: string, warmupMs = WARMUP) => ({ scenario, policy, window: { startMs: warmupMs, endMs: warmupMs + 45 * 60_000 } }) as unknown as RunResult;

function earlier(policies: PolicyDefinition[], runs: RunResult[], seed = 1): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'outcome-reuse-'));
  writeFileSync(path.join(directory, 'outcome.json'), JSON.stringify({ facts: { command: 'npm run bench:outcome', date: '2026-12-07', seed, wallMs: 60_000 }, policies, failures: [] }));
  writeFileSync(path.join(directory, 'outcome-runs.json'), JSON.stringify(runs));
  return directory;
}

describe('reusing the runs of unchanged policies', () => {
  it('takes every run of a policy defined exactly as before, on the same scenarios', () => {
    const directory = earlier([control, judged], [run('a', 'no-healing'), run('b', 'no-healing'), run('a', 'judged'), run('b', 'judged')]);

    const { runs, reused } = reusableRuns(directory, 1, WARMUP, ['a', 'b'], [control, judged]);

    expect(reused.policies).toEqual(['no-healing', 'judged']);
    expect(runs).toHaveLength(4);
  });

  it('runs again a policy whose definition changed, one missing a scenario, and everything under another seed', () => {
    const directory = earlier([control, judged], [run('a', 'no-healing'), run('a', 'judged'), run('b', 'judged')]);
    const changed = { ...judged, healing: { ...judged.healing!, model: { kind: 'constant' as const, probability: 0.9 } } };

    expect(reusableRuns(directory, 1, WARMUP, ['a', 'b'], [control, changed]).reused.policies).toEqual([]);
    expect(reusableRuns(directory, 1, WARMUP, ['a', 'b'], [control, judged]).reused.policies).toEqual(['judged']);
    expect(reusableRuns(directory, 2, WARMUP, ['a', 'b'], [control, judged]).reused.policies).toEqual([]);
  });

  it('runs again the runs of another warm-up (the same scenario ids, another onset)', () => {
    const directory = earlier([control], [run('a', 'no-healing', 10 * 60_000), run('b', 'no-healing', 10 * 60_000)]);

    expect(reusableRuns(directory, 1, WARMUP, ['a', 'b'], [control]).reused.policies).toEqual([]);
  });
});

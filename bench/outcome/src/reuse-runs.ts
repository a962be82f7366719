/**
 * `--reuse DIR`: the runs of a previous benchmark whose policies have not changed, instead of playing
 * them again. A run is a pure function of its scenario (from the catalogue seed) and its policy (the
 * runner's test checks that a scenario replays identically), so a policy whose definition is the same
 * as in DIR's `outcome.json`, on the same catalogue, gives the same runs: e.g. when only autoheal's
 * default model changed, the control, the reactive healer and the original need not run again.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunFacts } from './markdown-report.js';
import type { PolicyDefinition } from './policies.js';
import type { RunResult } from './run-scenario.js';

/** What a report says about the runs it took from an earlier one. */
export interface ReusedRuns {
  from: string;
  /** The earlier run's command, date, wall time and number of runs. */
  command: string;
  date: string;
  wallMs: number;
  policies: string[];
  runs: number;
}

/**
 * The runs of `policies` that `directory` holds for exactly `scenarioIds` with the same warm-up, for
 * each policy defined there exactly as now; the policies not listed in `reused.policies` must be run.
 * (A scenario's id does not name its warm-up, which moves its onset: runs with another one differ.)
 */
export function reusableRuns(directory: string, seed: number, warmupMs: number, scenarioIds: readonly string[], policies: readonly PolicyDefinition[]): { runs: RunResult[]; reused: ReusedRuns } {
  const previous = JSON.parse(readFileSync(path.join(directory, 'outcome.json'), 'utf8')) as { facts: RunFacts; policies: PolicyDefinition[]; failures: unknown[] };
  const runs = JSON.parse(readFileSync(path.join(directory, 'outcome-runs.json'), 'utf8')) as RunResult[];
  const wanted = new Set(scenarioIds);
  const taken: RunResult[] = [];
  const names: string[] = [];
  if (previous.facts.seed === seed) {
    for (const policy of policies) {
      const before = previous.policies.find((p) => p.name === policy.name);
      if (!before || JSON.stringify(before) !== JSON.stringify(policy)) continue;
      const own = runs.filter((run) => run.policy === policy.name && wanted.has(run.scenario) && run.window.startMs === warmupMs);
      // Every scenario exactly once, none failed: otherwise the policy runs again.
      if (own.length !== wanted.size || new Set(own.map((run) => run.scenario)).size !== wanted.size) continue;
      taken.push(...own);
      names.push(policy.name);
    }
  }
  return {
    runs: taken,
    reused: { from: directory, command: previous.facts.command, date: previous.facts.date, wallMs: previous.facts.wallMs, policies: names, runs: taken.length },
  };
}

/**
 * From runs to the figures the benchmark reports, per policy and group (each fault type, the
 * gradual and the sudden faults, healthy days, the whole catalogue), and the targets of issues 15
 * and 16.
 *
 * - breach-minutes and failed requests: sums over the group's runs (ground truth, measured window);
 * - onset → first action and onset → recovered: median and 90th percentile over the group's fault
 *   runs, a run without an action (or not recovered by its end) counting as later than any other;
 *   `null` when that percentile falls on such a run;
 * - actions and wrong actions: sums (see `judge-actions.ts`);
 * - false heals: steps taken on healthy scenarios, per healthy workload-day (the healthy scenarios'
 *   measured time, in days).
 */
import { faultPace, type FaultType } from '@autoheal/sandbox';
import { AUTOHEAL_DEFAULTS, AUTOHEAL_LADDER, NO_HEALING, REACTIVE } from './policies.js';
import type { RunResult } from './run-scenario.js';

const dayMs = 24 * 60 * 60_000;

/** The figures of one policy over one group of scenarios. */
export interface GroupSummary {
  policy: string;
  /** A fault type, `healthy`, `gradual faults`, `sudden faults`, `all faults` or `catalogue`. */
  group: string;
  runs: number;
  breachMinutes: number;
  /** 1 − breach-minutes / the control's over the same scenarios; `null` when the control had none. */
  breachReductionVsNoHealing: number | null;
  failedRequests: number;
  requests: number;
  onsetToFirstActionS: { median: number | null; p90: number | null; runsWithoutAction: number };
  onsetToRecoveredS: { median: number | null; p90: number | null; runsNotRecovered: number };
  actions: number;
  wrongActions: number;
  /** Steps on healthy scenarios. */
  falseHeals: number;
  healthyWorkloadDays: number;
  falseHealsPerHealthyDay: number | null;
}

/** One target of issue 15, met or not. */
export interface TargetVerdict {
  target: string;
  measured: string;
  met: boolean;
}

/** The `q` quantile (nearest rank) of `values`, where `Infinity` stands for "never"; `null` when it falls on one. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const value = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
  return Number.isFinite(value) ? value : null;
}

/** The groups a run belongs to. */
function groupsOf(run: RunResult): string[] {
  if (run.family === 'healthy') return ['healthy', 'catalogue'];
  return [run.family, `${faultPace[run.family as FaultType]} faults`, 'all faults', 'catalogue'];
}

function summarizeGroup(policy: string, group: string, runs: readonly RunResult[], control: readonly RunResult[] | undefined): GroupSummary {
  const faultRuns = runs.filter((run) => run.onsetMs !== null);
  const healthyRuns = runs.filter((run) => run.family === 'healthy');
  const breachMinutes = runs.reduce((sum, run) => sum + run.breachMs, 0) / 60_000;
  const controlMinutes = control?.reduce((sum, run) => sum + run.breachMs, 0);
  const firstActions = faultRuns.map((run) => (run.firstActionAfterOnsetMs === null ? Number.POSITIVE_INFINITY : run.firstActionAfterOnsetMs / 1000));
  const recoveries = faultRuns.map((run) => (run.recoveredAfterOnsetMs === null ? Number.POSITIVE_INFINITY : run.recoveredAfterOnsetMs / 1000));
  const healthyWorkloadDays = healthyRuns.reduce((sum, run) => sum + (run.window.endMs - run.window.startMs), 0) / dayMs;
  const falseHeals = healthyRuns.reduce((sum, run) => sum + run.actions.length, 0);
  return {
    policy,
    group,
    runs: runs.length,
    breachMinutes,
    breachReductionVsNoHealing: controlMinutes ? 1 - breachMinutes / (controlMinutes / 60_000) : null,
    failedRequests: runs.reduce((sum, run) => sum + run.failedRequests, 0),
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    onsetToFirstActionS: { median: quantile(firstActions, 0.5), p90: quantile(firstActions, 0.9), runsWithoutAction: firstActions.filter((v) => !Number.isFinite(v)).length },
    onsetToRecoveredS: { median: quantile(recoveries, 0.5), p90: quantile(recoveries, 0.9), runsNotRecovered: recoveries.filter((v) => !Number.isFinite(v)).length },
    actions: runs.reduce((sum, run) => sum + run.actions.length, 0),
    wrongActions: runs.reduce((sum, run) => sum + run.actions.filter((action) => action.wrong).length, 0),
    falseHeals,
    healthyWorkloadDays,
    falseHealsPerHealthyDay: healthyWorkloadDays > 0 ? falseHeals / healthyWorkloadDays : null,
  };
}

/** The group order of the tables: fault types as they come, then the aggregates. */
function groupOrder(runs: readonly RunResult[]): string[] {
  const families = [...new Set(runs.map((run) => run.family).filter((family) => family !== 'healthy'))];
  return [...families, 'gradual faults', 'sudden faults', 'all faults', 'healthy', 'catalogue'];
}

/** Every policy × group summary, in table order (groups, then policies in the order given). */
export function summarize(runs: readonly RunResult[], policies: readonly string[]): GroupSummary[] {
  const byKey = new Map<string, RunResult[]>();
  for (const run of runs) {
    for (const group of groupsOf(run)) {
      const key = `${run.policy}\u0000${group}`;
      const list = byKey.get(key) ?? [];
      list.push(run);
      byKey.set(key, list);
    }
  }
  const summaries: GroupSummary[] = [];
  for (const group of groupOrder(runs)) {
    for (const policy of policies) {
      const groupRuns = byKey.get(`${policy}\u0000${group}`);
      if (!groupRuns) continue;
      summaries.push(summarizeGroup(policy, group, groupRuns, byKey.get(`${NO_HEALING}\u0000${group}`)));
    }
  }
  return summaries;
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/**
 * Issue 15's targets for autoheal's defaults, issue 16's (the diagnosis against the fixed ladder),
 * each met or not, and the run's throughput. A target whose policies are not in the run is left out.
 */
export function judgeTargets(summaries: readonly GroupSummary[], run: { runs: number; wallMs: number }): TargetVerdict[] {
  const find = (policy: string, group: string) => summaries.find((s) => s.policy === policy && s.group === group);
  const verdicts: TargetVerdict[] = [];
  const defaults = find(AUTOHEAL_DEFAULTS, 'catalogue');
  const control = find(NO_HEALING, 'catalogue');
  if (defaults && control && control.breachMinutes > 0) {
    const reduction = 1 - defaults.breachMinutes / control.breachMinutes;
    verdicts.push({
      target: "≥ 80% fewer breach-minutes than no healing over the catalogue (autoheal's defaults)",
      measured: `${percent(reduction)} (${defaults.breachMinutes.toFixed(1)} vs ${control.breachMinutes.toFixed(1)} min)`,
      met: reduction >= 0.8,
    });
  }
  const gradual = find(AUTOHEAL_DEFAULTS, 'gradual faults');
  const reactive = find(REACTIVE, 'gradual faults');
  if (gradual && reactive && reactive.breachMinutes > 0) {
    const reduction = 1 - gradual.breachMinutes / reactive.breachMinutes;
    verdicts.push({
      target: "≥ 50% fewer breach-minutes than the reactive healer on the gradual faults (autoheal's defaults)",
      measured: `${percent(reduction)} (${gradual.breachMinutes.toFixed(1)} vs ${reactive.breachMinutes.toFixed(1)} min)`,
      met: reduction >= 0.5,
    });
  }
  const healthy = find(AUTOHEAL_DEFAULTS, 'healthy');
  if (healthy && healthy.falseHealsPerHealthyDay !== null) {
    verdicts.push({
      target: "≤ 0.1 false heals per healthy workload-day (autoheal's defaults)",
      measured: `${healthy.falseHealsPerHealthyDay.toFixed(2)} (${healthy.falseHeals} over ${healthy.healthyWorkloadDays.toFixed(2)} workload-days)`,
      met: healthy.falseHealsPerHealthyDay <= 0.1,
    });
  }
  // Issue 16: the diagnosis against the same defaults with the fixed ladder.
  const diagnosed = find(AUTOHEAL_DEFAULTS, 'all faults');
  const laddered = find(AUTOHEAL_LADDER, 'all faults');
  if (diagnosed && laddered && laddered.wrongActions > 0) {
    const reduction = 1 - diagnosed.wrongActions / laddered.wrongActions;
    verdicts.push({
      target: "≥ 50% fewer wrong actions than the fixed ladder over the faults (autoheal's defaults, strategy diagnose vs ladder)",
      measured: `${percent(reduction)} (${diagnosed.wrongActions} vs ${laddered.wrongActions})`,
      met: reduction >= 0.5,
    });
  }
  const faultGroups = [...new Set(summaries.filter((s) => s.policy === AUTOHEAL_LADDER).map((s) => s.group))].filter((group) => !group.includes(' ') && group !== 'healthy' && group !== 'catalogue');
  if (diagnosed && laddered && faultGroups.length > 0) {
    // Worse: more breach-minutes over the same scenarios (a 0.05 min margin absorbs float noise only).
    const worse = faultGroups.filter((group) => (find(AUTOHEAL_DEFAULTS, group)?.breachMinutes ?? 0) > (find(AUTOHEAL_LADDER, group)?.breachMinutes ?? 0) + 0.05);
    verdicts.push({
      target: 'no fault type with more breach-minutes under the diagnosis than under the fixed ladder',
      measured: worse.length === 0 ? `none of ${faultGroups.length}` : worse.map((group) => `${group} ${find(AUTOHEAL_DEFAULTS, group)!.breachMinutes.toFixed(1)} vs ${find(AUTOHEAL_LADDER, group)!.breachMinutes.toFixed(1)} min`).join('; '),
      met: worse.length === 0,
    });
  }
  verdicts.push({
    target: '≥ 1,000 scenario × policy runs in ≤ 10 minutes on this 2-core machine',
    measured: `${run.runs} runs in ${(run.wallMs / 60_000).toFixed(1)} min`,
    met: run.runs >= 1000 && run.wallMs <= 10 * 60_000,
  });
  return verdicts;
}

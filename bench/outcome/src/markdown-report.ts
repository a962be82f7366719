/** The benchmark's Markdown: the results table, the targets met or not, and where the time went. */
import type { PolicyDefinition } from './policies.js';
import type { ReusedRuns } from './reuse-runs.js';
import type { GroupSummary, TargetVerdict } from './summarize.js';

/** What the report says about the run itself. */
export interface RunFacts {
  command: string;
  date: string;
  seed: number;
  scenarios: number;
  runs: number;
  failedRuns: number;
  workers: number;
  wallMs: number;
  /** CPU time of every process of the run (the command and its workers). */
  cpuMs: number;
  /** Load average (1 minute) at the start and the end. */
  load: [number, number];
  /** Summed wall-clock time of the runs, by part. */
  timings: Record<string, number>;
  /** Runs taken from an earlier benchmark (`--reuse`): not counted in `runs`, the times or the timing target. */
  reused?: ReusedRuns;
}

const integer = (value: number) => Math.round(value).toLocaleString('en-US');
const seconds = (value: number | null) => (value === null ? '—' : `${Math.round(value)}`);

function row(summary: GroupSummary): string {
  const faults = summary.group !== 'healthy';
  const share = summary.requests > 0 ? ` (${((summary.failedRequests / summary.requests) * 100).toFixed(2)}%)` : '';
  const first = faults ? `${seconds(summary.onsetToFirstActionS.median)} / ${seconds(summary.onsetToFirstActionS.p90)}${summary.onsetToFirstActionS.runsWithoutAction ? ` (${summary.onsetToFirstActionS.runsWithoutAction} none)` : ''}` : '—';
  const recovered = faults ? `${seconds(summary.onsetToRecoveredS.median)} / ${seconds(summary.onsetToRecoveredS.p90)}${summary.onsetToRecoveredS.runsNotRecovered ? ` (${summary.onsetToRecoveredS.runsNotRecovered} not)` : ''}` : '—';
  const reduction = summary.breachReductionVsNoHealing === null ? '—' : `${(summary.breachReductionVsNoHealing * 100).toFixed(0)}%`;
  const falseHeals = summary.falseHealsPerHealthyDay === null ? '—' : `${summary.falseHealsPerHealthyDay.toFixed(2)} (${summary.falseHeals})`;
  return `| ${summary.group} | ${summary.policy} | ${summary.runs} | ${summary.breachMinutes.toFixed(1)} | ${reduction} | ${integer(summary.failedRequests)}${share} | ${first} | ${recovered} | ${summary.actions} | ${summary.wrongActions} | ${falseHeals} |`;
}

/** The results table (one row per group × policy). */
export function resultsTable(summaries: readonly GroupSummary[]): string {
  return [
    '| scenarios | policy | runs | breach-min | fewer than no healing | failed requests (share) | onset → first action, median / p90 (s) | onset → recovered, median / p90 (s) | actions | wrong actions | false heals per healthy workload-day (steps) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...summaries.map(row),
  ].join('\n');
}

/** The targets, met or not. */
export function targetsTable(verdicts: readonly TargetVerdict[]): string {
  return ['| target | measured | met |', '|---|---|---|', ...verdicts.map((v) => `| ${v.target} | ${v.measured} | ${v.met ? '**met**' : '**not met**'} |`)].join('\n');
}

/** The whole report. */
export function markdownReport(facts: RunFacts, policies: readonly PolicyDefinition[], summaries: readonly GroupSummary[], verdicts: readonly TargetVerdict[]): string {
  const total = Object.values(facts.timings).reduce((a, b) => a + b, 0) - (facts.timings.totalMs ?? 0);
  const parts = Object.entries(facts.timings)
    .filter(([key]) => key !== 'totalMs')
    .map(([key, value]) => `${key.replace(/Ms$/, '')} ${((value / (facts.timings.totalMs || total || 1)) * 100).toFixed(0)}%`)
    .join(', ');
  return [
    `# Outcome benchmark — ${facts.date}`,
    '',
    `\`${facts.command}\`: seed ${facts.seed}, ${facts.scenarios} scenarios × ${policies.length - (facts.reused?.policies.length ?? 0)} policies = ${facts.runs} runs${facts.failedRuns ? ` (${facts.failedRuns} failed, left out)` : ''}, ${facts.workers} worker processes.`,
    `Wall time ${(facts.wallMs / 60_000).toFixed(1)} min, CPU time ${(facts.cpuMs / 60_000).toFixed(1)} min (all processes), load average ${facts.load[0].toFixed(1)} at the start and ${facts.load[1].toFixed(1)} at the end.`,
    `Where the runs' wall time went: ${parts}.`,
    ...(facts.reused
      ? [
          `Runs of ${facts.reused.policies.join(', ')} (${facts.reused.runs}, unchanged policies, same seed and scenarios) are reused from \`${facts.reused.command}\` (${facts.reused.date}, wall time ${(facts.reused.wallMs / 60_000).toFixed(1)} min); the figures above are this command's own runs only.`,
        ]
      : []),
    '',
    '## Policies',
    '',
    ...policies.map((policy) => `- **${policy.name}**: ${policy.description}`),
    '',
    '## Results',
    '',
    resultsTable(summaries),
    '',
    '## Targets',
    '',
    targetsTable(verdicts),
    '',
  ].join('\n');
}

/**
 * `autoheal status [TARGET...]`: per target, the risk and verdict now, the diagnosis when it is at
 * risk, the ladder position and next step, the cooldown, the circuit breaker (counted from the
 * autoheal Events in its window) and the last actions (from the ladder state and the Events, each
 * with the id of its decision record). Changes nothing.
 */
import { parseArgs } from 'node:util';
import { describeHold, diagnose, targetHoldOf, targetKey, type Diagnosis, type SkippedTarget, type TargetHold, type TargetInspection, type TargetListing, type TargetRef } from '@autoheal/core';
import type { DeploymentEventInfo } from '@autoheal/adapter-kubernetes';
import { COMMON_FLAGS, COMMON_FLAGS_HELP, configFromFlags } from '../common-flags.js';
import { diagnosisText, formatProbability } from '../format-record.js';
import { CliExit, formatTable, type CliIo } from '../io.js';
import { RUN_EXIT } from '../run-exit-codes.js';
import { autohealEventsOf } from '../../circuit-history.js';
import { createAutoheal } from '../../compose.js';
import type { ServerTargets } from '../../target-sources.js';
import { composeParts, formatTime, operatorLogger, type OperatorDeps } from './operator-context.js';
import { parseOrExit, strictParse, parseTargets } from './operator-flags.js';

const HELP = `Usage: autoheal status [TARGET...] [--json]

For each target (default: the config's targets and, with discovery:, the discovered ones, followed
by the Deployments discovery skipped and why: not opted in, or a bad annotation): the risk collected and scored now (unknown, with
the missing signals, when Prometheus has no data), what holds it (HOLD: paused by whom and until
when, paused (all) for a global pause, a maintenance window until its end, rolling-out while the
workload starts or rolls out; autoheal then looks and records but takes no step), the diagnosis when it is at risk (the cause the
loop would name), the attempt n of max and the next step, the cooldown (until lastActionAt +
cooldown), the circuit breaker, and the last actions (the healing.attempt state and the autoheal
Events, each with the id of its decision record: the same id in Slack, the log and the API).
Changes nothing.

The circuit breaker's own count lives in the memory of the running autoheal server; status counts
the steps recorded as Events (AutohealRestart, AutohealCacheClear, AutohealRollback) on the
configured and named targets within policy.circuitBreaker.window, which is what "autoheal heal"
uses too.

${COMMON_FLAGS_HELP}`;

/** One target's status, as printed with --json. */
export interface TargetStatus extends TargetInspection {
  /** What holds it now, in the shape of `GET /api/targets` (`null`: nothing): its first hold, else `rolling-out`. */
  hold: TargetHold | null;
  /** The cause the loop would name now (core's `diagnose`), when the target is at risk. */
  diagnosis?: Diagnosis;
  /** Most recent first: the autoheal Events of the Deployment (`recordId`: their decision record). */
  lastActions: DeploymentEventInfo[];
  /** Set when the Deployment's Events could not be read. */
  eventsError?: string;
}

/** The status command. */
export async function statusCommand(argv: string[], io: CliIo, deps: OperatorDeps = {}): Promise<number> {
  const { values, positionals } = parseOrExit(() => parseArgs({ args: argv, options: { ...COMMON_FLAGS }, ...strictParse }));
  if (values.help) return (io.stdout(`${HELP}\n`), 0);
  const named = parseTargets(positionals);
  const config = await configFromFlags(values, [], io);
  if (named.length === 0 && config.targets.length === 0 && !config.discovery) {
    throw new CliExit(RUN_EXIT.usage, 'no targets: name them (autoheal status prod/backend), list them in the config file under targets:, or discover them (discovery:)');
  }
  const operator = await createAutoheal(config, operatorLogger(config), { ...composeParts(deps), operator: { targets: named.length > 0 ? named : config.targets } });
  try {
    // Without named targets: what the loop evaluates (the config's and the discovered), and what discovery skipped.
    // Named: each judged as the loop judges it (a discovered one by its annotations), skipped ones said so.
    const listing = named.length > 0 ? await namedListing(operator.targets, named, config.targets) : await operator.targets.catalog.targets();
    const targets = listing.targets.map((entry) => entry.target);
    const skipped: SkippedTarget[] = listing.skipped;
    if (targets.length === 0 && skipped.length === 0) throw new CliExit(RUN_EXIT.usage, 'no targets: discovery found no Deployment in the selected namespaces, and none is configured');
    const statuses: TargetStatus[] = [];
    for (const target of targets) {
      const inspection = await operator.pipeline.inspect(target);
      const hold = targetHoldOf({ holds: inspection.holds, ...(inspection.rollingOut !== undefined ? { suppressedReason: 'rolling-out' as const } : {}) });
      const status: TargetStatus = { ...inspection, hold, lastActions: [] };
      if (inspection.assessment.verdict === 'at-risk') status.diagnosis = diagnose(inspection.features, inspection.state);
      try {
        status.lastActions = await autohealEventsOf(operator.healer, target);
      } catch (error) {
        status.eventsError = (error as Error).message;
      }
      statuses.push(status);
    }
    const now = (deps.clock ?? { now: () => Date.now() }).now();
    if (values.json) {
      io.stdout(`${JSON.stringify({ circuitWindowMs: config.policy.circuitBreaker.window, unreadableEvents: operator.unreadableEvents, targets: statuses, skipped }, null, 2)}\n`);
    } else {
      if (statuses.length > 0) io.stdout(statusTable(statuses, now));
      if (skipped.length > 0) io.stdout(skippedTable(skipped));
      for (const status of statuses) io.stdout(details(status, now));
      const circuit = statuses[0]?.circuit ?? operator.pipeline.circuitState();
      io.stdout(
        `\nCircuit breaker: ${circuit.open ? 'OPEN' : 'closed'}, ${circuit.actionsInWindow}/${circuit.maxActions} steps in the last ${Math.round(config.policy.circuitBreaker.window / 60_000)} min, ` +
          'counted from the autoheal Events of the configured and named targets (the running server keeps its own count in memory).\n',
      );
      if (operator.unreadableEvents.length > 0) io.stdout(`The Events of ${operator.unreadableEvents.join(', ')} could not be read: the count may be low.\n`);
    }
    return 0;
  } finally {
    await operator.close();
  }
}

/** Workloads discovery saw and does not evaluate, with why. */
function skippedTable(skipped: readonly SkippedTarget[]): string {
  return `\nNot evaluated (discovery):\n${formatTable(['TARGET', 'WHY', 'DETAIL'], skipped.map((entry) => [targetKey(entry.target), entry.reason, entry.message]))}`;
}

function statusTable(statuses: readonly TargetStatus[], now: number): string {
  return formatTable(
    ['TARGET', 'RISK', 'VERDICT', 'HOLD', 'ATTEMPT', 'NEXT STEP', 'COOLDOWN UNTIL', 'CIRCUIT', 'LAST STEP'],
    statuses.map((s) => [
      targetKey(s.target),
      s.assessment.verdict === 'unknown' ? '—' : `${formatProbability(s.assessment.probability)}/${s.assessment.threshold.toFixed(2)}`,
      s.assessment.verdict,
      holdCell(s.hold, now),
      `${s.ladder.attempt}/${s.ladder.maxAttempts}`,
      s.ladder.nextStep ?? 'none (handoff)',
      s.ladder.cooldownUntil === undefined ? '—' : formatTime(s.ladder.cooldownUntil, now),
      `${s.circuit.open ? 'OPEN' : 'closed'} ${s.circuit.actionsInWindow}/${s.circuit.maxActions}`,
      s.state.lastStep ? `${s.state.lastStep} at ${formatTime(s.state.lastActionAt, now)}` : '—',
    ]),
  );
}

/** The HOLD column: what holds the target, by whom and until when, in a few words. */
export function holdCell(hold: TargetHold | null, now: number): string {
  if (!hold) return '—';
  const until = hold.until !== undefined ? ` until ${formatTime(hold.until, now)}` : '';
  switch (hold.kind) {
    case 'paused':
      return `paused${hold.scope === 'global' ? ' (all)' : ''}${hold.by ? ` by ${hold.by}` : ''}${until}`;
    case 'maintenance':
      return `maintenance "${hold.reason ?? ''}"${until}`;
    case 'pause-unknown':
      return 'pause unknown (acts as paused)';
    case 'rolling-out':
      return 'rolling-out';
  }
}

function details(status: TargetStatus, now: number): string {
  const lines = [`\n${targetKey(status.target)}:`];
  // Every hold in words (who, since, until, why, where the mark is), most specific first.
  for (const hold of status.holds) lines.push(`  held: ${describeHold(hold)}`);
  if (status.rollingOut) lines.push(`  ${status.rollingOut} (an at-risk verdict is not acted on now)`);
  if (status.missing.length > 0) {
    lines.push('  missing signals (unknown never acts):');
    // One line per reason: an unreachable Prometheus is one reason for every signal, said once.
    const featuresByReason = new Map<string, string[]>();
    for (const m of status.missing) featuresByReason.set(m.reason, [...(featuresByReason.get(m.reason) ?? []), m.feature]);
    for (const [reason, features] of featuresByReason) lines.push(`    ${features.join(', ')}: ${reason}`);
  } else if (status.assessment.reason) lines.push(`  ${status.assessment.reason}`);
  if (status.diagnosis) lines.push(`  diagnosis ${diagnosisText(status.diagnosis)}`);
  if (status.ladder.recheckAt !== undefined) lines.push(`  re-check due at ${formatTime(status.ladder.recheckAt, now)}`);
  if (status.eventsError) lines.push(`  Events could not be read: ${status.eventsError}`);
  else if (status.lastActions.length === 0) lines.push('  no autoheal Events');
  else {
    lines.push('  last actions (autoheal Events, most recent first):');
    // The Event's message repeats the record's parts after its headline; the RECORD column carries the id.
    const rows = status.lastActions.slice(0, 5).map((e) => [`    ${e.lastSeen ?? '—'}`, e.type, e.reason, e.recordId ?? '—', headline(e.message)]);
    lines.push(formatTable(['    TIME', 'TYPE', 'REASON', 'RECORD', 'MESSAGE'], rows).trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

/** What happened: an Event's message without the record parts `event-message.ts` appends (` | record …`). */
function headline(message: string): string {
  const cut = message.indexOf(' | record ');
  return cut < 0 ? message : message.slice(0, cut);
}

/** The named targets as a listing: those discovery skips for a bad annotation go to `skipped`, as in the loop. */
async function namedListing(targets: ServerTargets, named: readonly TargetRef[], configured: readonly TargetRef[]): Promise<TargetListing> {
  const skipped = await targets.lookUp(named, configured);
  const left = new Set(skipped.map((entry) => targetKey(entry.target)));
  return { targets: named.filter((target) => !left.has(targetKey(target))).map((target) => ({ target, origin: 'named' })), skipped };
}

/**
 * `autoheal pause TARGET|--all [--reason TEXT] [--until DURATION|TIME]` and `autoheal resume
 * TARGET|--all`: the operator's pause marks (the `autoheal.dev/paused` annotation on the Deployment,
 * or on the pause ConfigMap in autoheal's namespace for every target), written through the
 * Kubernetes healer. Every mode reads them before each decision: a paused target is still looked at
 * and recorded, never acted on (`heal` needs `--force`).
 *
 * Why pause and resume need neither the Lease nor Prometheus: a mark is not a healing step, and it
 * must work when the rest of autoheal does not (that is often when one pauses). `policy.dryRun` does
 * not hold it back either (an operator's explicit ask, like `reset`); `--dry-run` asks the API
 * server to validate the write and persist nothing.
 */
import { hostname, userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { AutohealError, describeIssues, formatIssues, targetKey, type PauseMark, type TargetRef } from '@autoheal/core';
import type { PauseChange, PauseRequest } from '@autoheal/adapter-kubernetes';
import { z } from 'zod';
import { COMMON_FLAGS, COMMON_FLAGS_HELP, configFromFlags } from '../common-flags.js';
import { CliExit, type CliIo } from '../io.js';
import { RUN_EXIT } from '../run-exit-codes.js';
import { createHealerFromConfig } from '../../compose.js';
import { parseDuration } from '../../config/duration.js';
import { formatTime, type OperatorDeps } from './operator-context.js';
import { parseOrExit, strictParse, singleTarget } from './operator-flags.js';

const PAUSE_USAGE = 'autoheal pause TARGET|--all [--reason TEXT] [--until DURATION|TIME] [--by NAME] [--dry-run] [--json]';
const RESUME_USAGE = 'autoheal resume TARGET|--all [--dry-run] [--json]';

const HOLD_TEXT = `While paused, every mode (serve, watch, run, and heal without --force) still collects, scores and
records the target, and takes no step and writes no ladder state: the record is suppressed/paused and
says what the ladder would have done. The episode goes on where it was once resumed.`;

const PAUSE_HELP = `Usage: ${PAUSE_USAGE}

Pauses autoheal for TARGET (the annotation autoheal.dev/paused on the Deployment) or, with --all, for
every target (the same annotation on the ConfigMap autoheal-pause in autoheal's namespace, created
when missing). Pausing again replaces the reason and the end.
${HOLD_TEXT}
The config's policy.pause is the static switch for every target; this is the one you flip at 3 a.m.
Running processes see a target's pause at its next evaluation, a global one within 5 s.

Replaces: kubectl annotate deployment NAME autoheal.dev/paused='{"by":…,"reason":…}' -n NAMESPACE

Exit codes: 0 paused · 10 --dry-run (validated by the API server, nothing written) · 1 usage error
or unknown target · 2 API error (e.g. RBAC: the message names the rule to add).

Options:
      --all                      pause every target instead of one
      --reason TEXT              why (shown by status, the records, Slack and the dashboard)
      --until DURATION|TIME      end the pause by itself: a duration (30m, 2h) or an ISO-8601 time
                                 (2026-12-07T18:00:00Z); without it the pause lasts until resume
      --by NAME                  who pauses (default: your user name and host)
      --dry-run                  validate on the API server, write nothing (policy.dryRun does not
                                 hold a pause back: it is not a healing step)

${COMMON_FLAGS_HELP}`;

const RESUME_HELP = `Usage: ${RESUME_USAGE}

Ends the pause of TARGET (removes the annotation autoheal.dev/paused from the Deployment) or, with
--all, the global pause (removes it from the ConfigMap autoheal-pause). Resuming what is not paused
changes nothing. The config's policy.pause is not touched: a pause set there ends in the config.
A target paused on its own stays paused after resume --all, and the other way round.

Exit codes: 0 resumed (or was not paused) · 10 --dry-run · 1 usage error or unknown target · 2 API error.

Options:
      --all                      end the global pause instead of one target's
      --dry-run                  validate on the API server, write nothing

${COMMON_FLAGS_HELP}`;

const HOW_UNTIL = 'give a duration (30m, 2h) or an ISO-8601 time with its offset (2026-12-07T18:00:00Z)';

/** `--until`: a positive duration from `now` or a future time, as epoch ms. */
function untilSchema(now: number) {
  return z.string().transform((text, ctx) => {
    const duration = parseDuration(text);
    const at = duration !== undefined ? now + duration : z.iso.datetime({ offset: true }).safeParse(text.trim()).success ? Date.parse(text.trim()) : undefined;
    if (at === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration or a time: ${HOW_UNTIL}` });
      return z.NEVER;
    }
    if (at <= now) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is ${duration !== undefined ? 'no time at all' : 'in the past'}: ${HOW_UNTIL} that ends after now` });
      return z.NEVER;
    }
    return at;
  });
}

/** The pause flags, validated: each message names the flag and the fix. */
function pauseFlagsSchema(now: number) {
  return z.object({
    until: untilSchema(now).optional(),
    reason: z.string().trim().min(1, 'is empty: say why, e.g. --reason "db migration"').max(500, 'is longer than 500 characters: keep it to a line; link a ticket').optional(),
    by: z.string().trim().min(1, 'is empty: leave it out to use your user name').max(200).optional(),
  });
}

/** `--all` or exactly one target. */
function scopeOf(all: boolean | undefined, positionals: string[], usage: string): TargetRef | 'all' {
  if (all) {
    if (positionals.length > 0) throw new CliExit(RUN_EXIT.usage, `--all pauses or resumes every target: name no TARGET with it (${usage})`);
    return 'all';
  }
  if (positionals.length === 0) throw new CliExit(RUN_EXIT.usage, `name the target or pass --all: ${usage}`);
  return singleTarget(positionals, usage);
}

/** Who pauses when --by is not given: `user@host`. */
function defaultOperator(env: NodeJS.ProcessEnv): string {
  let user = env.USER ?? env.USERNAME;
  try {
    user ??= userInfo().username;
  } catch {
    // No passwd entry (a container with an arbitrary uid): the host alone still says something.
  }
  return user ? `${user}@${hostname()}` : hostname();
}

/** The mark in words: "by alice@laptop, since … (now), until … (in 120m 0s), reason: db migration". */
function markText(mark: PauseMark, now: number): string {
  const parts = [mark.by ? `by ${mark.by}` : undefined, mark.since !== undefined ? `since ${formatTime(mark.since, now)}` : undefined, mark.until !== undefined ? `until ${formatTime(mark.until, now)}` : 'until resumed', mark.reason ? `reason: ${mark.reason}` : undefined];
  return parts.filter(Boolean).join(', ');
}

/** A 404 of the target: a usage error that names it and how to check it. */
function unknownTarget(error: unknown, target: TargetRef | 'all'): never {
  const notFound = AutohealError.isInstance(error) && (error.details as { httpCode?: number } | undefined)?.httpCode === 404;
  if (notFound && target !== 'all') {
    throw new CliExit(RUN_EXIT.usage, `TARGET "${targetKey(target)}": no Deployment ${target.name} in namespace ${target.namespace} (${error instanceof Error ? error.message : String(error)}). Check the name with: kubectl get deployments -n ${target.namespace}`);
  }
  throw error;
}

/** Runs one pause write with the healer named by the config, and prints what changed. */
async function writeMark(kind: 'pause' | 'resume', values: Parameters<typeof configFromFlags>[0], scope: TargetRef | 'all', request: PauseRequest | null, io: CliIo, now: number): Promise<number> {
  const config = await configFromFlags(values, [], io);
  // The pause ConfigMap is in autoheal's own namespace (leaderElection.namespace, default autoheal).
  const healer = await createHealerFromConfig(config);
  const dryRun = values['dry-run'] === true;
  try {
    let change: PauseChange;
    try {
      change = scope === 'all' ? await healer.pauses.setGlobalPause(request, { dryRun }) : await healer.pauses.setTargetPause(scope, request, { dryRun });
    } catch (error) {
      unknownTarget(error, scope);
    }
    const subject = scope === 'all' ? 'every target' : targetKey(scope);
    if (values.json) {
      io.stdout(`${JSON.stringify({ action: kind, target: scope === 'all' ? null : scope, all: scope === 'all', ...change }, null, 2)}\n`);
    } else {
      const lines: string[] = [];
      const prefix = dryRun ? 'dry-run (validated by the API server, nothing written): ' : '';
      if (kind === 'pause') {
        lines.push(`${prefix}${subject}: paused (${change.where}) ${markText(change.current!, now)}.`);
        if (change.previous) lines.push(`  replaces the pause ${markText(change.previous, now)}.`);
        lines.push(`  autoheal looks and records, and takes no step, until ${change.current!.until !== undefined ? 'then, or ' : ''}autoheal resume ${scope === 'all' ? '--all' : targetKey(scope)}. heal --force still acts.`);
      } else if (!change.changed) {
        lines.push(`${subject}: was not paused (${change.where}); nothing changed.`);
      } else {
        lines.push(`${prefix}${subject}: resumed (${change.where} removed; it was ${markText(change.previous!, now)}).`);
        if (scope === 'all') lines.push("  Targets paused on their own stay paused, and so does every target while the config's policy.pause is on.");
      }
      io.stdout(`${lines.join('\n')}\n`);
    }
    return dryRun && change.changed ? RUN_EXIT.dryRun : RUN_EXIT.ok;
  } finally {
    await healer.close?.();
  }
}

/** The pause command. `deps.clock` sets "now" (tests run on the sandbox's virtual time). */
export async function pauseCommand(argv: string[], io: CliIo, deps: Pick<OperatorDeps, 'clock'> = {}): Promise<number> {
  const { values, positionals } = parseOrExit(() =>
    parseArgs({ args: argv, options: { ...COMMON_FLAGS, all: { type: 'boolean' }, reason: { type: 'string' }, until: { type: 'string' }, by: { type: 'string' } }, ...strictParse }),
  );
  if (values.help) return (io.stdout(`${PAUSE_HELP}\n`), 0);
  const scope = scopeOf(values.all, positionals, PAUSE_USAGE);
  const now = (deps.clock ?? { now: () => Date.now() }).now();
  const parsed = pauseFlagsSchema(now).safeParse({ until: values.until, reason: values.reason, by: values.by });
  if (!parsed.success) {
    const fields = describeIssues(parsed.error).map((issue) => ({ ...issue, path: `--${issue.path}` }));
    throw new CliExit(RUN_EXIT.usage, `${formatIssues(fields)}\nRun with --help to see the options.`);
  }
  const { until, reason } = parsed.data;
  const request = { by: parsed.data.by ?? defaultOperator(io.env), since: now, ...(until !== undefined ? { until } : {}), ...(reason ? { reason } : {}) };
  return writeMark('pause', values, scope, request, io, now);
}

/** The resume command. */
export async function resumeCommand(argv: string[], io: CliIo, deps: Pick<OperatorDeps, 'clock'> = {}): Promise<number> {
  const { values, positionals } = parseOrExit(() => parseArgs({ args: argv, options: { ...COMMON_FLAGS, all: { type: 'boolean' } }, ...strictParse }));
  if (values.help) return (io.stdout(`${RESUME_HELP}\n`), 0);
  const scope = scopeOf(values.all, positionals, RESUME_USAGE);
  const now = (deps.clock ?? { now: () => Date.now() }).now();
  return writeMark('resume', values, scope, null, io, now);
}

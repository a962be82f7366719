/**
 * `autoheal run`: the original project's CI step, one pass per target (predict → heal if at risk →
 * wait for the re-check → escalate or keep → notify), with the exit code saying what happened.
 *
 * Two safety rules bind it like the long-running commands, although it lives only for one pass:
 * - **Leader election.** With `leaderElection.enabled` it acts only while holding the Lease. When
 *   another process holds it (typically the in-cluster server, which already heals these targets)
 *   it waits up to `leaderElection.waitForLease` (30 s: enough to take over from a holder that
 *   crashed or just released it), then gives up acting: it reports what it sees, changes nothing,
 *   and exits 40 for a target at risk (a due step was held back). Acting next to a running leader
 *   is exactly the double step leader election exists to prevent; the leader's Events and Slack say
 *   what it does. If the Lease is lost in the middle of the pass, the pass stops (exit 40) and the
 *   new leader carries the episode on. The Lease is released at the end so the server takes over
 *   at once.
 * - **The circuit breaker** is the one every mode shares, stored in a ConfigMap in autoheal's
 *   namespace, so a CI run counts the steps the server or earlier runs took.
 */
import { targetKey, type DecisionRecord, type TargetInspection, type TargetRef } from '@autoheal/core';
import { createAutoheal, type ComposeOverrides, type FullAutoheal } from '../compose.js';
import type { AutohealConfig } from '../config/config-schema.js';
import { leadershipFence, startLeadership, type Leadership } from '../leadership.js';
import { parseCommandArgs, printHelp } from './command-args.js';
import { COMMON_FLAGS, COMMON_FLAGS_HELP, configFromFlags, flagOverride } from './common-flags.js';
import { decisionTable, formatProbability, recordLines } from './format-record.js';
import { CliExit, formatTable, type CliIo } from './io.js';
import { createCliLogger } from './logger.js';
import { RUN_EXIT, exitCodeFor } from './run-exit-codes.js';

/** Parts a caller (a test, the demo) supplies instead of building them from the config, and a signal that stops the command. */
export interface CommandParts extends Pick<ComposeOverrides, 'featureSource' | 'riskModel' | 'notifiers'> {
  /** Stops the command as SIGINT/SIGTERM would. */
  signal?: AbortSignal;
}

const HELP = `Usage: autoheal run [TARGET...] [--dry-run] [--recheck-delay 120s] [--wait-for-lease 30s] [--json]

One pass of the original project's CI step for each target: predict; if at risk, run the next
ladder step (restart + scale, clear cache + restart + scale, roll back); wait for the re-check;
escalate or keep; notify. Safety rules (cooldown, circuit breaker, unknown never acts) apply; the
circuit breaker is the one every mode shares (a ConfigMap in autoheal's namespace).

With leader election on (leaderElection.enabled), run acts only while it holds the Lease. When
another process (e.g. the in-cluster server) holds it, run waits up to --wait-for-lease
(leaderElection.waitForLease, default 30s) to lead, then reports what it sees without acting:
exit 40 for a target at risk, 30 unknown, 0 healthy.

Exit codes: 0 healthy or kept · 10 dry-run would have acted · 20 still at risk after the ladder
or a step failed · 30 unknown (missing signals) · 40 held back by a safety rule (cooldown, circuit
breaker, another process leads) · 1 usage/config error · 2 runtime error.

${COMMON_FLAGS_HELP}`;

/** `autoheal run`; `parts` lets tests supply the signals, the model or the notifiers. */
export async function runCommand(argv: string[], io: CliIo, parts: CommandParts = {}): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...COMMON_FLAGS, 'recheck-delay': { type: 'string' }, 'wait-for-lease': { type: 'string' } });
  if (values.help) return printHelp(io, HELP);
  const extra = [
    ...(values['recheck-delay'] ? [flagOverride('--recheck-delay', ['policy', 'recheckDelay'], values['recheck-delay'])] : []),
    ...(values['wait-for-lease'] ? [flagOverride('--wait-for-lease', ['leaderElection', 'waitForLease'], values['wait-for-lease'])] : []),
  ];
  const config = await configFromFlags(values, positionals, io, extra);
  if (config.targets.length === 0) throw new CliExit(RUN_EXIT.usage, 'no targets: name them (autoheal run prod/backend) or list them in the config file under targets:');
  const logger = createCliLogger(config.log.level === 'info' ? 'warn' : config.log.level);
  const { signal: stop, ...supplied } = parts;
  let leadership: Leadership | undefined;
  const fence = leadershipFence(config, () => leadership);
  const autoheal = await createAutoheal(config, logger, { ...supplied, requirePipeline: true, discoveryEvents: false, ...(fence ? { fence } : {}) });
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  stop?.addEventListener('abort', onSignal, { once: true });
  try {
    // Discovered workloads are judged by their annotations here too; a bad one is a configuration
    // error of that workload, reported before anything is evaluated.
    // Named targets the config file lists keep the config's rules, as in the loop.
    const configured = positionals.length > 0 ? (await configFromFlags(values, [], io, extra)).targets : config.targets;
    const skipped = await autoheal.targets.lookUp(config.targets, configured);
    if (skipped.length > 0) {
      throw new CliExit(RUN_EXIT.usage, `not evaluated: ${skipped.map((entry) => `${targetKey(entry.target)} is skipped by discovery: ${entry.message}`).join('; ')}. Fix the annotation, or leave the workload out`);
    }
    leadership = await startLeadership(config, autoheal.healer, logger);
    const lease = leadership.lease;
    if (lease && !leadership.isLeader()) {
      const waitMs = config.leaderElection?.waitForLease ?? 0;
      if (!values.json) io.stderr(`leader election: waiting up to ${Math.round(waitMs / 1000)} s to hold the Lease ${lease.namespace}/${lease.name} (as ${lease.identity})…\n`);
      if (!(await leadership.waitForLeadership(waitMs, controller.signal))) {
        return await reportWithoutActing(autoheal, config.targets, leadership, io, Boolean(values.json), controller.signal);
      }
    }
    return await runPass(autoheal, config, leadership, io, Boolean(values.json), controller);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    stop?.removeEventListener('abort', onSignal);
    await leadership?.stop();
    await autoheal.close();
  }
}

/** Runs `runOnce` for every target while this process may act; stops when the Lease is lost. */
async function runPass(autoheal: FullAutoheal, config: AutohealConfig, leadership: Leadership, io: CliIo, json: boolean, controller: AbortController): Promise<number> {
  let lostLease = false;
  const unsubscribe = leadership.onChange((leading) => {
    if (leading || controller.signal.aborted) return;
    lostLease = true;
    controller.abort(new Error(leadership.check() ?? 'lost the Lease'));
  });
  try {
    let exitCode: number = RUN_EXIT.ok;
    const finals: DecisionRecord[] = [];
    for (const target of config.targets) {
      if (controller.signal.aborted) break;
      let result: Awaited<ReturnType<typeof autoheal.pipeline.runOnce>>;
      try {
        result = await autoheal.pipeline.runOnce(target, {
          signal: controller.signal,
          onWait: (untilMs, record) => {
            if (!json) io.stderr(`${recordLines(record).join('\n')}\n  waiting ${Math.round((untilMs - Date.now()) / 1000)} s for the re-check (until ${new Date(untilMs).toISOString()})…\n`);
          },
        });
      } catch (error) {
        // Aborted because the Lease was lost: reported below. Anything else (Ctrl-C) ends the command.
        if (lostLease) break;
        throw error;
      }
      for (const record of result.records) if (!json) io.stderr(`• ${recordLines(record).join('\n')}\n`);
      finals.push(result.final);
      exitCode = Math.max(exitCode, exitCodeFor(result.final));
    }
    io.stdout(json ? `${JSON.stringify(finals, null, 2)}\n` : decisionTable(finals));
    if (lostLease) {
      // The new leader continues the episode from the state this pass left on the Deployment.
      io.stderr(`stopped: this process lost the Lease (${leadership.check() ?? 'another process leads'}); the new leader carries on.\n`);
      return RUN_EXIT.suppressed;
    }
    return exitCode;
  } finally {
    unsubscribe();
  }
}

/** What `run` prints when another process leads: what it sees now, and that it changed nothing. */
async function reportWithoutActing(autoheal: FullAutoheal, targets: readonly TargetRef[], leadership: Leadership, io: CliIo, json: boolean, signal: AbortSignal): Promise<number> {
  const why = leadership.check() ?? 'another process leads';
  const inspections: TargetInspection[] = [];
  for (const target of targets) inspections.push(await autoheal.pipeline.inspect(target, { signal }));
  const exitCode = Math.max(
    ...inspections.map((i) => (i.assessment.verdict === 'unknown' ? RUN_EXIT.unknown : i.assessment.verdict === 'at-risk' ? RUN_EXIT.suppressed : RUN_EXIT.ok)),
  );
  if (json) {
    const rows = inspections.map((i) => ({
      target: i.target,
      verdict: i.assessment.verdict,
      probability: i.assessment.probability,
      threshold: i.assessment.threshold,
      missing: i.missing,
      ladder: i.ladder,
      acted: false,
      heldBack: why,
    }));
    io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    io.stdout(
      formatTable(
        ['TARGET', 'RISK', 'THRESHOLD', 'VERDICT', 'ATTEMPT', 'NEXT STEP', 'ACTION'],
        inspections.map((i) => [
          targetKey(i.target),
          formatProbability(i.assessment.probability),
          i.assessment.threshold.toFixed(2),
          i.assessment.verdict,
          `${i.ladder.attempt}/${i.ladder.maxAttempts}`,
          i.ladder.nextStep ?? 'none (handoff)',
          i.assessment.verdict === 'at-risk' ? 'held back: not the leader' : 'none',
        ]),
      ),
    );
    io.stderr(`nothing was changed: ${why}. The leader evaluates and heals these targets; its Events (kubectl describe deployment) and Slack say what it does.\n`);
  }
  return exitCode;
}

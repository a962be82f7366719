/**
 * `autoheal heal TARGET [--step restart|cache|rollback|scale] [--dry-run] [--force]`: one ladder step by
 * hand through `Pipeline.healNow`, with the automatic loop's safety rules.
 */
import { parseArgs } from 'node:util';
import { healStepKindSchema, targetKey, type DecisionRecord, type HealStepKind, type SuppressedReason } from '@autoheal/core';
import { COMMON_FLAGS, COMMON_FLAGS_HELP, configFromFlags } from '../common-flags.js';
import { diagnosisText } from '../format-record.js';
import { CliExit, type CliIo } from '../io.js';
import { RUN_EXIT } from '../run-exit-codes.js';
import { createAutoheal } from '../../compose.js';
import { composeParts, operatorLogger, type OperatorDeps } from './operator-context.js';
import { parseOrExit, strictParse, singleTarget } from './operator-flags.js';

const USAGE = 'autoheal heal TARGET [--step restart|cache|rollback|scale] [--dry-run] [--force] [--reason TEXT] [--json]';

const HELP = `Usage: ${USAGE}

Runs one step of the healing ladder on TARGET now (default: the loop's choice: the diagnosed step, else the next of the ladder) with the
automatic loop's safety rules. The step is recorded like the loop's: the attempt in the Deployment's
healing.attempt annotation, a Kubernetes Event, Slack, and a slot in the circuit breaker.

Refusals (nothing is changed):
  paused           policy.pause, or a pause mark on the target           --force overrides
  maintenance      a maintenance window is in force                      --force overrides
  recovered        not at risk now (collected and scored at the call)   --force overrides
  unknown          a signal is missing, the target cannot be judged      --force overrides
  cooldown         a step ran on this target less than the cooldown ago  --force overrides
  circuit-open     the cluster-wide limit of steps in the window is hit  --force overrides
  ceiling-reached  every step was tried and no --step was named          --force overrides (repeats the last step)
  in-flight        another evaluation (or autoheal process) is acting    never overridden
  state-unavailable the ladder state could not be read or claimed        never overridden
  refused          the healer refused (paused Deployment, no revision)   never overridden
  dry-run          --dry-run or policy.dryRun: the plan is printed only  never overridden

Exit codes: 0 applied · 10 dry-run · 20 the step ran but failed · 40 refused · 1 usage/config error.

Options:
      --step KIND                restart, cache, rollback or scale (default: the diagnosed step, else the next of the ladder)
      --force                    override the rules marked above
      --reason TEXT              why you act (goes into the Event and the Slack message)

${COMMON_FLAGS_HELP}`;

/** What `--force` may override, in words, for the refusal message. */
const FORCE_OVERRIDES: readonly SuppressedReason[] = ['paused', 'maintenance', 'recovered', 'unknown', 'cooldown', 'circuit-open', 'ceiling-reached'];

const REFUSAL_MEANING: Record<SuppressedReason, string> = {
  recovered: 'the target is not at risk now',
  unknown: 'a signal is missing, so the target cannot be judged',
  cooldown: 'a step ran on this target less than the cooldown ago',
  'circuit-open': 'the cluster-wide circuit breaker is open (too many steps across all targets in the window)',
  'ceiling-reached': 'every step of the ladder was tried; name a step with --step or reset the target (autoheal reset)',
  'in-flight': 'another evaluation is deciding or acting on this target',
  refused: 'the healer refused the step',
  'dry-run': 'nothing was applied (the plan is above)',
  'rolling-out': 'the workload is still starting or rolling out',
  'not-leader': 'this process may not act (it does not hold the leader Lease)',
  'state-unavailable': 'the ladder state could not be read or claimed; nothing was applied',
  paused: 'autoheal is paused for this target or for every target (policy.pause, or a pause mark)',
  maintenance: 'a maintenance window is in force (policy.maintenanceWindows)',
};

/** The heal command. `deps` lets tests supply the feature source, model or notifiers. */
export async function healCommand(argv: string[], io: CliIo, deps: OperatorDeps = {}): Promise<number> {
  const { values, positionals } = parseOrExit(() => parseArgs({ args: argv, options: { ...COMMON_FLAGS, step: { type: 'string' }, force: { type: 'boolean' }, reason: { type: 'string' } }, ...strictParse }));
  if (values.help) return (io.stdout(`${HELP}\n`), 0);
  const target = singleTarget(positionals, USAGE);
  const step = values.step;
  if (step !== undefined && !(healStepKindSchema.options as readonly string[]).includes(step)) {
    throw new CliExit(RUN_EXIT.usage, `--step "${step}" is not a step: use ${healStepKindSchema.options.join(', ')}`);
  }
  // The config's own targets stay: the circuit breaker counts the steps recorded on them.
  const config = await configFromFlags(values, [], io);
  const operator = await createAutoheal(config, operatorLogger(config), { ...composeParts(deps), operator: { targets: [target] } });
  try {
    // A discovered workload is healed by its annotations' rules (allowed steps, threshold), as the
    // loop would; one the loop skips for a bad annotation is not healed by hand either.
    const [skipped] = await operator.targets.lookUp([target], config.targets);
    if (skipped) {
      throw new CliExit(
        RUN_EXIT.suppressed,
        `refused: ${targetKey(target)} is not evaluated by discovery: ${skipped.message}. Fix the annotation first (--force does not override this: the annotation may be what forbids a step)`,
      );
    }
    const record = await operator.pipeline.healNow(target, {
      ...(step ? { step: step as HealStepKind } : {}),
      force: values.force === true,
      dryRun: values['dry-run'] === true,
      ...(values.reason ? { reason: values.reason } : {}),
    });
    if (values.json) io.stdout(`${JSON.stringify(record, null, 2)}\n`);
    else io.stdout(describeHeal(record, operator.unreadableEvents));
    return healExitCode(record);
  } finally {
    await operator.close();
  }
}

/** 0 applied, 10 dry-run, 20 applied but failed, 40 refused. */
export function healExitCode(record: DecisionRecord): number {
  if (record.decision === 'heal') return record.action?.outcome?.ok ? RUN_EXIT.ok : RUN_EXIT.atRisk;
  if (record.suppressedReason === 'dry-run') return RUN_EXIT.dryRun;
  return RUN_EXIT.suppressed;
}

function describeHeal(record: DecisionRecord, unreadable: string[]): string {
  const lines: string[] = [];
  const key = `${record.target.namespace}/${record.target.name}`;
  const risk = record.assessment.verdict === 'unknown' || record.assessment.probability === null ? `unknown (${record.assessment.reason ?? 'no probability'})` : `${record.assessment.probability.toFixed(2)} (threshold ${record.assessment.threshold.toFixed(2)}, ${record.assessment.verdict})`;
  lines.push(`Target:   ${key}`, `Risk now: ${risk}`);
  if (record.diagnosis) lines.push(`Diagnosis: ${diagnosisText(record.diagnosis)}`);
  const plan = record.action?.plan;
  if (plan) {
    lines.push(`Plan:     step ${plan.attempt}/${record.ladder.maxAttempts} (${plan.step.kind})`);
    for (const operation of plan.operations) lines.push(`  - ${operation.description}`);
    if (plan.refusal) lines.push(`  refused by the healer: ${plan.refusal}`);
  }
  const outcome = record.action?.outcome;
  if (record.decision === 'heal') {
    // The outcome's message joins the operations' messages: with the operations listed below it,
    // the head line only counts them, so that no failure is printed twice.
    const results = outcome?.results ?? [];
    const failed = results.filter((result) => !result.ok).length;
    if (results.length === 0) lines.push(`Outcome:  ${outcome?.ok ? 'applied' : 'FAILED'}: ${outcome?.message ?? 'no outcome'}`);
    else lines.push(`Outcome:  ${outcome?.ok ? 'applied' : 'FAILED'}: ${failed === 0 ? `${results.length} operation(s) succeeded` : `${failed} of ${results.length} operation(s) failed`}`);
    for (const result of results) lines.push(`  ${result.ok ? 'ok    ' : 'failed'} ${result.op}: ${result.message}`);
    lines.push(`State:    attempt ${record.ladder.attempt}/${record.ladder.maxAttempts}, next step ${record.ladder.nextStep ?? 'none (a human is needed)'}`);
  } else if (record.suppressedReason) {
    const reason = record.suppressedReason;
    lines.push(`Refused:  ${reason}: ${REFUSAL_MEANING[reason]}`);
    if (reason === 'dry-run') lines.push('          run again without --dry-run (and with policy.dryRun off) to apply it.');
    else if (FORCE_OVERRIDES.includes(reason)) lines.push(`          --force overrides this rule (it overrides: ${FORCE_OVERRIDES.join(', ')}; never in-flight, the healer's refusal or dry-run).`);
    else lines.push("          --force does not override this: it never overrides in-flight, the healer's refusal or dry-run.");
  }
  lines.push(`Summary:  ${record.summary}`);
  lines.push(`Record:   ${record.id} (the same id in the Event, Slack, the log and the API)`);
  if (unreadable.length > 0) lines.push(`Note:     the Events of ${unreadable.join(', ')} could not be read; the circuit breaker may count fewer steps than the server does.`);
  return `${lines.join('\n')}\n`;
}

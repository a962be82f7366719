/**
 * `autoheal reset TARGET`: the operator reset. Clears the ladder state through
 * `Pipeline.resetTarget` (removes the `healing.attempt` annotation, restores an HPA's minReplicas
 * if autoheal raised it) and records an `AutohealReset` Event.
 */
import { parseArgs } from 'node:util';
import { COMMON_FLAGS, COMMON_FLAGS_HELP, configFromFlags } from '../common-flags.js';
import type { CliIo } from '../io.js';
import { createAutoheal } from '../../compose.js';
import { composeParts, operatorLogger, type OperatorDeps } from './operator-context.js';
import { parseOrExit, strictParse, singleTarget } from './operator-flags.js';

const USAGE = 'autoheal reset TARGET [--reason TEXT] [--json]';

const HELP = `Usage: ${USAGE}

Ends the target's healing episode: the attempt count goes back to 0 (the healing.attempt and
autoheal.dev/healing-state annotations are removed), an HPA's minReplicas raised by autoheal is
restored, and an AutohealReset Event is recorded. The next at-risk verdict starts at step 1.
Replaces: kubectl annotate deployment NAME healing.attempt- -n NAMESPACE

Options:
      --reason TEXT              why (goes into the Event and the Slack message)

${COMMON_FLAGS_HELP}`;

/** The reset command. */
export async function resetCommand(argv: string[], io: CliIo, deps: OperatorDeps = {}): Promise<number> {
  const { values, positionals } = parseOrExit(() => parseArgs({ args: argv, options: { ...COMMON_FLAGS, reason: { type: 'string' } }, ...strictParse }));
  if (values.help) return (io.stdout(`${HELP}\n`), 0);
  const target = singleTarget(positionals, USAGE);
  const config = await configFromFlags(values, [], io);
  const operator = await createAutoheal(config, operatorLogger(config), { ...composeParts(deps), operator: { targets: [target] } });
  try {
    const before = await operator.healer.readState(target);
    const record = await operator.pipeline.resetTarget(target, values.reason ? { reason: values.reason } : {});
    if (values.json) io.stdout(`${JSON.stringify({ previous: before, record }, null, 2)}\n`);
    else io.stdout(`${record.target.namespace}/${record.target.name}: attempt ${before.attempt}/${record.ladder.maxAttempts}${before.lastStep ? ` (last step ${before.lastStep})` : ''} → 0; Event AutohealReset recorded.\n${record.summary}\n`);
    return 0;
  } finally {
    await operator.close();
  }
}

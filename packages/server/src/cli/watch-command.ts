/**
 * `autoheal watch`: the continuous controller without HTTP. It honours leader election exactly like
 * `serve`: with `leaderElection.enabled`, only the process holding the Lease evaluates and acts;
 * the others wait (an empty round every interval) until they lead.
 */
import { createAutoheal } from '../compose.js';
import { whileLeading } from '../target-sources.js';
import { leadershipFence, startLeadership, type Leadership } from '../leadership.js';
import { parseCommandArgs, printHelp } from './command-args.js';
import { COMMON_FLAGS, COMMON_FLAGS_HELP, configFromFlags } from './common-flags.js';
import { CliExit, type CliIo } from './io.js';
import { createCliLogger } from './logger.js';
import { RUN_EXIT } from './run-exit-codes.js';
import type { CommandParts } from './run-command.js';

const HELP = `Usage: autoheal watch [TARGET...] [--json]

The continuous controller without HTTP: evaluates every target each interval, heals when needed
(--json prints every decision record as a line). With leader election on (leaderElection.enabled),
only the process holding the Lease evaluates and acts; the others wait until they lead.
SIGTERM/Ctrl-C: finishes the evaluation in flight, releases the Lease, exits.

${COMMON_FLAGS_HELP}`;

/** `autoheal watch`; `parts` lets tests supply the signals, the model or the notifiers, and stop it. */
export async function watchCommand(argv: string[], io: CliIo, parts: CommandParts = {}): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, COMMON_FLAGS);
  if (values.help) return printHelp(io, HELP);
  const config = await configFromFlags(values, positionals, io);
  if (config.targets.length === 0 && !config.discovery) {
    throw new CliExit(RUN_EXIT.usage, 'no targets: name them (autoheal watch prod/backend), list them in the config file under targets:, or discover them (discovery: { namespaceSelector: team=payments })');
  }
  const logger = createCliLogger(config.log.level);
  const { signal: stopSignal, ...supplied } = parts;
  // The pipeline asks the leadership (started once the healer exists) before its claim and every write.
  let leadership: Leadership | undefined;
  const fence = leadershipFence(config, () => leadership);
  const autoheal = await createAutoheal(config, logger, { ...supplied, requirePipeline: true, ...(fence ? { fence } : {}) });
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  stopSignal?.addEventListener('abort', stop, { once: true });
  autoheal.pipeline.subscribe((record) => {
    if (values.json) io.stdout(`${JSON.stringify(record)}\n`);
  });
  try {
    const leading = await startLeadership(config, autoheal.healer, logger);
    leadership = leading;
    try {
      // Followers evaluate nothing: an empty target list each round until they lead.
      await autoheal.pipeline.watch(whileLeading(autoheal.targets.catalog, () => leading.isLeader()), { intervalMs: config.watch.interval, concurrency: config.watch.concurrency, signal: controller.signal });
    } finally {
      await leading.stop();
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    stopSignal?.removeEventListener('abort', stop);
    await autoheal.close();
  }
  return 0;
}

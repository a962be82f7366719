/**
 * The `autoheal` command line. Each command is a function of (argv, io) returning an exit code,
 * so tests run them in-process.
 */
import { AutohealError, errorMessage, explainMissing, missingFeatures, modelVector, targetKey, verdictFor, type DecisionRecord } from '@autoheal/core';
import { loadConfig } from '../config/load-config.js';
import { createAutoheal, type ComposeOverrides } from '../compose.js';
import { startServer } from '../serve.js';
import { VERSION } from '../version.js';
import type { ConfigOverride } from '../config/config-sources.js';
import { parseCommandArgs, printHelp } from './command-args.js';
import { COMMON_FLAGS, COMMON_FLAGS_HELP, configFromFlags, flagOverride } from './common-flags.js';
import { formatProbability, topSignals } from './format-record.js';
import { CliExit, formatTable, processIo, type CliIo } from './io.js';
import { createCliLogger } from './logger.js';
import { RUN_EXIT } from './run-exit-codes.js';
import { runCommand } from './run-command.js';
import { watchCommand } from './watch-command.js';

const USAGE = `autoheal ${VERSION} — predict Kubernetes workload failures and heal them

Usage: autoheal <command> [options]

Commands:
  serve                 HTTP server (API, dashboard, metrics) + the watch loop for configured targets
  predict [TARGET...]   collect and score targets once; change nothing
  run [TARGET...]       one pass of the CI step: predict → heal if at risk → wait → re-check →
                        escalate or keep → notify; the exit code says what happened
  watch [TARGET...]     the continuous controller, without HTTP
  config validate FILE  check a config file without starting anything
  sandbox ...           a local Kubernetes API with simulated workloads (see: autoheal sandbox --help)
  train ...             build a risk model (see: autoheal train --help)
  demo                  sandbox + Prometheus (if installed) + server + an injected fault, end to end
  status [TARGET...]    risk now, ladder position, cooldown, circuit breaker, last actions
  heal TARGET           one ladder step by hand, with the loop's safety rules (--step, --force, --dry-run)
  rollback TARGET       kubectl rollout undo, recorded as an Event (--to-revision N)
  reset TARGET          clear the attempt count (the healing.attempt annotation), recorded as an Event
  pause TARGET|--all    autoheal looks and records but takes no step (--reason, --until 2h)
  resume TARGET|--all   end a pause
  doctor                preflight: config, model, Prometheus, RBAC, Slack, each with its fix
  version               print the version

TARGET is namespace/name, e.g. prod/backend. Run "autoheal <command> --help" for a command's options.`;

async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { ...COMMON_FLAGS, port: { type: 'string' }, host: { type: 'string' }, 'read-only': { type: 'boolean' } });
  if (values.help) {
    return printHelp(io, `Usage: autoheal serve [TARGET...] [--port N] [--host H] [--read-only]\n\nServes the HTTP API and the dashboard; with targets, also watches and heals them.\n\n${COMMON_FLAGS_HELP}`);
  }
  const server: ConfigOverride[] = [];
  if (values.port !== undefined) server.push(flagOverride('--port', ['server', 'port'], Number(values.port)));
  if (values.host !== undefined) server.push(flagOverride('--host', ['server', 'host'], values.host));
  if (values['read-only']) server.push(flagOverride('--read-only', ['server', 'readOnly'], true));
  const config = await configFromFlags(values, positionals, io, server);
  const logger = createCliLogger(config.log.level);
  const running = await startServer(config, logger);
  io.stderr(`autoheal listening on ${running.url} (dashboard: ${running.url}/)\n`);
  await waitForShutdownSignal();
  await running.stop();
  return 0;
}

function waitForShutdownSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

/** `autoheal predict`; `parts` lets tests supply the feature source or the model. */
export async function predictCommand(argv: string[], io: CliIo, parts: Pick<ComposeOverrides, 'featureSource' | 'riskModel'> = {}): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, COMMON_FLAGS);
  if (values.help) return printHelp(io, `Usage: autoheal predict [TARGET...] [--json]\n\nCollects and scores each target once. Changes nothing.\n\n${COMMON_FLAGS_HELP}`);
  const config = await configFromFlags(values, positionals, io);
  if (config.targets.length === 0) throw new CliExit(RUN_EXIT.usage, 'no targets: name them (autoheal predict prod/backend) or list them in the config file under targets:');
  const logger = createCliLogger(config.log.level === 'info' ? 'warn' : config.log.level);
  const autoheal = await createAutoheal(config, logger, { ...parts, notifiers: [], requirePipeline: true, discoveryEvents: false });
  try {
    // Discovered workloads are judged at their annotations' thresholds, as the loop judges them.
    // Named targets the config file lists keep the config's rules, as in the loop.
    const configured = positionals.length > 0 ? (await configFromFlags(values, [], io)).targets : config.targets;
    for (const skipped of await autoheal.targets.lookUp(config.targets, configured)) {
      io.stderr(`note: ${targetKey(skipped.target)} is skipped by discovery (${skipped.message}): the loop does not evaluate it; scored here at the configured threshold\n`);
    }
    // One batch for every target (one model call); judged at the pipeline's own threshold per target.
    // Judged as the pipeline's look judges: the model gets exactly its own features, in its order (the
    // source also collects the seven seed signals, which model v2 does not take: scoring the whole row
    // made it refuse every row), and a missing feature blinds the verdict only when the model takes it
    // and no authoritative signal explains its absence.
    const observations = await autoheal.featureSource.collectMany(config.targets);
    const modelFeatures = autoheal.riskModel.featureNames;
    const vectors = observations.map((observation) => modelVector(observation, modelFeatures));
    const scores = await autoheal.riskModel.scoreBatch(vectors);
    const rows = observations.map((observation, i) => {
      const threshold = autoheal.pipeline.thresholdFor(observation.target);
      const probability = scores[i]?.probability ?? null;
      const modelMissing = missingFeatures(vectors[i]!, modelFeatures);
      const verdict = verdictFor(probability, threshold, modelMissing, observation);
      const { unexplained } = explainMissing(observation, modelMissing);
      const missing = unexplained.map((feature) => observation.missing.find((entry) => entry.feature === feature) ?? { feature, reason: 'no value' });
      return { target: observation.target, features: observation.values, missing, probability, threshold, verdict, contributions: scores[i]?.contributions ?? [] };
    });
    if (values.json) io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    else {
      io.stdout(
        formatTable(
          ['TARGET', 'RISK', 'THRESHOLD', 'VERDICT', 'WHY'],
          rows.map((r) => [
            `${r.target.namespace}/${r.target.name}`,
            r.verdict === 'unknown' ? '—' : formatProbability(r.probability),
            r.threshold.toFixed(2),
            r.verdict,
            r.missing.length > 0
              ? `missing: ${r.missing.map((m) => `${m.feature} (${m.reason})`).join(', ')}`
              : topSignals({ assessment: { contributions: r.contributions } } as unknown as DecisionRecord, 3),
          ]),
        ),
      );
    }
    return rows.some((r) => r.verdict === 'unknown') ? RUN_EXIT.unknown : rows.some((r) => r.verdict === 'at-risk') ? RUN_EXIT.atRisk : RUN_EXIT.ok;
  } finally {
    await autoheal.close();
  }
}

async function configCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, file, ...rest] = argv;
  if (sub !== 'validate' || !file || file.startsWith('-') || rest.length > 0) {
    return sub === '--help' || sub === '-h' ? printHelp(io, 'Usage: autoheal config validate FILE') : (io.stderr('Usage: autoheal config validate FILE\n'), RUN_EXIT.usage);
  }
  const config = await loadConfig({ file, env: io.env });
  io.stdout(`${file}: valid (${config.targets.length} target(s)${config.discovery ? ` + discovery in namespaces with ${config.discovery.namespaceSelector}` : ''}, threshold ${config.policy.threshold ?? "the model's tuned one"}, dry-run ${config.policy.dryRun ? 'on' : 'off'})\n`);
  return 0;
}

type Command = (argv: string[], io: CliIo) => Promise<number>;

/** Commands added by other modules (sandbox, train, demo, operator commands). */
const extraCommands = new Map<string, Command>();
export function registerCommand(name: string, command: Command): void {
  extraCommands.set(name, command);
}

/** Runs the CLI; returns the exit code. Errors are printed as one line with the fix, never a stack. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  const commands: Record<string, Command> = {
    serve: serveCommand,
    predict: predictCommand,
    run: runCommand,
    watch: watchCommand,
    config: configCommand,
    version: async () => (io.stdout(`${VERSION}\n`), 0),
  };
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') return printHelp(io, USAGE);
    if (command === '--version') return commands.version!([], io);
    const run = commands[command] ?? extraCommands.get(command);
    if (!run) {
      io.stderr(`unknown command "${command}"\n\n${USAGE}\n`);
      return RUN_EXIT.usage;
    }
    return await run(rest, io);
  } catch (error) {
    if (error instanceof CliExit) {
      if (error.message) io.stderr(`${error.message}\n`);
      return error.exitCode;
    }
    if (AutohealError.isInstance(error)) {
      io.stderr(`${error.message}\n`);
      return error.code === 'CONFIG_INVALID' || error.code === 'INPUT_INVALID' || error.code === 'COMPOSITION_INVALID' || error.code === 'MODEL_INVALID' ? RUN_EXIT.usage : RUN_EXIT.error;
    }
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      io.stderr(`[autoheal] ${errorMessage(error)}: another program uses that port; pass --port N (0 picks a free one) or set AUTOHEAL_PORT\n`);
      return RUN_EXIT.usage;
    }
    io.stderr(`[autoheal] unexpected error: ${errorMessage(error)}\n`);
    if (io.env.AUTOHEAL_DEBUG) io.stderr(`${(error as Error).stack ?? ''}\n`);
    return RUN_EXIT.error;
  }
}

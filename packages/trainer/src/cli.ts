/**
 * The trainer's command-line entry (no bin: the server's `autoheal train` wires it in, and
 * `npm run build:model` runs the built file). Arguments: see {@link TRAIN_USAGE}.
 */
import { runTrainCommand, TRAIN_USAGE } from './cli/run-train-command.js';

export { runTrainCommand, TRAIN_USAGE };

/** Runs `train` with the process's arguments and sets the exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const code = await runTrainCommand(argv, { stdout: process.stdout, stderr: process.stderr });
  process.exitCode = code;
  return code;
}

// Run when this file is executed directly (node packages/trainer/dist/cli.js train ...), not when
// another CLI imports it.
if (/trainer[\\/](dist|src)[\\/]cli\.(c?js|mjs|ts)$/.test(process.argv[1] ?? '')) {
  void main();
}

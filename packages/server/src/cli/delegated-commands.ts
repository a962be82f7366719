/**
 * `autoheal sandbox …` and `autoheal train …`: thin bridges to the sandbox's and the trainer's own
 * command runners, so there is one implementation of each and the `autoheal` binary offers both.
 *
 * `--help` (or `-h`) anywhere in the arguments prints the usage and exits 0, as every other autoheal
 * command does: the runners themselves take help only as their first word (`autoheal sandbox
 * --help`), so `autoheal sandbox start --help` or `autoheal train --help` used to end in "Unknown
 * option '--help'".
 */
import type { CliIo } from './io.js';

/** True when the arguments ask for help (before a `--` that ends the options). */
export function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

export async function sandboxCommand(argv: string[], io: CliIo): Promise<number> {
  const { runSandboxCli } = await import('@autoheal/sandbox');
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    // The sandbox's usage covers every sub-command (start, fault, kubeconfig) with its flags.
    return await runSandboxCli(argv.length === 0 || asksForHelp(argv) ? ['--help'] : argv, {
      stdout: (line) => io.stdout(line.endsWith('\n') ? line : `${line}\n`),
      stderr: (line) => io.stderr(line.endsWith('\n') ? line : `${line}\n`),
      signal: controller.signal,
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

export async function trainCommand(argv: string[], io: CliIo): Promise<number> {
  const { runTrainCommand, TRAIN_USAGE } = await import('@autoheal/trainer');
  if (asksForHelp(argv)) {
    // The trainer's usage names its own binary ("train …"); here it is "autoheal train …".
    const usage = TRAIN_USAGE.replace(/^usage:/, 'Usage:').replace(/^ {2}train /gm, '  autoheal train ').replace(/^ {8}(?=--)/gm, ' '.repeat(17));
    io.stdout(`${usage}\nBuilds a risk model (ONNX, with its card and SHA-256) from the sandbox or from a Prometheus history.\n`);
    return 0;
  }
  return runTrainCommand(argv, {
    stdout: { write: (text: string) => io.stdout(text) },
    stderr: { write: (text: string) => io.stderr(text), isTTY: io.isTty },
  });
}

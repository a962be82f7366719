/**
 * `autoheal sandbox …` and `autoheal train …`: thin bridges to the sandbox's and the trainer's own
 * command runners, so there is one implementation of each and the `autoheal` binary offers both.
 */
import type { CliIo } from './io.js';

export async function sandboxCommand(argv: string[], io: CliIo): Promise<number> {
  const { runSandboxCli } = await import('@autoheal/sandbox');
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await runSandboxCli(argv.length === 0 ? ['--help'] : argv, {
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
  const { runTrainCommand } = await import('@autoheal/trainer');
  return runTrainCommand(argv, {
    stdout: { write: (text: string) => io.stdout(text) },
    stderr: { write: (text: string) => io.stderr(text), isTTY: io.isTty },
  });
}

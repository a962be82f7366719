/** Argument parsing and help output shared by the commands of `main.ts`, `run-command.ts` and `watch-command.ts`. */
import { parseArgs } from 'node:util';
import { errorMessage } from '@autoheal/core';
import { CliExit, type CliIo } from './io.js';
import { RUN_EXIT } from './run-exit-codes.js';

/** Strict parsing; an unknown or malformed flag is a usage error that points at `--help`. */
export function parseCommandArgs(argv: string[], options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliExit(RUN_EXIT.usage, `${errorMessage(error)}\nRun with --help to see the options.`);
  }
}

/** Prints a command's help; exit code 0. */
export function printHelp(io: CliIo, text: string): number {
  io.stdout(`${text}\n`);
  return 0;
}

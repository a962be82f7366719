/** Flag parsing shared by the operator commands: the common config flags plus each command's own. */
import { errorMessage, parseTargetString, type TargetRef } from '@autoheal/core';
import { CliExit } from '../io.js';
import { RUN_EXIT } from '../run-exit-codes.js';

/** Runs a `parseArgs` call; a wrong flag ends with exit code 1 and the hint. */
export function parseOrExit<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new CliExit(RUN_EXIT.usage, `${errorMessage(error)}\nRun with --help to see the options.`);
  }
}

/** `parseArgs` options for the strict, positional-accepting parse every operator command uses. */
export const strictParse = { allowPositionals: true, strict: true } as const;


/** Parses `namespace/name` arguments; a bad one ends with exit code 1 and the expected form. */
export function parseTargets(positionals: string[]): TargetRef[] {
  return positionals.map((text) => {
    try {
      return parseTargetString(text);
    } catch (error) {
      throw new CliExit(RUN_EXIT.usage, `"${text}" is not a target: ${errorMessage(error)} (write namespace/name, e.g. prod/backend)`);
    }
  });
}

/** Exactly one target, or exit code 1 naming the command's usage. */
export function singleTarget(positionals: string[], usage: string): TargetRef {
  if (positionals.length !== 1) throw new CliExit(RUN_EXIT.usage, `${positionals.length === 0 ? 'name the target' : 'name exactly one target'}: ${usage}`);
  return parseTargets(positionals)[0]!;
}

/**
 * Registers the commands that live in other modules (kept apart so `main.ts` stays small). Each is
 * imported only when run, so `autoheal serve` never loads the sandbox or the trainer.
 */
import { registerCommand } from './main.js';

/** Adds `demo`, `sandbox`, `train` (and the operator commands) to the CLI. Call once before `runCli`. */
export function registerCommands(): void {
  registerCommand('demo', async (argv, io) => (await import('../demo/demo.js')).demoCommand(argv, io));
  registerCommand('sandbox', async (argv, io) => (await import('./delegated-commands.js')).sandboxCommand(argv, io));
  registerCommand('train', async (argv, io) => (await import('./delegated-commands.js')).trainCommand(argv, io));
}

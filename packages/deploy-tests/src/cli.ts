/** Runs the built `autoheal` CLI (packages/server/dist/cli.js) as the container image does. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './render.js';

export const cliPath = path.join(repoRoot, 'packages/server/dist/cli.js');

/** Runs `node packages/server/dist/cli.js ...args`; resolves with exit code and output, never rejects. */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { cwd: options.cwd ?? repoRoot, env: options.env ?? process.env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

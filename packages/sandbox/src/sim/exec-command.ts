/**
 * The tiny "shell" of simulated containers, enough for a healer's exec step:
 * - any command mentioning `cache` clears the Deployment's cache and exits 0
 *   (the playbook's default is `sh -c 'rm -rf /tmp/cache/*'`);
 * - `exit N` exits with N; `true` exits 0; `false` exits 1;
 * - `echo ...` prints its arguments;
 * - anything else exits 127 with "command not found" on stderr, as sh does.
 */
import type { ExecResult } from '../base/exec-handler.js';

/** What a command asks of the simulation. */
export interface InterpretedCommand {
  result: ExecResult;
  /** True when the command clears the cache. */
  clearsCache: boolean;
}

/** The script a command runs: `sh -c <script>` and friends unwrap to the script. */
function scriptOf(command: string[]): string {
  const [program, flag, script] = command;
  if (program && /(^|\/)(ba|da)?sh$/.test(program) && flag === '-c' && script !== undefined) return script;
  return command.join(' ');
}

/** Interprets `command` (an argv array) without side effects. */
export function interpretCommand(command: string[]): InterpretedCommand {
  const script = scriptOf(command).trim();
  const ok = (stdout = ''): InterpretedCommand => ({ result: { stdout, stderr: '', exitCode: 0 }, clearsCache: false });
  if (/cache/i.test(script)) return { result: { stdout: '', stderr: '', exitCode: 0 }, clearsCache: true };
  const exit = /^exit(?:\s+(\d+))?\s*;?$/.exec(script);
  if (exit) return { result: { stdout: '', stderr: '', exitCode: Number(exit[1] ?? 0) % 256 }, clearsCache: false };
  if (script === 'true' || script === ':' || script === '') return ok();
  if (script === 'false') return { result: { stdout: '', stderr: '', exitCode: 1 }, clearsCache: false };
  const echo = /^echo(?:\s+(.*))?$/s.exec(script);
  if (echo) return ok(`${(echo[1] ?? '').replace(/^(['"])(.*)\1$/s, '$2')}\n`);
  const program = script.split(/\s+/)[0] ?? script;
  return { result: { stdout: '', stderr: `sh: 1: ${program}: command not found\n`, exitCode: 127 }, clearsCache: false };
}

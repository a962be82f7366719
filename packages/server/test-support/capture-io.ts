/** Test support (outside src/, never shipped): a CliIo that keeps what was written, to run CLI commands in-process. */
import type { CliIo } from '../src/cli/io.js';

/** A CliIo whose `out` and `err` hold what the command wrote. */
export function captureIo(env: NodeJS.ProcessEnv = {}): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    isTty: false,
    env,
    stdout: (text: string) => {
      io.out += text;
    },
    stderr: (text: string) => {
      io.err += text;
    },
  };
  return io;
}

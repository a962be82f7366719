/** Where CLI commands write, so tests can capture output without spawning a process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is a terminal (progress bars redraw in place). */
  isTty: boolean;
  env: NodeJS.ProcessEnv;
}

/** Set once the reader of stdout has gone away (`autoheal status | head`): later output is dropped. */
let stdoutClosed = false;

/** The process's own terminal or pipes. Install {@link guardStdoutPipe} once in the binary. */
export const processIo: CliIo = {
  stdout: (text) => {
    if (!stdoutClosed) process.stdout.write(text);
  },
  stderr: (text) => process.stderr.write(text),
  isTty: Boolean(process.stderr.isTTY),
  env: process.env,
};

/** Thrown by commands to end with a given exit code and message (no stack trace shown). */
export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message = '',
  ) {
    super(message);
    this.name = 'CliExit';
  }
}

/** Formats rows as an aligned text table. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/**
 * Makes a closed stdout pipe harmless. When the reader goes away (`autoheal status | head -1`, a
 * pager quit early), Node reports EPIPE as an 'error' event, which would crash the process with a
 * stack trace. Instead, further output is dropped and the command ends the way it would on SIGTERM:
 * a long-running command (`serve`, `watch`, `run`) stops gracefully through its own SIGTERM handler
 * (finishing the step in flight), a short one finishes and exits with its own code. Other stdout
 * errors are still thrown.
 */
export function guardStdoutPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    if (stdoutClosed) return;
    stdoutClosed = true;
    if (process.listenerCount('SIGTERM') > 0) process.emit('SIGTERM', 'SIGTERM');
  });
}

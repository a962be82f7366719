/**
 * A progress display for long builds, on stderr: a redrawn bar on a terminal, plain lines (one per
 * tenth of each phase) when the output is a file or a CI log.
 */

/** Where progress goes: a stream with an optional `isTTY`. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Reports progress of named phases. */
export interface ProgressBar {
  update(phase: string, done: number, total: number): void;
  /** Ends the current line (call before printing anything else). */
  finish(): void;
}

/** Creates a bar that redraws on a TTY and prints plain lines otherwise. */
export function createProgressBar(stream: ProgressStream, width = 30): ProgressBar {
  let lastPhase: string | undefined;
  let lastTenth = -1;
  let drawn = false;
  return {
    update(phase, done, total) {
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      if (stream.isTTY) {
        if (drawn && phase !== lastPhase) stream.write('\n');
        lastPhase = phase;
        const filled = Math.round(fraction * width);
        stream.write(`\r${phase.padEnd(9)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
        drawn = true;
        return;
      }
      const tenth = Math.floor(fraction * 10);
      if (phase !== lastPhase || tenth > lastTenth) {
        stream.write(`${phase} ${done}/${total}\n`);
        lastPhase = phase;
        lastTenth = tenth;
      }
    },
    finish() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}

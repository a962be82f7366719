import { describe, expect, it } from 'vitest';
import { createProgressBar } from './progress-bar.js';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, write: (text: string) => chunks.push(text), isTTY };
}

describe('createProgressBar', () => {
  it('redraws one line on a terminal and ends it on finish', () => {
    const s = stream(true);
    const bar = createProgressBar(s, 10);
    bar.update('simulate', 5, 10);
    bar.update('simulate', 10, 10);
    bar.finish();
    expect(s.chunks).toEqual(['\rsimulate  [#####.....] 5/10', '\rsimulate  [##########] 10/10', '\n']);
  });

  it('prints a plain line per tenth and per phase when not a terminal', () => {
    const s = stream(false);
    const bar = createProgressBar(s);
    for (let done = 1; done <= 40; done++) bar.update('simulate', done, 40);
    bar.update('train', 1, 300);
    bar.finish();
    expect(s.chunks.every((line) => line.endsWith('\n') && !line.includes('\r'))).toBe(true);
    expect(s.chunks).toHaveLength(11 + 1); // the first update, one per tenth up to 10/10, then the new phase
    expect(s.chunks.at(-1)).toBe('train 1/300\n');
  });
});

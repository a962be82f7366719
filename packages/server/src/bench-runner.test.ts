/**
 * `npm run bench` (the repository's `bench/run.mjs`): every benchmark file is in its table, the root
 * script calls a file that exists, and the runner really runs a benchmark to the end. It lives with
 * the server's tests because the benchmarks measure the server and the parts it composes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const runner = (...args: string[]) => spawnSync(process.execPath, ['bench/run.mjs', ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 });

describe('npm run bench', () => {
  it('calls a runner that exists', () => {
    const script = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.bench!;
    const file = /node (\S+\.mjs)/.exec(script)?.[1];
    expect(file).toBeDefined();
    expect(existsSync(path.join(root, file!))).toBe(true);
  });

  it('lists every benchmark file of bench/ with the command it runs', () => {
    const listed = runner('--list');
    expect(listed.status).toBe(0);
    for (const file of readdirSync(path.join(root, 'bench')).filter((name) => name.endsWith('.mjs') && name !== 'run.mjs')) {
      expect(listed.stdout).toContain(`node bench/${file}`);
    }
  });

  it('rejects an unknown benchmark name with the list', () => {
    const wrong = runner('no-such-bench');
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('unknown benchmark(s): no-such-bench');
    expect(wrong.stderr).toContain('sandbox-day');
  });

  it('runs a named benchmark to the end and reports it', () => {
    const ran = runner('sandbox-day');
    expect(ran.stderr).toBe('');
    expect(ran.status).toBe(0);
    expect(ran.stdout).toContain('== sandbox-day: node bench/sandbox-day.mjs');
    expect(ran.stdout).toMatch(/"wallSeconds": \d/);
    expect(ran.stdout).toContain('sandbox-day: ok');
  }, 300_000);
});

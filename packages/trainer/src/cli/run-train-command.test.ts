import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFakeSimulation } from '../../test-support/fake-simulation.js';
import { runTrainCommand } from './run-train-command.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t), isTTY: false }, createSimulation: createFakeSimulation },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

describe('runTrainCommand', () => {
  it('rejects unknown sources and bad numbers, naming the flag (exit 2)', async () => {
    const a = capture();
    expect(await runTrainCommand(['train', '--from', 'csv', '--out', 'x.onnx'], a.io)).toBe(2);
    expect(a.err()).toMatch(/^\[autoheal\] \[trainer\] invalid train arguments: --from: must be "sandbox" or "prometheus"/);
    const b = capture();
    expect(await runTrainCommand(['--from', 'sandbox', '--runs', 'many', '--out', 'x.onnx'], b.io)).toBe(2);
    expect(b.err()).toMatch(/--runs: --runs must be a whole number/);
    const c = capture();
    expect(await runTrainCommand(['--from', 'sandbox'], c.io)).toBe(2);
    expect(c.err()).toMatch(/--out: is required/);
    const d = capture();
    expect(await runTrainCommand(['--from', 'sandbox', '--out', 'x.onnx', '--bogus', '1'], d.io)).toBe(2);
    expect(d.err()).toMatch(/Unknown option '--bogus'/);
  });

  it('validates --feature-set and the flags that belong to one feature set, naming the flag (exit 2)', async () => {
    const a = capture();
    expect(await runTrainCommand(['--from', 'sandbox', '--feature-set', 'v3', '--out', 'x.onnx'], a.io)).toBe(2);
    expect(a.err()).toMatch(/--feature-set: must be "seed" \(the seven original features, model v1\) or "v2"/);
    const b = capture();
    expect(await runTrainCommand(['--from', 'sandbox', '--feature-set', 'v2', '--runs', '8', '--out', 'x.onnx'], b.io)).toBe(2);
    expect(b.err()).toMatch(/--runs: applies to --feature-set seed only/);
    const c = capture();
    expect(await runTrainCommand(['--from', 'sandbox', '--catalogue', 'tiny', '--out', 'x.onnx'], c.io)).toBe(2);
    expect(c.err()).toMatch(/--catalogue: applies to --feature-set v2 only/);
    const d = capture();
    expect(await runTrainCommand(['--from', 'sandbox', '--feature-set', 'v2', '--workers', '99', '--out', 'x.onnx'], d.io)).toBe(2);
    expect(d.err()).toMatch(/--workers: must be at most 8/);
  });

  it('reports a bad incident file by line and field before querying Prometheus (exit 2)', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'trainer-cli-'));
    const incidents = join(directory, 'incidents.csv');
    await writeFile(incidents, 'target,start,end\nprod/backend,2025-01-01T10:00:00Z,not-a-time\n');
    const run = capture();
    let queried = false;
    const code = await runTrainCommand(
      ['--from', 'prometheus', '--prometheus-url', 'http://prometheus:9090', '--targets', 'prod/backend', '--incidents', incidents, '--start', '2025-01-01T00:00:00Z', '--end', '2025-01-02T00:00:00Z', '--out', join(directory, 'm.onnx')],
      { ...run.io, fetch: async () => { queried = true; throw new Error('no network'); } },
    );
    expect(code).toBe(2);
    expect(run.err()).toMatch(/invalid incident file .*incidents\.csv: line 2, field "end": must be an ISO 8601 time/);
    expect(queried).toBe(false);
  });

  it('trains from the simulation, writes the model, card and hash, and prints the report', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'trainer-cli-'));
    const run = capture();
    const out = join(directory, 'model.onnx');
    const code = await runTrainCommand(['train', '--from', 'sandbox', '--seed', '2', '--runs', '8', '--out', out, '--card', join(directory, 'model.card.md'), '--sha256', join(directory, 'model.sha256')], run.io);
    expect(run.err()).toBe(run.err().split('\n').filter((l) => /^(simulate|train) \d+\/\d+$/.test(l) || l === '').join('\n'));
    expect(code).toBe(0);
    expect(run.out()).toMatch(/test fold: \d+ samples, prevalence/);
    expect((await readFile(out)).length).toBeGreaterThan(100);
    expect(await readFile(join(directory, 'model.card.md'), 'utf8')).toMatch(/^# Model card: risk v1\.0\.0/);
    expect(await readFile(join(directory, 'model.sha256'), 'utf8')).toMatch(/^[0-9a-f]{64} {2}model\.onnx\n$/);
  });
});

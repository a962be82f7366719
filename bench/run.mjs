#!/usr/bin/env node
// `npm run bench`: runs the benchmarks of this folder one after the other, each in its own process
// with the arguments its BENCHMARKS.md section was measured with, and prints what each one prints.
// The build comes first (`npm run bench` runs `turbo run build`; run that yourself when calling this
// file directly).
//
//   node bench/run.mjs                       every benchmark (about 10 minutes on 2 quiet cores)
//   node bench/run.mjs onnx-score sandbox-day   only these
//   node bench/run.mjs --list                the benchmarks and the command each one runs
//
// A benchmark that needs something missing on this machine (the `prometheus` or `victoria-metrics` binary) is skipped with
// a line saying so. Exit code: 0 when every benchmark that ran exited 0, else 1.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(benchDir, '..');

/** Every benchmark: its file, the arguments of the BENCHMARKS.md figures, and what it needs. */
const BENCHMARKS = [
  { name: 'predict-throughput', file: 'predict-throughput.mjs', args: ['--duration', '10', '--connections', '32'], what: 'POST /predict throughput and latency, server memory' },
  { name: 'onnx-score', file: 'onnx-score.mjs', args: [], what: 'scoring latency of the ONNX adapter, one row and 10,000 rows' },
  { name: 'prometheus-collect', file: 'prometheus-collect.mjs', args: [], needs: 'prometheus', what: 'collecting the features of 10,000 Deployments from a real Prometheus, by query shape' },
  { name: 'fleet-cycle', file: 'fleet-cycle.mjs', args: ['--runs=5', '--server-cycles=2'], needs: 'prometheus', what: 'one evaluation cycle over 10,000 Deployments: queries, collection, scoring, server RSS' },
  { name: 'backend-compare', file: 'backend-compare.mjs', args: ['--deployments=300', '--runs=5'], needs: ['prometheus', 'victoria-metrics'], what: 'the same fleet read from Prometheus and from VictoriaMetrics: feature by feature, and collection time' },
  { name: 'sandbox-day', file: 'sandbox-day.mjs', args: [], what: 'a simulated day of 10 Deployments in virtual time' },
  { name: 'sandbox-scale', file: 'sandbox-scale.mjs', args: ['1000', '30', '30'], what: '1,000 Deployments simulated in real time' },
];

const commandOf = (benchmark) => ['node', `bench/${benchmark.file}`, ...benchmark.args].join(' ');
const has = (binary) => spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;

function usage() {
  return `Usage: node bench/run.mjs [--list] [NAME...]\n\nBenchmarks:\n${BENCHMARKS.map((b) => `  ${b.name.padEnd(20)} ${b.what}\n  ${' '.repeat(20)} ${commandOf(b)}${b.needs ? `   (needs ${[b.needs].flat().join(', ')})` : ''}`).join('\n')}\n`;
}

function run(benchmark) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(benchDir, benchmark.file), ...benchmark.args], { cwd: root, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', () => resolve(1));
  });
}

async function main() {
  const { values, positionals } = parseArgs({ options: { list: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  if (values.help || values.list) {
    process.stdout.write(usage());
    return 0;
  }
  // Files here that are not in the table would silently never run: name them.
  const files = readdirSync(benchDir).filter((file) => file.endsWith('.mjs') && file !== 'run.mjs');
  const unlisted = files.filter((file) => !BENCHMARKS.some((b) => b.file === file));
  if (unlisted.length > 0) process.stderr.write(`bench/run.mjs: not in its table (add them): ${unlisted.join(', ')}\n`);
  const unknown = positionals.filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}\n\n${usage()}`);
    return 1;
  }
  const chosen = positionals.length > 0 ? BENCHMARKS.filter((b) => positionals.includes(b.name)) : BENCHMARKS;
  const results = [];
  for (const benchmark of chosen) {
    const missing = [benchmark.needs ?? []].flat().filter((binary) => !has(binary));
    if (missing.length > 0) {
      process.stdout.write(`\n== ${benchmark.name}: SKIPPED, not installed: ${missing.join(', ')}\n`);
      results.push({ name: benchmark.name, status: 'skipped' });
      continue;
    }
    process.stdout.write(`\n== ${benchmark.name}: ${commandOf(benchmark)}\n`);
    const code = await run(benchmark);
    results.push({ name: benchmark.name, status: code === 0 ? 'ok' : `failed (exit ${code})` });
  }
  process.stdout.write(`\n${results.map((r) => `${r.name}: ${r.status}`).join('\n')}\n`);
  return results.some((r) => r.status.startsWith('failed')) ? 1 : 0;
}

process.exitCode = await main();

#!/usr/bin/env node
// Scoring latency of @autoheal/adapter-onnx, measured in ONE run next to a bare onnxruntime-node
// session on the same model (the reference): one row at a time, and a 10,000-row batch, with and
// without per-feature contributions. Uses the shipped model when it exists, else a generated
// 100-tree ensemble (depth 6, NaN routing) over the seven default features.
//
// The batch figures are taken in alternating rounds (bare run, adapter run, again and again), so
// that the load of a shared machine falls on both alike, one phase without contributions and one
// with; each round also gives the adapter/bare ratio, whose median is reported. The process's CPU
// time per call is reported too (all its threads: JS, GC helpers, onnxruntime): on a machine so
// loaded that wall times mostly measure waiting for a core, it still measures the work done.
//
// Needs the package built first:
//   npx turbo run build --filter=@autoheal/adapter-onnx...   (or: npm run build)
//   node bench/onnx-score.mjs [--model models/risk-v1.onnx] [--single-runs 20000] [--batch-runs 60] [--batch-rows 10000] [--json]
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { createOnnxRiskModel } from '@autoheal/adapter-onnx';

// The generated model is written with onnx-proto directly (CommonJS, hence the default import).
const { onnx } = onnxProto;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/risk-v1.onnx' },
    'single-runs': { type: 'string', default: '20000' },
    'batch-runs': { type: 'string', default: '60' },
    'batch-rows': { type: 'string', default: '10000' },
    json: { type: 'boolean', default: false },
  },
});
const singleRuns = Number(args['single-runs']);
const batchRuns = Number(args['batch-runs']);
const batchRows = Number(args['batch-rows']);
const FEATURES = ['restart_count_last_5m', 'cpu_usage_pct', 'memory_usage_bytes', 'ready_replica_ratio', 'unavailable_replicas', 'network_receive_bytes_per_s', 'http_5xx_error_rate'];

// Deterministic pseudo-random numbers so every run scores the same rows.
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Rough ranges of each feature, used both for generated splits and for generated rows.
const RANGES = [6, 100, 5e8, 1, 3, 2e5, 20];
const rangeOf = (name) => RANGES[FEATURES.indexOf(name)] ?? 100;

/** A 100-tree, depth-6 TreeEnsembleRegressor → Sigmoid model with the agreed input, output and metadata. */
function generatedModel(trees = 100, depth = 6) {
  const random = seeded(42);
  const A = onnx.AttributeProto.AttributeType;
  const text = new TextEncoder();
  const n = { tree: [], node: [], feature: [], mode: [], value: [], yes: [], no: [], missing: [] };
  const leaf = { tree: [], node: [], weight: [] };
  for (let t = 0; t < trees; t++) {
    let next = 0;
    const grow = (level) => {
      const id = next++;
      const at = n.node.length;
      n.tree.push(t);
      n.node.push(id);
      if (level === depth) {
        n.feature.push(0); n.mode.push('LEAF'); n.value.push(0); n.yes.push(0); n.no.push(0); n.missing.push(0);
        leaf.tree.push(t); leaf.node.push(id); leaf.weight.push((random() - 0.5) * 0.2);
        return id;
      }
      const f = Math.floor(random() * FEATURES.length);
      n.feature.push(f); n.mode.push('BRANCH_LEQ'); n.value.push(random() * RANGES[f]); n.missing.push(random() < 0.5 ? 1 : 0);
      n.yes.push(0); n.no.push(0);
      n.yes[at] = grow(level + 1);
      n.no[at] = grow(level + 1);
      return id;
    };
    grow(0);
  }
  const ints = (name, list) => ({ name, type: A.INTS, ints: list });
  const floats = (name, list) => ({ name, type: A.FLOATS, floats: list });
  const dims = (d) => ({ tensorType: { elemType: 1, shape: { dim: d.map((x) => (typeof x === 'string' ? { dimParam: x } : { dimValue: x })) } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'bench/onnx-score.mjs',
    opsetImport: [{ domain: '', version: 17 }, { domain: 'ai.onnx.ml', version: 3 }],
    metadataProps: Object.entries({ feature_names: JSON.stringify(FEATURES), model_name: 'bench-generated', model_version: `${trees}x${depth}`, threshold: '0.5', model_type: 'tree_ensemble' }).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'bench',
      input: [{ name: 'features', type: dims(['N', FEATURES.length]) }],
      output: [{ name: 'probability', type: dims(['N', 1]) }],
      node: [
        {
          opType: 'TreeEnsembleRegressor', domain: 'ai.onnx.ml', input: ['features'], output: ['raw'],
          attribute: [
            { name: 'n_targets', type: A.INT, i: 1 }, { name: 'aggregate_function', type: A.STRING, s: text.encode('SUM') },
            floats('base_values', [-1]), ints('nodes_treeids', n.tree), ints('nodes_nodeids', n.node), ints('nodes_featureids', n.feature),
            { name: 'nodes_modes', type: A.STRINGS, strings: n.mode.map((m) => text.encode(m)) }, floats('nodes_values', n.value),
            ints('nodes_truenodeids', n.yes), ints('nodes_falsenodeids', n.no), ints('nodes_missing_value_tracks_true', n.missing),
            ints('target_treeids', leaf.tree), ints('target_nodeids', leaf.node), ints('target_ids', leaf.tree.map(() => 0)), floats('target_weights', leaf.weight),
          ],
        },
        { opType: 'Sigmoid', input: ['raw'], output: ['probability'] },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function summarize(samples) {
  const sorted = Float64Array.from(samples).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { runs: sorted.length, p50: at(0.5), p99: at(0.99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

async function time(runs, warmup, fn) {
  for (let i = 0; i < warmup; i++) await fn();
  const samples = new Float64Array(runs);
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples[i] = performance.now() - start;
  }
  return summarize(samples);
}

const modelPath = path.resolve(root, args.model);
const shipped = existsSync(modelPath);
const bytes = shipped ? new Uint8Array(await readFile(modelPath)) : generatedModel();
const model = await createOnnxRiskModel({ modelBytes: bytes, expectedFeatureNames: null });
const bare = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });

// Rows over the model's own features (a wider model v2 is measured the same way).
const names = model.featureNames;
const width = names.length;
const random = seeded(7);
const rows = Array.from({ length: batchRows }, () => Object.fromEntries(names.map((name) => [name, random() < 0.02 ? null : random() * rangeOf(name)])));
const matrix = new Float32Array(batchRows * width);
rows.forEach((row, r) => names.forEach((name, i) => (matrix[r * width + i] = row[name] ?? Number.NaN)));
const seedExample = { restart_count_last_5m: 0, cpu_usage_pct: 10, memory_usage_bytes: 52428800, ready_replica_ratio: 1, unavailable_replicas: 0, network_receive_bytes_per_s: 86, http_5xx_error_rate: 0 };
const one = Object.fromEntries(names.map((name) => [name, seedExample[name] ?? 0]));
const oneTensor = () => new ort.Tensor('float32', Float32Array.from(names.map((name) => one[name])), [1, width]);

/**
 * `variant` against the bare session in alternating rounds (bare, variant, bare, variant, …), so
 * that the load of a shared machine falls on both alike; each round gives a variant/bare ratio.
 * Each variant gets its own phase, so the garbage one leaves is not collected in another's time.
 */
async function againstBare(variant, runs, warmup) {
  const bareRun = () => bare.run({ features: new ort.Tensor('float32', matrix, [batchRows, width]) });
  for (let i = 0; i < warmup; i++) {
    await bareRun();
    await variant();
  }
  const wall = { bare: new Float64Array(runs), adapter: new Float64Array(runs) };
  const cpu = { bare: new Float64Array(runs), adapter: new Float64Array(runs) };
  const measure = async (fn, key, i) => {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await fn();
    wall[key][i] = performance.now() - start;
    const used = process.cpuUsage(cpuStart);
    cpu[key][i] = (used.user + used.system) / 1000;
  };
  for (let i = 0; i < runs; i++) {
    await measure(bareRun, 'bare', i);
    await measure(variant, 'adapter', i);
  }
  const ratio = (times) => summarize(times.adapter.map((t, i) => t / times.bare[i])).p50;
  return {
    bare: summarize(wall.bare),
    adapter: summarize(wall.adapter),
    ratio: ratio(wall),
    cpu: { bare: summarize(cpu.bare), adapter: summarize(cpu.adapter), ratio: ratio(cpu) },
  };
}

const results = {
  model: shipped ? path.relative(root, modelPath) : `generated ${model.version} tree ensemble (no ${args.model})`,
  trees: model.metadata.explanation.trees,
  node: process.version,
  single: {
    bareSessionRun: await time(singleRuns, 2000, () => bare.run({ features: oneTensor() })),
    score: await time(singleRuns, 2000, () => model.score(one)),
    scoreNoContributions: await time(singleRuns, 2000, () => model.score(one, { contributions: false })),
  },
  batch: {
    rows: batchRows,
    features: width,
    contributionsOff: await againstBare(() => model.scoreBatch(rows, { contributions: false }), batchRuns, 5),
    withContributions: await againstBare(() => model.scoreBatch(rows), batchRuns, 5),
  },
};
await model.close();
await bare.release();

if (args.json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const ms = (x) => `${x.toFixed(3)} ms`;
  const line = (label, s) => console.log(`  ${label.padEnd(44)} p50 ${ms(s.p50).padStart(11)}  p99 ${ms(s.p99).padStart(11)}  mean ${ms(s.mean).padStart(11)}  (${s.runs} runs)`);
  console.log(`model: ${results.model}, ${results.trees ?? '?'} trees, ${width} features; node ${results.node}; 1 intra-op thread`);
  console.log('one row:');
  line('bare onnxruntime session.run (reference)', results.single.bareSessionRun);
  line('model.score, with contributions', results.single.score);
  line('model.score, contributions off', results.single.scoreNoContributions);
  for (const [label, phase] of [['contributions off', results.batch.contributionsOff], ['with contributions', results.batch.withContributions]]) {
    console.log(`${batchRows}-row batch, ${label} (alternating with the bare session):`);
    line('bare onnxruntime session.run (reference)', phase.bare);
    line(`model.scoreBatch, ${label}`, phase.adapter);
    console.log(`  median per-round ratio to bare: ×${phase.ratio.toFixed(2)}`);
    console.log(`  process CPU time per call, p50: bare ${ms(phase.cpu.bare.p50)}, adapter ${ms(phase.cpu.adapter.p50)}; median per-round ratio ×${phase.cpu.ratio.toFixed(2)}`);
  }
}

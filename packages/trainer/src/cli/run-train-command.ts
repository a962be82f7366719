/**
 * `autoheal train`: builds a risk model from the sandbox or from a Prometheus history, writes the
 * ONNX file (and optionally its card and SHA-256), shows progress on stderr and prints the report.
 *
 * ```
 * train --from sandbox [--seed N] [--runs N] --out model.onnx [--card model.card.md] [--sha256 model.sha256]
 * train --from sandbox --feature-set v2 [--seed N] [--catalogue full|tiny] [--workers N] --out model.onnx [...]
 * train --from prometheus --prometheus-url URL --targets ns/name,... --incidents FILE
 *       --start ISO --end ISO [--step 15s] --out model.onnx [--card model.card.md]
 * ```
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { AutohealError, describeIssues, errorMessage } from '@autoheal/core';
import { buildPrometheusModel } from '../build/build-prometheus-model.js';
import { buildSandboxModel } from '../build/build-sandbox-model.js';
import type { BuiltModel, V2BuiltModel } from '../build/finish-model.js';
import type { SimulationFactory } from '../dataset/sandbox-dataset.js';
import { trainerConfigError } from '../errors.js';
import { formatThreshold } from '../export/onnx-export.js';
import { createProgressBar, type ProgressStream } from './progress-bar.js';

/** Where the command writes: the report to `stdout`, progress and errors to `stderr`. */
export interface TrainCommandIo {
  stdout: { write(text: string): unknown };
  stderr: ProgressStream;
  /** Injected for tests: the simulation to use instead of the sandbox's. */
  createSimulation?: SimulationFactory;
  /** Injected for tests: `fetch` for the Prometheus HTTP API. */
  fetch?: typeof globalThis.fetch;
}

/** The usage text. */
export const TRAIN_USAGE = `usage:
  train --from sandbox [--seed N] [--runs N] --out model.onnx [--card model.card.md] [--sha256 model.sha256]
  train --from sandbox --feature-set v2 [--seed N] [--catalogue full|tiny] [--workers 0-8]
        --out model.onnx [--card model.card.md] [--sha256 model.sha256]
  train --from prometheus --prometheus-url URL --targets ns/name[,ns/name...] --incidents FILE
        --start ISO-TIME --end ISO-TIME [--step 15s] --out model.onnx [--card model.card.md] [--sha256 FILE]
`;

const integer = (flag: string) => z.coerce.number({ error: `${flag} must be a whole number` }).int(`${flag} must be a whole number`);
const common = {
  out: z.string({ error: 'is required: where to write the ONNX model, e.g. --out models/risk-v1.onnx' }).min(1),
  card: z.string().min(1).optional(),
  sha256: z.string().min(1).optional(),
};

/** Schema of the parsed `train` arguments. */
export const trainArgumentsSchema = z.discriminatedUnion(
  'from',
  [
    z
      .strictObject({
        from: z.literal('sandbox'),
        'feature-set': z.enum(['seed', 'v2'], { error: 'must be "seed" (the seven original features, model v1) or "v2" (feature set v2, model v2), e.g. --feature-set v2' }).optional(),
        seed: integer('--seed').min(0).optional(),
        runs: integer('--runs').min(8, 'must be at least 8 (one cycle of folds)').optional(),
        catalogue: z.enum(['full', 'tiny'], { error: 'must be "full" or "tiny" (a test-sized build), e.g. --catalogue full' }).optional(),
        workers: integer('--workers').min(0, 'must be 0 (in process) or more').max(8, 'must be at most 8 (the machine is shared: 2 is plenty)').optional(),
        ...common,
      })
      .superRefine((args, context) => {
        const v2 = args['feature-set'] === 'v2';
        if (v2 && args.runs !== undefined) context.addIssue({ code: 'custom', path: ['runs'], message: 'applies to --feature-set seed only: a v2 build sizes its data with --catalogue' });
        if (!v2 && args.catalogue !== undefined) context.addIssue({ code: 'custom', path: ['catalogue'], message: 'applies to --feature-set v2 only' });
        if (!v2 && args.workers !== undefined) context.addIssue({ code: 'custom', path: ['workers'], message: 'applies to --feature-set v2 only' });
      }),
    z.strictObject({
      from: z.literal('prometheus'),
      'prometheus-url': z.url({ error: 'must be a URL such as http://prometheus:9090' }),
      targets: z.string({ error: 'is required: a comma-separated list of namespace/name' }).min(1),
      incidents: z.string({ error: 'is required: a CSV or JSON file of incident windows' }).min(1),
      start: z.iso.datetime({ offset: true, error: 'must be an ISO time such as 2025-01-01T00:00:00Z' }),
      end: z.iso.datetime({ offset: true, error: 'must be an ISO time such as 2025-01-08T00:00:00Z' }),
      step: z.string().regex(/^\d+(ms|s|m|h)$/, 'must be a duration such as 15s').optional(),
      ...common,
    }),
  ],
  { error: 'must be "sandbox" or "prometheus", e.g. --from sandbox' },
);

function parseTrainArguments(argv: readonly string[]) {
  let values: Record<string, string | undefined>;
  try {
    const parsed = parseArgs({
      args: argv[0] === 'train' ? argv.slice(1) : [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        from: { type: 'string' }, 'feature-set': { type: 'string' }, catalogue: { type: 'string' }, workers: { type: 'string' }, seed: { type: 'string' }, runs: { type: 'string' }, out: { type: 'string' }, card: { type: 'string' }, sha256: { type: 'string' },
        'prometheus-url': { type: 'string' }, targets: { type: 'string' }, incidents: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' }, step: { type: 'string' },
      },
    });
    values = parsed.values as Record<string, string | undefined>;
  } catch (error) {
    throw trainerConfigError(`invalid train arguments: ${errorMessage(error)}\n${TRAIN_USAGE}`);
  }
  const result = trainArgumentsSchema.safeParse(Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)));
  if (!result.success) {
    const issues = describeIssues(result.error).map((issue) => ({ ...issue, path: issue.path === '(root)' ? '(arguments)' : `--${issue.path}` }));
    throw trainerConfigError(`invalid train arguments: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}\n${TRAIN_USAGE}`, issues);
  }
  return result.data;
}

/** Parses a duration like `15s`, `1m`, `500ms` into milliseconds. */
export function parseDurationMs(text: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text);
  if (!match) throw trainerConfigError(`invalid duration "${text}": write it like 15s, 1m or 500ms`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

function report(built: BuiltModel, files: string[], timing: { wallMs: number; cpuMs: number }): string {
  if (built.featureSet === 'v2') return reportV2(built, files, timing);
  const e = built.outcome.evaluation;
  const pct = (v: number) => (Number.isNaN(v) ? 'n/a' : `${(v * 100).toFixed(2)}%`);
  const num = (v: number | null) => (v === null || Number.isNaN(v) ? 'n/a' : v.toFixed(3));
  const lines = [
    `model: ${built.outcome.model.gbdt.trees.length} trees, threshold ${formatThreshold(built.outcome.model.threshold)}, sha256 ${built.sha256}`,
    `test fold: ${e.samples} samples, prevalence ${pct(e.prevalence)}, ROC-AUC ${num(e.rocAuc)}, PR-AUC ${num(e.prAuc)}, Brier ${num(e.brier)}, skill ${num(e.brierSkill)}`,
    `at the threshold: precision ${pct(e.atThreshold.precision)}, recall ${pct(e.atThreshold.recall)}, FPR healthy ${pct(e.healthyFalsePositiveRate)}, FPR other scales ${pct(e.otherScaleFalsePositiveRate)}`,
    `events: recall ${pct(e.events.recall)} (${e.events.warned}/${e.events.events}), median lead ${Number.isNaN(e.events.medianLeadMs) ? 'n/a' : `${Math.round(e.events.medianLeadMs / 1000)} s`}`,
    ...built.outcome.baselines.map((b) => `baseline ${b.name}: ROC-AUC ${num(b.evaluation.rocAuc)}, PR-AUC ${num(b.evaluation.prAuc)}, event recall ${pct(b.evaluation.events.recall)}`),
    `time: ${(timing.wallMs / 1000).toFixed(1)} s wall, ${(timing.cpuMs / 1000).toFixed(1)} s CPU`,
    `wrote: ${files.join(', ')}`,
  ];
  return `${lines.join('\n')}\n`;
}

function reportV2(built: V2BuiltModel, files: string[], timing: { wallMs: number; cpuMs: number }): string {
  const e = built.outcome.evaluation;
  const pct = (v: number) => (Number.isNaN(v) ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  const num = (v: number) => (Number.isNaN(v) ? 'n/a' : v.toFixed(3));
  const lines = [
    `model v2: ${built.outcome.model.gbdt.trees.length} trees, threshold ${formatThreshold(built.outcome.model.threshold)}, sha256 ${built.sha256}`,
    `test fold: ${e.all.samples} samples, ROC-AUC ${num(e.all.rocAuc)}, PR-AUC ${num(e.all.prAuc)}; prediction only ROC-AUC ${num(e.prediction.rocAuc)}, PR-AUC ${num(e.prediction.prAuc)}; detection ${pct(e.detection.rate)}`,
    ...Object.entries(e.gradual).map(([kind, g]) => `${kind}: event recall ${pct(g.recall)} (${g.warned}/${g.events}), median lead ${Number.isNaN(g.medianLeadMs) ? 'n/a' : `${Math.round(g.medianLeadMs / 1000)} s`}`),
    ...Object.entries(e.sudden).map(([kind, s]) => `${kind}: flagged at the first failing scrape ${pct(s.rate)} (${s.onTime}/${s.events})`),
    ...e.falseAlarms.filter((g) => g.episodes > 0).map((g) => `false alarms, ${g.name}: ${g.alarms} in ${g.days.toFixed(2)} workload-days (${num(g.perDay)} per day)`),
    `time: ${(timing.wallMs / 1000).toFixed(1)} s wall, ${(timing.cpuMs / 1000).toFixed(1)} s CPU (main thread)`,
    `wrote: ${files.join(', ')}`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Runs `train` with `argv` (the words after the program name, with or without a leading `train`).
 * Returns the exit code: 0 on success, 2 for bad arguments or input files, 1 for other failures.
 *
 * @example
 * process.exitCode = await runTrainCommand(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
 */
export async function runTrainCommand(argv: readonly string[], io: TrainCommandIo): Promise<number> {
  const started = Date.now();
  const cpuStart = process.cpuUsage();
  const bar = createProgressBar(io.stderr);
  try {
    const args = parseTrainArguments(argv);
    const onProgress = (p: { phase: string; done: number; total: number }) => bar.update(p.phase, p.done, p.total);
    let built: BuiltModel;
    if (args.from === 'sandbox') {
      built = await buildSandboxModel(
        {
          ...(args['feature-set'] === undefined ? {} : { featureSet: args['feature-set'] }),
          ...(args.seed === undefined ? {} : { seed: args.seed }),
          ...(args.runs === undefined ? {} : { runs: args.runs }),
          ...(args.catalogue === undefined ? {} : { catalogue: args.catalogue }),
          ...(args.workers === undefined ? {} : { workers: args.workers }),
        },
        { onProgress, ...(io.createSimulation ? { createSimulation: io.createSimulation } : {}) },
      );
    } else {
      built = await buildPrometheusModel(
        {
          prometheusUrl: args['prometheus-url'],
          targets: args.targets.split(',').map((t) => t.trim()).filter((t) => t.length > 0),
          incidentsFile: args.incidents,
          start: args.start,
          end: args.end,
          stepMs: args.step === undefined ? 15_000 : parseDurationMs(args.step),
        },
        { onProgress, ...(io.fetch ? { fetch: io.fetch } : {}) },
      );
    }
    bar.finish();
    const files: string[] = [];
    const write = async (path: string, data: Uint8Array | string) => {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, data);
      files.push(path);
    };
    await write(args.out, built.onnx);
    if (args.card) await write(args.card, built.card);
    if (args.sha256) await write(args.sha256, `${built.sha256}  ${args.out.split('/').pop()}\n`);
    const cpu = process.cpuUsage(cpuStart);
    io.stdout.write(report(built, files, { wallMs: Date.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 }));
    return 0;
  } catch (error) {
    bar.finish();
    if (AutohealError.isInstance(error) && error.code === 'CONFIG_INVALID') {
      io.stderr.write(`${error.message}\n`);
      return 2;
    }
    io.stderr.write(`${AutohealError.isInstance(error) ? error.message : `[autoheal] [trainer] training failed: ${errorMessage(error)}`}\n`);
    return 1;
  }
}

/**
 * `buildSandboxModel`: simulated dataset → trained, calibrated, evaluated model → ONNX bytes and a
 * model card. Deterministic: the same options give the same bytes.
 */
import { z } from 'zod';
import { DEFAULT_FEATURE_NAMES } from '@autoheal/core';
import type { Episode } from '../dataset/episode.js';
import { simulateRun, type SimulationFactory } from '../dataset/sandbox-dataset.js';
import { loadSandboxSimulation } from '../dataset/sandbox-simulation.js';
import { FAULT_TYPES, generateScenarios } from '../dataset/scenarios.js';
import { parseTrainerOptions } from '../errors.js';
import { trainRiskModel } from '../train/train-risk-model.js';
import { labelOptionsShape } from './build-options.js';
import { finishModel, type BuildProgress, type BuiltModel } from './finish-model.js';

/** Schema of {@link SandboxBuildOptions}. */
export const sandboxBuildOptionsSchema = z.strictObject({
  /** Base seed of the scenarios and simulations. @default 1 */
  seed: z.number().int().min(0).max(2 ** 31).default(1),
  /** Simulated runs (folds cycle every 8 runs: 4 train, 1 validation, 1 calibration, 2 test). @default 64 */
  runs: z.number().int().min(8, 'must be at least 8 (one full cycle of folds)').max(100_000).default(64),
  /** @default 6 */
  workloadsPerRun: z.number().int().min(2).max(50).default(6),
  /** Recorded minutes per run (after a 10-minute warm-up). @default 40 */
  durationMinutes: z.number().int().min(20).max(24 * 60).default(40),
  /** Simulation step. @default 5000 */
  tickMs: z.number().int().min(100).max(15_000).default(5000),
  ...labelOptionsShape,
});

/** Options of {@link buildSandboxModel} (input form: everything optional). */
export type SandboxBuildOptions = z.input<typeof sandboxBuildOptionsSchema>;

/**
 * Builds the risk model from simulated runs.
 *
 * @example
 * const { onnx, card } = await buildSandboxModel({ seed: 1, runs: 64 });
 * await writeFile('models/risk-v1.onnx', onnx);
 */
export async function buildSandboxModel(
  input: SandboxBuildOptions = {},
  hooks: { createSimulation?: SimulationFactory; onProgress?: (progress: BuildProgress) => void } = {},
): Promise<BuiltModel> {
  const options = parseTrainerOptions(sandboxBuildOptionsSchema, input, 'invalid sandbox build options');
  const createSimulation = hooks.createSimulation ?? (await loadSandboxSimulation());
  const horizonMs = options.horizonMinutes * 60_000;
  const scenarios = generateScenarios({ seed: options.seed, runs: options.runs, workloadsPerRun: options.workloadsPerRun, durationMs: options.durationMinutes * 60_000 });
  const episodes: Episode[] = [];
  scenarios.forEach((run, index) => {
    episodes.push(...simulateRun(run, { createSimulation, tickMs: options.tickMs, horizonMs, objective: options.objective }));
    hooks.onProgress?.({ phase: 'simulate', done: index + 1, total: scenarios.length });
  });
  const outcome = trainRiskModel(episodes, {
    inBreachSamples: options.inBreachSamples,
    gbdt: options.gbdt,
    horizonMs,
    minWarningMs: options.minWarningSeconds * 1000,
    maxHealthyFpr: options.maxHealthyFpr,
    onRound: (round, maxRounds) => hooks.onProgress?.({ phase: 'train', done: round, total: maxRounds }),
  });
  const seeds = scenarios.map((s) => s.seed);
  return finishModel(outcome, {
    source: 'sandbox',
    sourceDescription: `${options.runs} simulated runs of ${options.workloadsPerRun} workloads in the @autoheal/sandbox simulation (virtual time, ${options.tickMs} ms step, scraped every 15 s), ${options.durationMinutes} recorded minutes each after a 10-minute warm-up`,
    summary: {
      source: 'sandbox',
      seed: options.seed,
      seeds: { first: seeds[0], last: seeds[seeds.length - 1], rule: 'run i uses seed * 100003 + i' },
      runs: options.runs,
      workloadsPerRun: options.workloadsPerRun,
      durationMinutes: options.durationMinutes,
      tickMs: options.tickMs,
      faultTypes: [...FAULT_TYPES],
    },
    featureNames: DEFAULT_FEATURE_NAMES,
    horizonMs,
    minWarningMs: options.minWarningSeconds * 1000,
    objective: options.objective,
    inBreachSamples: options.inBreachSamples,
    maxHealthyFpr: options.maxHealthyFpr,
    gbdt: options.gbdt,
  });
}

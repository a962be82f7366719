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
import { V2_CATALOGUE_SIZES } from '../dataset/v2-scenarios.js';
import { buildV2Model } from './build-v2-model.js';
import { finishModel, type BuildProgress, type BuiltModel, type SeedBuiltModel, type V2BuiltModel } from './finish-model.js';

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
  /**
   * The features the model takes: `seed` (the seven original features, model v1's generator: `runs`,
   * `workloadsPerRun` and `durationMinutes` apply) or `v2` (feature set v2 over the sandbox's scenario
   * catalogue: `catalogue` and `workers` apply). @default 'seed'
   */
  featureSet: z.enum(['seed', 'v2'], { message: 'must be "seed" or "v2"' }).default('seed'),
  /** v2 only: the catalogue size (`tiny` checks the machinery in tests). @default 'full' */
  catalogue: z.enum(['full', 'tiny'], { message: 'must be "full" or "tiny"' }).default('full'),
  /** v2 only: worker threads that simulate (0 = in process); the result does not depend on it. @default 2 */
  workers: z.number().int().min(0).max(8).default(2),
  /** v2 only: highest healthy false-alarm rate (per workload-day, on the validation and calibration folds) the threshold may have. @default 0.1 */
  maxFalseAlarmsPerDay: z.number().min(0).default(0.1),
  ...labelOptionsShape,
});

/** Hooks of {@link buildSandboxModel}: a simulation double (tests) and progress. */
export interface SandboxBuildHooks {
  createSimulation?: SimulationFactory;
  onProgress?: (progress: BuildProgress) => void;
}

/** Options of {@link buildSandboxModel} (input form: everything optional). */
export type SandboxBuildOptions = z.input<typeof sandboxBuildOptionsSchema>;

/**
 * Builds the risk model from simulated runs.
 *
 * @example
 * const { onnx, card } = await buildSandboxModel({ seed: 1, runs: 64 });
 * await writeFile('models/risk-v1.onnx', onnx);
 */
export async function buildSandboxModel(input: SandboxBuildOptions & { featureSet: 'v2' }, hooks?: SandboxBuildHooks): Promise<V2BuiltModel>;
export async function buildSandboxModel(input?: SandboxBuildOptions & { featureSet?: 'seed' }, hooks?: SandboxBuildHooks): Promise<SeedBuiltModel>;
export async function buildSandboxModel(input?: SandboxBuildOptions, hooks?: SandboxBuildHooks): Promise<BuiltModel>;
export async function buildSandboxModel(input: SandboxBuildOptions = {}, hooks: SandboxBuildHooks = {}): Promise<BuiltModel> {
  const options = parseTrainerOptions(sandboxBuildOptionsSchema, input, 'invalid sandbox build options');
  const horizonMs = options.horizonMinutes * 60_000;
  if (options.featureSet === 'v2') {
    const { excludeFromSplits: _seedOnly, ...gbdt } = options.gbdt;
    return buildV2Model(
      {
        seed: options.seed,
        size: V2_CATALOGUE_SIZES[options.catalogue],
        sizeName: options.catalogue,
        tickMs: options.tickMs,
        horizonMs,
        minWarningMs: options.minWarningSeconds * 1000,
        objective: options.objective,
        maxFalseAlarmsPerDay: options.maxFalseAlarmsPerDay,
        workers: options.workers,
        gbdt,
      },
      hooks,
    );
  }
  const createSimulation = hooks.createSimulation ?? (await loadSandboxSimulation());
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

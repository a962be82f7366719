/**
 * `buildSandboxModel({ featureSet: 'v2' })`: model v2 on feature set v2 from the sandbox's scenario
 * catalogue — simulate (worker threads), train monotone boosted trees on the train fold with early
 * stopping on the validation fold, Platt-calibrate on the calibration fold, tune the threshold on
 * validation + calibration, evaluate on the held-out test fold, export ONNX, write the card.
 * Deterministic: the same options give the same bytes, whatever the number of workers.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_FEATURE_WINDOWS, FEATURE_SET_V2_ID, FEATURE_SET_V2_NAMES } from '@autoheal/core';
import type { AvailabilityObjective } from '../dataset/label.js';
import type { SimulationFactory } from '../dataset/sandbox-dataset.js';
import type { V2Episode } from '../dataset/v2-dataset.js';
import { buildV2Scenarios, V2_HELD_OUT_FAMILIES, V2_HELD_OUT_SHAPES, V2_TEST_STRENGTHS, V2_TRAIN_SHAPES, V2_TRAIN_STRENGTHS, type V2CatalogueSize } from '../dataset/v2-scenarios.js';
import { evaluateV2, tuneV2Threshold, type RankingStats, type V2Evaluation, type V2Scores } from '../evaluate/v2-evaluation.js';
import { renderV2ModelCard } from '../evaluate/v2-model-card.js';
import { exportRiskModelToOnnx } from '../export/onnx-export.js';
import { detectionTrees, DETECTION_LOG_ODDS, type DetectionRule } from '../train/detection-trees.js';
import { predictRaw, trainGbdt, type GbdtModel } from '../train/gbdt.js';
import { fitPlatt } from '../train/platt.js';
import { createTrainedRiskModel, predictProbability, type TrainedRiskModel } from '../train/trained-risk-model.js';
import { hashEpisodes } from '../train/train-risk-model.js';
import { v2MonotoneDirections, V2_NO_SPLIT } from '../train/v2-monotone.js';
import type { gbdtOptionsSchema } from './build-options.js';
import type { BuildProgress, V2BuiltModel } from './finish-model.js';
import { simulateV2Episodes } from './simulate-v2-episodes.js';
import type { z } from 'zod';

/** What a v2 build needs (the sandbox build options, resolved). */
export interface V2BuildSettings {
  seed: number;
  size: V2CatalogueSize;
  sizeName: string;
  tickMs: number;
  horizonMs: number;
  minWarningMs: number;
  objective: AvailabilityObjective;
  maxFalseAlarmsPerDay: number;
  workers: number;
  gbdt: Omit<z.output<typeof gbdtOptionsSchema>, 'excludeFromSplits'>;
}

/** Everything a v2 build measured, for the card and the report. */
export interface V2Outcome {
  model: TrainedRiskModel;
  rounds: number;
  evaluation: V2Evaluation;
  /** The same on parts of the test fold. */
  parts: Array<{ name: string; evaluation: V2Evaluation }>;
  /** At the server's fallback threshold 0.50. */
  atDefaultThreshold: V2Evaluation;
  /** The trees alone, without the detection rule, at their own threshold (tuned the same way). */
  treesAlone: V2Evaluation;
  /** Ranking on the test fold without the positives taken before their fault's onset. */
  afterOnset: RankingStats;
  folds: Record<'train' | 'validation' | 'calibration' | 'test', { episodes: number; rows: number; positives: number; inBreach: number }>;
  dataHash: string;
  /** Share of missing values per feature over every sample. */
  missingShare: Record<string, number>;
}

/**
 * Rows of a fold. With `learnable`, positives taken before their fault's onset are left out: the
 * horizon makes the last minutes before a sudden fault positive, but nothing in the workload's signals
 * can foresee a bad release before it is rolled out, and those rows (healthy in every signal) taught
 * the trees to flag healthy workloads. Training and early stopping use learnable rows; calibration,
 * the threshold and every reported figure use every row.
 */
function rows(episodes: readonly V2Episode[], learnable = false) {
  const x: number[][] = [];
  const y: number[] = [];
  for (const episode of episodes) {
    episode.labels.forEach((label, i) => {
      if (learnable && label.label === 1 && episode.faultOnset !== null && (episode.times[i] as number) < episode.faultOnset) return;
      x.push(episode.features[i] as number[]);
      y.push(label.label);
    });
  }
  return { x, y };
}

function foldCounts(episodes: readonly V2Episode[]) {
  let rowsCount = 0;
  let positives = 0;
  let inBreach = 0;
  for (const episode of episodes) {
    for (const label of episode.labels) {
      rowsCount++;
      positives += label.label;
      if (label.inBreach) inBreach++;
    }
  }
  return { episodes: episodes.length, rows: rowsCount, positives, inBreach };
}

/** Builds model v2 (see the module comment). */
export async function buildV2Model(settings: V2BuildSettings, hooks: { createSimulation?: SimulationFactory; onProgress?: (progress: BuildProgress) => void } = {}): Promise<V2BuiltModel> {
  const scenarios = buildV2Scenarios(settings.seed, settings.size);
  const episodes = await simulateV2Episodes(scenarios, {
    workers: settings.workers,
    tickMs: settings.tickMs,
    horizonMs: settings.horizonMs,
    objective: settings.objective,
    ...(hooks.createSimulation ? { createSimulation: hooks.createSimulation } : {}),
    onProgress: (done, total) => hooks.onProgress?.({ phase: 'simulate', done, total }),
  });
  const byFold = (fold: V2Episode['fold']) => episodes.filter((e) => e.fold === fold);
  const [train, validation, calibration, test] = (['train', 'validation', 'calibration', 'test'] as const).map(byFold) as [V2Episode[], V2Episode[], V2Episode[], V2Episode[]];
  const trainRows = rows(train, true);
  if (!trainRows.y.includes(1)) throw new RangeError('the train fold has no positive sample: use a bigger catalogue');

  const { model: gbdt, rounds } = trainGbdt(trainRows, rows(validation, true), {
    ...settings.gbdt,
    monotone: v2MonotoneDirections(),
    missingIsHealthy: true,
    noSplit: FEATURE_SET_V2_NAMES.map((name) => (V2_NO_SPLIT as readonly string[]).includes(name)),
    onRound: (round) => hooks.onProgress?.({ phase: 'train', done: round, total: settings.gbdt.maxRounds }),
  });
  const calibrationRows = rows(calibration);
  const platt = fitPlatt(calibrationRows.x.map((row) => predictRaw(gbdt, row)), calibrationRows.y);
  if (!(platt.a > 0)) throw new RangeError(`calibration slope is ${platt.a} (must be > 0): the trees do not rank the calibration fold; use a bigger catalogue`);

  // Detection combined with prediction by a fixed rule (trees appended after calibration): an objective
  // violated in what was just scraped, or a crash loop, scores ~1 whatever the learned trees say.
  const detection: DetectionRule = {
    readyFeature: FEATURE_SET_V2_NAMES.indexOf('ready_replica_ratio'),
    errorFeature: FEATURE_SET_V2_NAMES.indexOf('http_error_ratio'),
    minReadyRatio: settings.objective.minReadyRatio,
    maxErrorRatio: settings.objective.maxErrorRatio,
    restartsFeature: FEATURE_SET_V2_NAMES.indexOf('restarts_per_pod'),
    errorExitFeature: FEATURE_SET_V2_NAMES.indexOf('error_exit_pod_ratio'),
    oomKilledFeature: FEATURE_SET_V2_NAMES.indexOf('oomkilled_pod_ratio'),
    minRestartsPerPod: 1,
    minExitedPodRatio: 0.5,
    requestsFeature: FEATURE_SET_V2_NAMES.indexOf('http_requests_per_second'),
    rateWindowSeconds: DEFAULT_FEATURE_WINDOWS.rateWindowSeconds,
    errorRiseFeature: FEATURE_SET_V2_NAMES.indexOf('http_error_ratio_rise'),
  };
  const shipped: GbdtModel = { ...gbdt, trees: [...gbdt.trees, ...detectionTrees(detection)] };
  const calibrated = createTrainedRiskModel(shipped, platt, 0.5, FEATURE_SET_V2_NAMES);
  const treesOnly = createTrainedRiskModel(gbdt, platt, 0.5, FEATURE_SET_V2_NAMES);
  const scores: V2Scores = new Map(episodes.map((episode) => [episode.id, episode.features.map((row) => predictProbability(calibrated, row))]));
  const treeScores: V2Scores = new Map(episodes.map((episode) => [episode.id, episode.features.map((row) => predictProbability(treesOnly, row))]));
  const threshold = Number(tuneV2Threshold([...validation, ...calibration], scores, settings.maxFalseAlarmsPerDay).toFixed(4));
  const treesThreshold = Number(tuneV2Threshold([...validation, ...calibration], treeScores, settings.maxFalseAlarmsPerDay).toFixed(4));
  const model = createTrainedRiskModel(shipped, platt, threshold, FEATURE_SET_V2_NAMES);
  const evaluationOptions = { threshold, horizonMs: settings.horizonMs, minWarningMs: settings.minWarningMs };
  const evaluation = evaluateV2(test, scores, evaluationOptions);
  const partDefinitions: Array<[string, (episode: V2Episode) => boolean]> = [
    ['trained shapes and families, held-out strengths (+ healthy on trained shapes)', (e) => !e.heldOut.shape && !e.heldOut.family],
    ['held-out shapes (faults at held-out strengths + healthy)', (e) => e.heldOut.shape],
    [`held-out family (${V2_HELD_OUT_FAMILIES.join(', ')}) + healthy`, (e) => e.heldOut.family || e.kind === 'healthy'],
  ];
  const parts = partDefinitions.map(([name, keep]) => ({ name, evaluation: evaluateV2(test.filter(keep), scores, evaluationOptions) }));
  const atDefaultThreshold = evaluateV2(test, scores, { ...evaluationOptions, threshold: 0.5 });
  const treesAlone = evaluateV2(test, treeScores, { ...evaluationOptions, threshold: treesThreshold });
  // Positives before the fault's onset cannot be foreseen (nothing is wrong yet): the same ranking without them.
  const foreseeable = test.map((episode) => {
    const keep = episode.labels.map((label, i) => !(label.label === 1 && episode.faultOnset !== null && (episode.times[i] as number) < episode.faultOnset));
    const pick = <T,>(values: readonly T[]) => values.filter((_, i) => keep[i]);
    return { ...episode, times: pick(episode.times), features: pick(episode.features), labels: pick(episode.labels), violating: pick(episode.violating), id: episode.id };
  });
  const foreseeableScores: V2Scores = new Map(foreseeable.map((episode) => [episode.id, episode.features.map((row) => predictProbability(calibrated, row))]));
  const afterOnset = evaluateV2(foreseeable, foreseeableScores, evaluationOptions).all;

  const missingShare: Record<string, number> = {};
  const total = episodes.reduce((sum, e) => sum + e.features.length, 0);
  FEATURE_SET_V2_NAMES.forEach((name, f) => {
    const missing = episodes.reduce((sum, e) => sum + e.features.filter((row) => Number.isNaN(row[f] as number)).length, 0);
    missingShare[name] = total === 0 ? 0 : missing / total;
  });
  const folds = { train: foldCounts(train), validation: foldCounts(validation), calibration: foldCounts(calibration), test: foldCounts(test) };
  const v2: V2Outcome = { model, rounds, evaluation, parts, atDefaultThreshold, treesAlone, afterOnset, folds, dataHash: hashEpisodes(episodes), missingShare };

  const trainingSummary: Record<string, unknown> = {
    source: 'sandbox',
    featureSet: FEATURE_SET_V2_ID,
    seed: settings.seed,
    size: settings.sizeName,
    catalogue: {
      scenarios: scenarios.length,
      ...settings.size,
      trainShapes: V2_TRAIN_SHAPES.map((s) => s.name),
      heldOutShapes: V2_HELD_OUT_SHAPES.map((s) => s.name),
      heldOutFamilies: [...V2_HELD_OUT_FAMILIES],
      trainStrengths: [...V2_TRAIN_STRENGTHS],
      testStrengths: [...V2_TEST_STRENGTHS],
    },
    tickMs: settings.tickMs,
    horizonMs: settings.horizonMs,
    label: describeV2Label(settings.objective, settings.horizonMs),
    objective: settings.objective,
    folds,
    dataHash: v2.dataHash,
    learner: { ...settings.gbdt, rounds, monotone: v2MonotoneDirections(), missingIsHealthy: true, noSplit: [...V2_NO_SPLIT] },
    detection: { rule: `the last five trees add ${DETECTION_LOG_ODDS} to the log-odds when ready_replica_ratio < minReadyRatio, http_error_ratio > maxErrorRatio plus two standard errors of counting noise at the request rate's band (errorRatioBands), or above maxErrorRatio with http_error_ratio_rise > 0, or restarts_per_pod >= minRestartsPerPod with error_exit_pod_ratio or oomkilled_pod_ratio >= minExitedPodRatio`, ...detection },
  };
  const onnx = exportRiskModelToOnnx({ model: shipped, calibration: platt, featureNames: FEATURE_SET_V2_NAMES, featureSet: FEATURE_SET_V2_ID, threshold, trainingSummary, modelVersion: '2.0.0' });
  const sha256 = createHash('sha256').update(onnx).digest('hex');
  const card = renderV2ModelCard({ outcome: v2, settings, sha256, onnxBytes: onnx.length, scenarios: scenarios.length });
  return { featureSet: 'v2', onnx, sha256, card, outcome: v2, trainingSummary };
}

/** The v2 label in words (stored in the model and the card). */
export function describeV2Label(objective: AvailabilityObjective, horizonMs: number): string {
  return `positive when the workload is breaching its availability objective now, or starts breaching it within ${horizonMs / 60_000} min after the sample (ready ratio < ${objective.minReadyRatio} or more than ${objective.maxErrorRatio * 100}% of requests failing, sustained ${objective.sustainMs / 1000} s, on the simulation's ground truth: every request counted, those the ingress answered because no pod was ready included); an ongoing breach is positive because it is the most urgent case`;
}

/**
 * @autoheal/trainer — datasets (simulated runs or Prometheus history), labels, a monotone
 * gradient-boosted tree learner, Platt calibration, honest evaluation, ONNX export and the model card.
 * Exports what the README's API section lists, with the types of their signatures; the helpers
 * behind them stay internal.
 */

// Building a model end to end.
export { buildSandboxModel, sandboxBuildOptionsSchema, type SandboxBuildOptions } from './build/build-sandbox-model.js';
export { buildPrometheusModel, prometheusBuildOptionsSchema, type PrometheusBuildOptions } from './build/build-prometheus-model.js';
export type { BuildProgress, BuiltModel, SeedBuiltModel, V2BuiltModel } from './build/finish-model.js';
export type { SandboxBuildHooks } from './build/build-sandbox-model.js';
export { buildV2Model, describeV2Label, type V2BuildSettings, type V2Outcome } from './build/build-v2-model.js';
export { simulateV2Episodes } from './build/simulate-v2-episodes.js';

// Features, computed from scraped samples the way Prometheus would.
export { SeriesRecorder, type Sample, type ScrapedSample, type SeriesHistory } from './features/sample-history.js';
export { averageOverTime, extrapolatedCounterRate, leastSquaresSlope } from './features/prometheus-functions.js';
export { computeFeatures, type DeploymentFeatures } from './features/compute-features.js';
export { computeBaseSignals, type BaseSignalOptions } from './features/base-signals.js';
export { computeFeatureSets, toFeatureRow, SEED_AND_V2_FEATURE_NAMES, type DeploymentFeatureSets, type FeatureSetOptions } from './features/compute-feature-sets.js';

// A FeatureSource over the sandbox's metrics, without Prometheus (the demo, the outcome benchmark).
export {
  createSandboxFeatureSource,
  OBJECTIVE_VIOLATED_FEATURE,
  type SandboxFeatureSource,
  type SandboxFeatureSourceOptions,
} from './feature-source/sandbox-feature-source.js';

// Labels and datasets.
export {
  availabilityObjectiveSchema,
  DEFAULT_HORIZON_MS,
  DEFAULT_OBJECTIVE,
  findBreaches,
  labelSamples,
  type AvailabilityObjective,
  type Breach,
  type SampleLabel,
} from './dataset/label.js';
export type { Episode } from './dataset/episode.js';
export { FAULT_TYPES, generateScenarios, type FaultType, type Fold, type RunScenario, type ScenarioOptions, type WorkloadScenario } from './dataset/scenarios.js';
export { simulateRun, type SimulateRunOptions, type SimulationFactory, type SimulationLike } from './dataset/sandbox-dataset.js';
export { simulateV2Scenario, labelSamplesV2, type V2Episode, type SimulateV2Options } from './dataset/v2-dataset.js';
export {
  buildV2Scenarios,
  V2_CATALOGUE_SIZES,
  V2_FULL_SIZE,
  V2_TINY_SIZE,
  V2_TRAIN_SHAPES,
  V2_HELD_OUT_SHAPES,
  V2_HELD_OUT_FAMILIES,
  V2_TRAIN_STRENGTHS,
  V2_TEST_STRENGTHS,
  type V2CatalogueSize,
  type V2Scenario,
} from './dataset/v2-scenarios.js';
export { incidentSchema, parseIncidents, readIncidents, type Incident } from './dataset/incidents.js';
export { collectHistory, historyEpisodes, type History, type HistoryOptions } from './dataset/prometheus-dataset.js';

// Training.
export { trainGbdt, type GbdtModel, type GbdtOptions, type GbdtTrainingResult, type MonotoneDirection } from './train/gbdt.js';
export { fitPlatt, type PlattCalibration } from './train/platt.js';
export { trainLogistic, type LogisticModel } from './train/logistic.js';
export { trainRiskModel, type TrainingOutcome, type TrainRiskModelOptions } from './train/train-risk-model.js';
export { createTrainedRiskModel, predictProbability, type TrainedRiskModel } from './train/trained-risk-model.js';
export { V2_MONOTONE, V2_NO_SPLIT, v2MonotoneDirections } from './train/v2-monotone.js';

// Evaluation.
export { evaluateEpisodes, tuneThreshold, type EpisodeEvaluation, type EpisodeScorer, type EvaluationOptions } from './evaluate/evaluate-episodes.js';
export { evaluateV2, tuneV2Threshold, type V2Evaluation, type V2EvaluationOptions, type V2Scores } from './evaluate/v2-evaluation.js';
export { renderV2ModelCard, V2_TARGETS, type V2ModelCardInput } from './evaluate/v2-model-card.js';
export { brierScore, brierSkillScore, prAuc, reliabilityTable, rocAuc, thresholdStats, type ReliabilityBin, type ThresholdStats } from './evaluate/metrics.js';

// Export and documentation.
export { exportRiskModelToOnnx, type RiskModelExport } from './export/onnx-export.js';
export { renderModelCard, type ModelCardInput } from './evaluate/model-card.js';

// The `train` command (the server's `autoheal train`).
export { runTrainCommand, TRAIN_USAGE, type TrainCommandIo } from './cli/run-train-command.js';

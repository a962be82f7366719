/**
 * @autoheal/trainer — datasets (simulated runs or Prometheus history), labels, a monotone
 * gradient-boosted tree learner, Platt calibration, honest evaluation, ONNX export and the model card.
 * Exports what the README's API section lists, with the types of their signatures; the helpers
 * behind them stay internal.
 */

// Building a model end to end.
export { buildSandboxModel, sandboxBuildOptionsSchema, type SandboxBuildOptions } from './build/build-sandbox-model.js';
export { buildPrometheusModel, prometheusBuildOptionsSchema, type PrometheusBuildOptions } from './build/build-prometheus-model.js';
export type { BuildProgress, BuiltModel } from './build/finish-model.js';

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
export { incidentSchema, parseIncidents, readIncidents, type Incident } from './dataset/incidents.js';
export { collectHistory, historyEpisodes, type History, type HistoryOptions } from './dataset/prometheus-dataset.js';

// Training.
export { trainGbdt, type GbdtModel, type GbdtOptions, type GbdtTrainingResult, type MonotoneDirection } from './train/gbdt.js';
export { fitPlatt, type PlattCalibration } from './train/platt.js';
export { trainLogistic, type LogisticModel } from './train/logistic.js';
export { trainRiskModel, type TrainingOutcome, type TrainRiskModelOptions } from './train/train-risk-model.js';
export { createTrainedRiskModel, predictProbability, type TrainedRiskModel } from './train/trained-risk-model.js';

// Evaluation.
export { evaluateEpisodes, tuneThreshold, type EpisodeEvaluation, type EpisodeScorer, type EvaluationOptions } from './evaluate/evaluate-episodes.js';
export { brierScore, brierSkillScore, prAuc, reliabilityTable, rocAuc, thresholdStats, type ReliabilityBin, type ThresholdStats } from './evaluate/metrics.js';

// Export and documentation.
export { exportRiskModelToOnnx, type RiskModelExport } from './export/onnx-export.js';
export { renderModelCard, type ModelCardInput } from './evaluate/model-card.js';

// The `train` command (the server's `autoheal train`).
export { runTrainCommand, TRAIN_USAGE, type TrainCommandIo } from './cli/run-train-command.js';

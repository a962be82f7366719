/**
 * @autoheal/trainer — datasets (simulated runs or Prometheus history), labels, a monotone
 * gradient-boosted tree learner, Platt calibration, honest evaluation, ONNX export and the model card.
 */
export * from './features/sample-history.js';
export * from './features/prometheus-functions.js';
export * from './features/compute-features.js';
export * from './dataset/label.js';
export * from './dataset/episode.js';
export * from './dataset/scenarios.js';
export * from './dataset/sandbox-dataset.js';
export * from './dataset/sandbox-simulation.js';
export * from './dataset/incidents.js';
export * from './dataset/prometheus-dataset.js';
export * from './train/gbdt.js';
export * from './train/platt.js';
export * from './train/trained-risk-model.js';
export * from './train/train-risk-model.js';
export * from './evaluate/metrics.js';
export * from './evaluate/evaluate-episodes.js';
export * from './evaluate/model-card.js';
export * from './export/onnx-export.js';
export * from './build/build-options.js';
export * from './build/finish-model.js';
export * from './build/build-sandbox-model.js';
export * from './build/build-prometheus-model.js';
export * from './cli/progress-bar.js';
export * from './cli/run-train-command.js';
export * from './errors.js';

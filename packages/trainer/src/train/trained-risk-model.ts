/**
 * The trained risk model in TypeScript: boosted trees, then Platt calibration, then the decision
 * threshold. It computes the same probabilities as the exported ONNX file.
 */
import { storedCalibration, type DetectionRule } from '../export/onnx-export.js';
import { predictRaw, sigmoid, type GbdtModel } from './gbdt.js';
import type { PlattCalibration } from './platt.js';

/** A trained, calibrated model with its operating point. */
export interface TrainedRiskModel {
  gbdt: GbdtModel;
  /** Stored at float32 precision, as in the ONNX file. */
  calibration: PlattCalibration;
  /** Probability at or above which the model warns; tuned on a validation fold. */
  threshold: number;
  featureNames: readonly string[];
  /** Detection combined with the prediction (model v2): `max(probability, violated now ? 1 : 0)`. */
  detection?: DetectionRule;
}

/** Assembles a model, rounding the calibration to the precision the ONNX file stores. */
export function createTrainedRiskModel(gbdt: GbdtModel, calibration: PlattCalibration, threshold: number, featureNames: readonly string[], detection?: DetectionRule): TrainedRiskModel {
  return { gbdt, calibration: storedCalibration(calibration), threshold, featureNames, ...(detection ? { detection } : {}) };
}

/** Whether the detection rule fires on a row (float32 comparisons, NaN never fires). */
export function detects(rule: DetectionRule, row: ArrayLike<number>): boolean {
  const ready = row[rule.readyFeature] as number;
  const errors = row[rule.errorFeature] as number;
  return Math.fround(ready) < Math.fround(rule.minReadyRatio) || Math.fround(errors) > Math.fround(rule.maxErrorRatio);
}

/** Calibrated probability for one row (NaN = missing). */
export function predictProbability(model: TrainedRiskModel, row: ArrayLike<number>): number {
  const probability = sigmoid(model.calibration.a * predictRaw(model.gbdt, row) + model.calibration.b);
  return model.detection && detects(model.detection, row) ? Math.max(probability, 1) : probability;
}

/**
 * The trained risk model in TypeScript: boosted trees, then Platt calibration, then the decision
 * threshold. It computes the same probabilities as the exported ONNX file.
 */
import { storedCalibration } from '../export/onnx-export.js';
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
}

/** Assembles a model, rounding the calibration to the precision the ONNX file stores. */
export function createTrainedRiskModel(gbdt: GbdtModel, calibration: PlattCalibration, threshold: number, featureNames: readonly string[]): TrainedRiskModel {
  return { gbdt, calibration: storedCalibration(calibration), threshold, featureNames };
}

/** Calibrated probability for one row (NaN = missing). */
export function predictProbability(model: TrainedRiskModel, row: ArrayLike<number>): number {
  return sigmoid(model.calibration.a * predictRaw(model.gbdt, row) + model.calibration.b);
}

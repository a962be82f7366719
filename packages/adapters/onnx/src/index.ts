/**
 * @autoheal/adapter-onnx — the RiskModel that scores feature vectors with an ONNX model through
 * onnxruntime-node, checks the model against the feature schema at load, and explains each score
 * with per-feature contributions in log-odds. The ONNX graph readers behind it are internal.
 */
export {
  createOnnxRiskModel,
  onnxRiskModelOptionsSchema,
  ONNX_INPUT_NAME,
  ONNX_OUTPUT_NAME,
  type OnnxExplanation,
  type OnnxFeatureRow,
  type OnnxModelMetadata,
  type OnnxRiskModel,
  type OnnxRiskModelOptions,
  type OnnxRiskScore,
  type OnnxScoreOptions,
} from './onnx-risk-model.js';
export type { PlattCalibration } from './model-metadata.js';

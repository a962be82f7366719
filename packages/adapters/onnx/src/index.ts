/**
 * @autoheal/adapter-onnx — the RiskModel that scores feature vectors with an ONNX model through
 * onnxruntime-node, checks the model against the feature schema at load, and explains each score
 * with per-feature contributions in log-odds. Also exports the ONNX graph readers it uses.
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
export {
  createTreeExplainer,
  findTreeEnsembleNode,
  readTreeEnsemble,
  type BranchMode,
  type DecisionTree,
  type ReadTreeEnsembleOptions,
  type TreeEnsemble,
  type TreeExplainer,
  type TreeNode,
} from './tree-ensemble.js';
export { readLinearModel, readOutputHead, type LinearModel, type OutputHead } from './linear-model.js';
export { describeFeatureMismatch, readModelProperties, type ModelProperties, type PlattCalibration } from './model-metadata.js';
export { assertLooksLikeOnnx, decodeModel } from './model-file.js';
export { onnx, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from './onnx-graph.js';

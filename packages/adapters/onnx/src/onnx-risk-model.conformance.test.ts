import { describeRiskModelConformance } from '@autoheal/core/testing';
import { buildLogisticModel, buildTreeModel, LOGISTIC_INTERCEPT, LOGISTIC_WEIGHTS, RISK_TREES, RISK_TREES_BASE } from '../test-support/build-models.js';
import { createOnnxRiskModel } from './onnx-risk-model.js';

describeRiskModelConformance('onnx tree ensemble', async () => {
  const model = await createOnnxRiskModel({ modelBytes: buildTreeModel({ trees: RISK_TREES, baseValue: RISK_TREES_BASE, calibration: { a: 0.9, b: 0.1 } }) });
  return { model, cleanup: () => model.close() };
});

describeRiskModelConformance('onnx logistic (MatMul + Add)', async () => {
  const model = await createOnnxRiskModel({ modelBytes: buildLogisticModel({ weights: LOGISTIC_WEIGHTS, intercept: LOGISTIC_INTERCEPT, form: 'matmul' }) });
  return { model, cleanup: () => model.close() };
});

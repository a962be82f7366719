/** @autoheal/adapter-onnx: RiskModel that scores feature vectors with an ONNX model (onnxruntime-node). */
export {};

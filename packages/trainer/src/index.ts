/** @autoheal/trainer: Datasets, training, ONNX export and evaluation for the autoheal risk model. */
export {};

/** @autoheal/adapter-prometheus: FeatureSource that reads the seven signals from the Prometheus HTTP API. */
export {};

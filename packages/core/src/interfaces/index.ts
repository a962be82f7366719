export type { CallOptions } from './call-options.js';
export type { FeatureSource } from './feature-source.js';
export type { RiskModel } from './risk-model.js';
export type { Healer } from './healer.js';
export type { Notifier } from './notifier.js';

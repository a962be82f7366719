export type { CallOptions } from './call-options.js';
export type { ActionFence } from './action-fence.js';
export type { CircuitLimits, CircuitSlot, CircuitStore } from './circuit-store.js';
export type { FeatureSource } from './feature-source.js';
export type { RiskModel } from './risk-model.js';
export type { ApplyOptions, Healer, StepEvidence, TargetStatus, WriteStateOptions } from './healer.js';
export type { Notifier } from './notifier.js';
export type { PauseSource } from './pause-source.js';
export type { TargetSource } from './target-source.js';

/**
 * @autoheal/core — the interfaces (FeatureSource, RiskModel, Healer, Notifier), the types and zod
 * schemas they exchange, the pipeline that composes them, its safety policy, and the error family.
 * No runtime dependency but zod (peer); safe to import in a browser (types and schemas).
 */
export * from './errors.js';
export * from './validation.js';
export * from './target.js';
export * from './features.js';
export * from './feature-set-v2.js';
export * from './feature-providers.js';
export * from './missing-explanations.js';
export * from './derive-features.js';
export * from './request-presets.js';
export * from './assessment.js';
export * from './healing.js';
export * from './workload.js';
export * from './decision.js';
export * from './pause.js';
export type * from './target-listing.js';
export { createStaticTargetSource, createTargetCatalog, type TargetCatalog, type TargetCatalogOptions } from './target-catalog.js';
export * from './maintenance-window.js';
export * from './clock.js';
export * from './server-info.js';
export * from './target-hold.js';
export { mapWithConcurrency } from './concurrency.js';
export type * from './interfaces/index.js';
export * from './pipeline/policy.js';
export type * from './pipeline/types.js';
export { createPipeline } from './pipeline/create-pipeline.js';
export { FALLBACK_THRESHOLD, resolveThreshold, thresholdForTarget } from './pipeline/threshold.js';
export { diagnose, DIAGNOSIS_RULES } from './pipeline/diagnose.js';
export type { CircuitState } from './pipeline/circuit-breaker.js';
export type { DeliveryStats } from './pipeline/delivery-queue.js';

/**
 * @autoheal/adapter-kubernetes — a Healer for Kubernetes Deployments (restart, HPA-aware scale-up,
 * cache clear over exec, `rollout undo`-exact rollback), ladder state in Deployment annotations,
 * Events for `kubectl describe`, operators' pause marks (a PauseSource), a Lease-based leader elector (and its fence) so only one replica
 * acts, and the circuit breaker's shared window in a ConfigMap.
 *
 * Only the public API (the README documents each export); the modules behind it are internal.
 */
export { createKubernetesHealer, type KubernetesHealer } from './kubernetes-healer.js';
export { kubernetesHealerOptionsSchema, type KubernetesHealerOptions, type ResolvedKubernetesHealerOptions } from './options.js';
export type { DeploymentEventInfo, DeploymentSummary, RevisionInfo } from './operator-queries.js';
export { ATTEMPT_ANNOTATION, STATE_ANNOTATION } from './state-annotations.js';
export { ORIGINAL_MIN_REPLICAS_ANNOTATION } from './hpa-floor.js';
export type { AutohealEventReason } from './events.js';
export { DECISION_ID_ANNOTATION } from './event-message.js';
export { reviewAccess, type AccessQuestion, type AccessAnswer } from './access-review.js';
export { createLeaderElector, leaderElectorOptionsSchema, type LeaderElector, type LeaderElectorOptions } from './leader-elector.js';
export { createKubernetesCircuitStore, kubernetesCircuitStoreOptionsSchema, CIRCUIT_SLOTS_KEY, type KubernetesCircuitStoreOptions } from './circuit-store.js';
export { SCALED_FROM_ANNOTATION } from './scale-operations.js';
export { createKubernetesTargetDiscovery, type DiscoveryHealth, type KubernetesTargetDiscovery } from './target-discovery.js';
export { kubernetesTargetDiscoveryOptionsSchema, labelSelectorSchema, type KubernetesTargetDiscoveryOptions } from './discovery-options.js';
export { annotationKeys, readOptIn, type AnnotationKeys, type OptIn } from './workload-annotations.js';
export type { InformerHealth } from './resource-informer.js';
export { PAUSE_ANNOTATION, pauseAnnotationValue, pauseMarkOf, type PauseRequest } from './pause-annotation.js';
export type { KubernetesPauses, PauseChange, PauseWriteOptions } from './pause-marks.js';

/**
 * @autoheal/adapter-kubernetes — a Healer for Kubernetes Deployments (restart, HPA-aware scale-up,
 * cache clear over exec, `rollout undo`-exact rollback), ladder state in Deployment annotations,
 * Events for `kubectl describe`, and a Lease-based leader elector so only one replica acts.
 */
export {
  createKubernetesHealer,
  formatRestartedAt,
  gitOpsManagerOf,
  ORIGINAL_MIN_REPLICAS_ANNOTATION,
  RESTARTED_AT_ANNOTATION,
  type DeploymentEventInfo,
  type DeploymentSummary,
  type KubernetesHealer,
  type RevisionInfo,
} from './kubernetes-healer.js';
export { kubernetesHealerOptionsSchema, type KubernetesHealerOptions, type ResolvedKubernetesHealerOptions } from './options.js';
export { loadKubeConfig, type KubeConfigSource } from './kube-config.js';
export { ATTEMPT_ANNOTATION, STATE_ANNOTATION, stateFromAnnotations, annotationsForState } from './state-annotations.js';
export {
  planRollback,
  equalIgnoreHash,
  labelSelectorString,
  REVISION_ANNOTATION,
  type RollbackDecision,
  type JsonPatchOperation,
} from './rollback-plan.js';
export type { PodExecResult } from './pod-exec.js';
export { reviewAccess, type AccessQuestion, type AccessAnswer } from './access-review.js';
export type { AutohealEventReason } from './events.js';
export { createLeaderElector, leaderElectorOptionsSchema, type LeaderElector, type LeaderElectorOptions } from './leader-elector.js';

/**
 * @autoheal/dashboard-wc: `<risk-dashboard>`, a drop-in Lit web component for autoheal.
 * Importing this entry registers the element; `createAutohealClient` works without it.
 */
export { RiskDashboard } from './risk-dashboard.js';
export type { ConnectionState } from './live-connection.js';
export { createAutohealClient, AutohealApiError } from './api-client.js';
export type { AutohealClient, AutohealClientOptions, DecisionStreamHandlers, DecisionStreamOptions } from './api-client.js';
export type {
  DecisionRecord,
  FeatureContribution,
  FieldError,
  PredictResult,
  RiskConnectionChangeDetail,
  RiskEvaluateDetail,
  RiskTargetSelectDetail,
  ServerFeatureInfo,
  ServerInfo,
  ServerPolicyInfo,
  TargetAddress,
  TargetDetail,
  TargetRef,
  TargetSummary,
  Verdict,
} from './types.js';

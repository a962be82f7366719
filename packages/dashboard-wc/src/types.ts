/**
 * The shapes of the autoheal server's HTTP API as the dashboard sees them. The record types and the
 * `GET /api/info` contract (`ServerInfo`) come from `@autoheal/core` as types only, so neither the
 * package build nor the bundle pulls in core's code or zod.
 */
import type { DecisionRecord, FeatureContribution, ServerFeatureInfo, ServerInfo, ServerPolicyInfo, SkippedTarget, TargetHold, TargetRef, Verdict } from '@autoheal/core';

export type { DecisionRecord, FeatureContribution, ServerFeatureInfo, ServerInfo, ServerPolicyInfo, SkippedTarget, TargetHold, TargetRef, Verdict };

/** What names one target on the server: its namespace and name, and its cluster when it has one. */
export type TargetAddress = Pick<TargetRef, 'namespace' | 'name' | 'cluster'>;

/** One entry of `GET /api/targets`. */
export interface TargetSummary {
  /** `namespace/name`, or `cluster/namespace/name` for a target in a named cluster. */
  key: string;
  target: TargetRef;
  threshold: number;
  /** The newest decision, or `null` before the first evaluation. */
  latest: DecisionRecord | null;
  /**
   * What held the target at its newest evaluation (paused, maintenance, rolling out…), `null` when
   * nothing did; absent from servers older than the holds.
   */
  hold?: TargetHold | null;
}

/** A discovered Deployment that opted in but is not evaluated (a bad annotation): `skipped` of `GET /api/targets`. */
export interface SkippedWorkload extends SkippedTarget {
  /** `namespace/name`, as a target's key. */
  key: string;
}

/** `GET /api/targets`. `skipped` and `notOptedIn` are filled in (empty, 0) for servers older than them. */
export interface TargetList {
  targets: TargetSummary[];
  /** The opted-in Deployments discovery leaves out, each with why and the fix. */
  skipped: SkippedWorkload[];
  /** How many Deployments discovery saw without the opt-in annotation. */
  notOptedIn: number;
}

/** `GET /api/targets/{namespace}/{name}` (with `?cluster=` for a target in a named cluster). */
export interface TargetDetail extends TargetSummary {
  /** Oldest first, up to 500 records. */
  history: DecisionRecord[];
}

/** `POST /predict` answer. */
export interface PredictResult {
  probability: number;
  verdict: Verdict;
  threshold: number;
  model_version: string;
  model: { name: string; version: string };
  contributions: FeatureContribution[];
}

/** One field error of a 400 answer. */
export interface FieldError {
  /** The field's path, e.g. `cpu_usage_pct`. */
  path: string;
  message: string;
}

/** Detail of the `risk-target-select` event. */
export interface RiskTargetSelectDetail {
  key: string;
  target: TargetRef;
}

/** Detail of the `risk-evaluate` event. */
export interface RiskEvaluateDetail {
  /** The record the server returned for the on-demand check. */
  record: DecisionRecord;
}

/** Detail of the `risk-connection-change` event. */
export interface RiskConnectionChangeDetail {
  /** Whether the live event stream is open. */
  connected: boolean;
}

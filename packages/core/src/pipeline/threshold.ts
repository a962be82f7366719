/**
 * Which threshold judges a target. One function for every entry point (the watch loop, `healNow`,
 * `inspect`, the server's `/predict`, the operator commands), so `autoheal predict`, `status`,
 * `heal` and the loop can never disagree about the same target.
 *
 * Why the model's own threshold comes before 0.50: a calibrated model of a rare event seldom
 * reaches 0.50 before the breach; the threshold it was tuned for on its validation fold (recorded in
 * its metadata and card) is the operating point its figures describe.
 */
import { targetKey, type TargetRef } from '../target.js';

/** The original project's `RISK_THRESHOLD` default, used when neither the policy nor the model names one. */
export const FALLBACK_THRESHOLD = 0.5;

/**
 * The default threshold in force: the configured one, else the model's recommended one, else 0.50.
 *
 * @example
 * resolveThreshold(undefined, { recommendedThreshold: 0.22 }); // 0.22
 */
export function resolveThreshold(configured: number | undefined, riskModel?: { readonly recommendedThreshold?: number | undefined }): number {
  return configured ?? riskModel?.recommendedThreshold ?? FALLBACK_THRESHOLD;
}

/** The threshold for one target: its own (`targetThresholds["namespace/name"]`), else the default. */
export function thresholdForTarget(policy: { threshold: number; targetThresholds: Readonly<Record<string, number>> }, target: Pick<TargetRef, 'namespace' | 'name' | 'cluster'>): number {
  return policy.targetThresholds[targetKey(target)] ?? policy.threshold;
}

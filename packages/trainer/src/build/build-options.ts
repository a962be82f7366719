/** The options every model build shares (learner, label, operating point), validated with zod. */
import { z } from 'zod';
import { DEFAULT_FEATURE_NAMES } from '@autoheal/core';
import { availabilityObjectiveSchema, DEFAULT_OBJECTIVE } from '../dataset/label.js';

/** Learner settings. */
export const gbdtOptionsSchema = z.strictObject({
  /** @default 4 */
  maxDepth: z.number().int().min(1).max(12).default(4),
  /** @default 0.1 */
  learningRate: z.number().gt(0).max(1).default(0.1),
  /** @default 300 */
  maxRounds: z.number().int().min(1).max(5000).default(300),
  /** @default 20 */
  earlyStoppingRounds: z.number().int().min(1).max(1000).default(20),
  /** @default 20 */
  minSamplesLeaf: z.number().int().min(1).default(20),
  /** @default 1 */
  l2: z.number().min(0).default(1),
  /** @default 64 */
  maxBins: z.number().int().min(2).max(255).default(64),
  /**
   * Features the trees may not split on (they stay inputs of the model).
   * @default ['network_receive_bytes_per_s'] (summed over pods, it grows with traffic and replicas)
   */
  excludeFromSplits: z.array(z.enum(DEFAULT_FEATURE_NAMES)).default(['network_receive_bytes_per_s']),
});

/** Label and operating-point settings. */
export const labelOptionsShape = {
  /** Prediction horizon in minutes. @default 5 */
  horizonMinutes: z.number().gt(0).max(120).default(5),
  /** A warning closer to the breach than this does not count. @default 30 */
  minWarningSeconds: z.number().min(0).max(3600).default(30),
  /** @default ready ratio < 0.5 or 5xx > 5% of requests, sustained 60 s */
  objective: availabilityObjectiveSchema.default(DEFAULT_OBJECTIVE),
  /** Highest false-positive rate on healthy validation samples the threshold may have. @default 0.005 */
  maxHealthyFpr: z.number().min(0).max(1).default(0.005),
  /** Samples inside a breach in training: left out (the label rule) or trained on as positives. @default 'exclude' */
  inBreachSamples: z.enum(['exclude', 'positive']).default('exclude'),
  gbdt: gbdtOptionsSchema.prefault({}),
};

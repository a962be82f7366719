/** The last steps of every build: training summary, ONNX bytes, SHA-256 and the model card. */
import { createHash } from 'node:crypto';
import type { AvailabilityObjective } from '../dataset/label.js';
import { renderModelCard } from '../evaluate/model-card.js';
import { exportRiskModelToOnnx } from '../export/onnx-export.js';
import type { TrainingOutcome } from '../train/train-risk-model.js';
import type { V2Outcome } from './build-v2-model.js';
import type { gbdtOptionsSchema } from './build-options.js';
import type { z } from 'zod';

/** Progress of a build, for progress bars. */
export interface BuildProgress {
  phase: 'simulate' | 'collect' | 'train';
  done: number;
  total: number;
}

/** A built model on the seven seed features (model v1's kind): the ONNX bytes, its card, and everything measured. */
export interface SeedBuiltModel {
  featureSet: 'seed';
  onnx: Uint8Array;
  /** SHA-256 of `onnx`, hex. */
  sha256: string;
  card: string;
  outcome: TrainingOutcome;
  trainingSummary: Record<string, unknown>;
}

/** A built model on feature set v2 (model v2's kind). */
export interface V2BuiltModel {
  featureSet: 'v2';
  onnx: Uint8Array;
  /** SHA-256 of `onnx`, hex. */
  sha256: string;
  card: string;
  outcome: V2Outcome;
  trainingSummary: Record<string, unknown>;
}

/** A built model of either feature set (`featureSet` tells which). */
export type BuiltModel = SeedBuiltModel | V2BuiltModel;

/** How the data was made and labelled, for the summary and the card. */
export interface BuildContext {
  source: 'sandbox' | 'prometheus';
  sourceDescription: string;
  summary: Record<string, unknown>;
  featureNames: readonly string[];
  horizonMs: number;
  minWarningMs: number;
  objective: AvailabilityObjective;
  /** What training did with samples inside a breach. @default 'exclude' */
  inBreachSamples?: 'exclude' | 'positive';
  maxHealthyFpr: number;
  gbdt: z.output<typeof gbdtOptionsSchema>;
}

/** The label definition in words (stored in the model and the card). */
export function describeLabel(objective: AvailabilityObjective, horizonMs: number, inBreachSamples: 'exclude' | 'positive' = 'exclude'): string {
  return `positive when the workload starts breaching its availability objective (ready ratio < ${objective.minReadyRatio} or 5xx > ${objective.maxErrorRatio * 100}% of requests, sustained ${objective.sustainMs / 1000} s) within ${horizonMs / 60_000} min after the sample; samples inside an ongoing breach are ${inBreachSamples === 'positive' ? 'trained on as positives but left out of the prediction metrics' : 'excluded from training and from the prediction metrics'} (detection, not prediction)`;
}

/** Exports and documents a trained outcome. */
export function finishModel(outcome: TrainingOutcome, context: BuildContext): SeedBuiltModel {
  const total = Object.values(outcome.folds).reduce((sum, fold) => ({ rows: sum.rows + fold.rows, positives: sum.positives + fold.positives }), { rows: 0, positives: 0 });
  const trainingSummary: Record<string, unknown> = {
    ...context.summary,
    rows: total.rows,
    positives: total.positives,
    folds: outcome.folds,
    horizonMs: context.horizonMs,
    label: describeLabel(context.objective, context.horizonMs, context.inBreachSamples),
    objective: context.objective,
    dataHash: outcome.dataHash,
    learner: { ...context.gbdt, rounds: outcome.rounds, monotone: outcome.monotone },
  };
  const onnx = exportRiskModelToOnnx({
    model: outcome.model.gbdt,
    calibration: outcome.model.calibration,
    featureNames: context.featureNames,
    threshold: outcome.model.threshold,
    trainingSummary,
  });
  const sha256 = createHash('sha256').update(onnx).digest('hex');
  const card = renderModelCard({ outcome, context, sha256, onnxBytes: onnx.length });
  return { featureSet: 'seed', onnx, sha256, card, outcome, trainingSummary };
}

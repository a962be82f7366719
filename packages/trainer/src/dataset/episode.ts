/** Episodes: one workload's labelled feature trace, the unit the dataset is split and evaluated by. */
import type { Breach, SampleLabel } from './label.js';
import type { Fold } from './scenarios.js';

/** One workload over one run (or one target over one Prometheus range). */
export interface Episode {
  /** Stable id, e.g. `run-12/api` or `prom/prod/backend`. */
  id: string;
  /** Seed of the run (0 for Prometheus history). */
  seed: number;
  fold: Fold;
  /** `healthy`, `healthy-other-scale`, a fault type, or `history` for Prometheus data. */
  kind: string;
  /** Fault strength, when a fault was injected. */
  strength: number | null;
  /** Epoch ms of the fault onset, when known. */
  faultOnset: number | null;
  /** True when the workload's shape (replicas, HPA) was never seen in training. */
  heldOutShape: boolean;
  /** Evaluation times (epoch ms), every 15 s. */
  times: number[];
  /** One row per time in feature-name order; NaN = missing. */
  features: number[][];
  labels: SampleLabel[];
  /** Whether each sample violates the objective right now (a breach needs it sustained). */
  violating: boolean[];
  /** Every breach of the objective found while labelling (including those after the last sample). */
  breaches: Breach[];
  /** The heal applied during the episode (recovery scenarios), with the time it was applied; null when none. */
  heal: { action: string; correct: boolean; at: number } | null;
}

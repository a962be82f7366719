import type { Clock } from '../clock.js';
import type { DecisionRecord } from '../decision.js';
import type { FeatureSource } from '../interfaces/feature-source.js';
import type { Healer } from '../interfaces/healer.js';
import type { Notifier } from '../interfaces/notifier.js';
import type { RiskModel } from '../interfaces/risk-model.js';
import type { TargetRef, TargetRefInput } from '../target.js';
import type { PolicyInput } from './policy.js';

/** A failure in the background (a notifier, an event recorder) that must not stop healing. */
export interface PipelineErrorContext {
  /** Which part failed: `notifier:<name>`, `healer:recordDecision`, `watch`, ... */
  component: string;
  target?: TargetRef;
  record?: DecisionRecord;
}

export interface PipelineOptions {
  featureSource: FeatureSource;
  riskModel: RiskModel;
  healer: Healer;
  notifiers?: Notifier[];
  policy?: PolicyInput;
  /** @default systemClock */
  clock?: Clock;
  /** Receives background failures (notifiers, event recording). @default console.error */
  onError?: (error: unknown, context: PipelineErrorContext) => void;
}

export interface WatchOptions {
  /** Time between two evaluations of all targets, in ms. @default 15000 */
  intervalMs?: number;
  /** At most this many targets evaluated at once. @default 8 */
  concurrency?: number;
  /** Stops the loop. */
  signal?: AbortSignal;
}

export interface RunOnceOptions {
  signal?: AbortSignal;
  /** Called while waiting for the re-check, e.g. to show progress. */
  onWait?: (untilMs: number, record: DecisionRecord) => void;
}

/** The result of `runOnce`: every record of the pass and the final one. */
export interface RunOnceResult {
  records: DecisionRecord[];
  final: DecisionRecord;
}

/** The composed product: FeatureSource → RiskModel → policy → Healer → Notifiers. */
export interface Pipeline {
  /** Collect → score → decide → (maybe) heal → notify, once, for one target. */
  evaluate(target: TargetRefInput, options?: { signal?: AbortSignal }): Promise<DecisionRecord>;
  /**
   * The original project's CI step for one target: evaluate; after a step, wait `recheckDelayMs`
   * and evaluate again; repeat until kept, healthy, suppressed or handed off.
   */
  runOnce(target: TargetRefInput, options?: RunOnceOptions): Promise<RunOnceResult>;
  /**
   * Continuously evaluates `targets` (or the list a function returns each round) every interval
   * with bounded concurrency, until the signal aborts. Every record goes to `subscribe` listeners.
   */
  watch(targets: readonly TargetRefInput[] | (() => Promise<readonly TargetRefInput[]>), options?: WatchOptions): Promise<void>;
  /**
   * Operator reset: clears the target's ladder state (attempt back to 0, which also ends a handoff)
   * and records a `reset` decision, sent like every other record. Rejects with a retryable
   * `HealingError` while an evaluation of the target is deciding or acting, and when the state
   * cannot be written.
   */
  resetTarget(target: TargetRefInput, options?: { signal?: AbortSignal; reason?: string }): Promise<DecisionRecord>;
  /** Listens to every DecisionRecord (from evaluate, runOnce and watch). Returns unsubscribe. */
  subscribe(listener: (record: DecisionRecord) => void): () => void;
  /** The effective policy (defaults applied). */
  readonly policy: import('./policy.js').Policy;
  /** Current circuit breaker state. */
  circuitState(): { open: boolean; actionsInWindow: number; maxActions: number };
  /** Closes every adapter that has `close()`. */
  close(): Promise<void>;
}

import type { Clock } from '../clock.js';
import type { DecisionRecord } from '../decision.js';
import type { FeatureSource } from '../interfaces/feature-source.js';
import type { HealingState, HealStepKind } from '../healing.js';
import type { RiskAssessment } from '../assessment.js';
import type { Healer } from '../interfaces/healer.js';
import type { ActionFence } from '../interfaces/action-fence.js';
import type { CircuitStore } from '../interfaces/circuit-store.js';
import type { DeliveryStats } from './delivery-queue.js';
import type { Notifier } from '../interfaces/notifier.js';
import type { PauseSource } from '../interfaces/pause-source.js';
import type { TargetSource } from '../interfaces/target-source.js';
import type { RiskModel } from '../interfaces/risk-model.js';
import type { Hold } from '../pause.js';
import type { TargetRef, TargetRefInput } from '../target.js';
import type { PolicyInput, TargetOverrides } from './policy.js';

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
  /**
   * Times (epoch ms) of steps already taken across all targets, e.g. read back from the healer's
   * Events, for a breaker whose window lives in memory (no `circuitStore`): a fresh process (the
   * operator CLI) passes these to start from the cluster's real window. Ignored with a
   * `circuitStore`, which holds the window itself. @default []
   */
  circuitHistory?: readonly number[];
  /**
   * Where the circuit breaker's window is shared, so that it survives restarts and binds every
   * process acting on the cluster (e.g. the Kubernetes adapter's ConfigMap store). When it cannot
   * be read the breaker fails closed. @default none: the window lives in this process's memory
   */
  circuitStore?: CircuitStore;
  /**
   * This process's name in the claims it writes before a step and in the breaker's slots, so others
   * can say who is acting. Must differ between processes (the server uses its leader-election
   * identity, else host name and process id). @default `autoheal-` and a random suffix
   */
  identity?: string;
  /**
   * "May this process still act?", checked before a step is claimed and before every write of the
   * step (the server passes its leader elector's fence). @default none: always
   */
  fence?: ActionFence;
  /** How records reach the notifiers and the event recorder (one bounded queue each). */
  delivery?: DeliveryOptions;
  /**
   * Where operators' pause marks are read before every decision (your own {@link PauseSource}, or
   * the Kubernetes adapter's `healer.pauses`). A source that fails holds the target as if paused. @default none: only
   * `policy.pause` and `policy.maintenanceWindows` hold targets
   */
  pauses?: PauseSource;
  /**
   * A target's own threshold, allowed steps and strategy (e.g. read from its annotations), applied
   * with `policyForTarget` in every entry point. Called at every evaluation. @default none
   */
  targetOverrides?: (target: TargetRef) => TargetOverrides | undefined;
}

/** Options of the notification queues (see {@link PipelineOptions.delivery}). */
export interface DeliveryOptions {
  /** Records waiting per notifier (and for the event recorder); the newest is dropped when full. @default 100 */
  queueCapacity?: number;
  /** Further tries of a delivery that failed with a retryable error or timed out. @default 2 */
  retries?: number;
  /** Wait before the first retry, doubled for each further one, in ms. @default 1000 */
  retryDelayMs?: number;
  /** Time limit of one delivery, in ms. @default 30000 */
  timeoutMs?: number;
  /** How long `close()` waits for the queues to empty before dropping what is left, in ms. @default 10000 */
  drainTimeoutMs?: number;
}

/**
 * Options of {@link Pipeline.healNow}, the operator's "heal this now".
 *
 * `force` overrides exactly these safety rules: a pause (`paused`) or maintenance window
 * (`maintenance`), not at risk (`recovered`), `unknown`, `cooldown`, `circuit-open` and
 * `ceiling-reached`. It never overrides `in-flight` (another evaluation is acting
 * on the target), `not-leader` (the fence), `state-unavailable` (no claim without the state), the
 * healer's own refusal (`refused`: a paused Deployment, no previous revision, ...) or dry-run.
 */
export interface HealNowOptions {
  /**
   * The step to run. Default: the next step of the ladder (`ladder[attempt]`). A kind that is not
   * in the ladder runs with its default settings.
   */
  step?: HealStepKind;
  /** Run despite the rules listed above; the record's summary names each rule it overrode. */
  force?: boolean;
  /** Plan and record only (also on when the policy is in dry-run): nothing applied, no state written. */
  dryRun?: boolean;
  /** Why the operator acts; goes into the summary (and so into the Event and Slack). */
  reason?: string;
  signal?: AbortSignal;
}

/** What {@link Pipeline.inspect} sees for one target now, without deciding or changing anything. */
export interface TargetInspection {
  target: TargetRef;
  /** ISO-8601 time of the look. */
  time: string;
  features: Record<string, number | null>;
  missing: Array<{ feature: string; reason: string }>;
  assessment: RiskAssessment;
  /** The persisted ladder state. */
  state: HealingState;
  ladder: {
    attempt: number;
    maxAttempts: number;
    /** The step `healNow` (and the loop's next escalation) would take; null when none is left. */
    nextStep: HealStepKind | null;
    /** Epoch ms until which the target is in cooldown (`lastActionAt + cooldownMs`), if it is. */
    cooldownUntil?: number;
    /** Epoch ms of the next re-check, when one is pending. */
    recheckAt?: number;
  };
  /** This pipeline's circuit breaker (the shared window when there is a store). */
  circuit: { open: boolean; actionsInWindow: number; maxActions: number; unavailable?: string };
  /** What holds the target now (pauses, a maintenance window), most specific first; empty when nothing. */
  holds: Hold[];
  /** Set when the workload is starting or rolling out (the rollout guard's words): an at-risk verdict would not be judged now. */
  rollingOut?: string;
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
  /**
   * A re-check during an episode that cannot judge the target (pods restarting, rate windows still
   * empty) is looked at again every `everyMs` for up to `withinMs` before the run ends with it
   * (`unknown` never acts). @default { withinMs: policy.recheckDelayMs, everyMs: 15000 }
   */
  unknownRetry?: { withinMs?: number; everyMs?: number };
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
   * Continuously evaluates `targets` (or the list a function returns, or a {@link TargetSource}
   * lists, at each round) every interval with bounded concurrency, until the signal aborts. Every
   * record goes to `subscribe` listeners. A source's overrides apply when the pipeline's
   * `targetOverrides` reads them (`createTargetCatalog(...).overridesOf`).
   */
  watch(targets: readonly TargetRefInput[] | (() => Promise<readonly TargetRefInput[]>) | TargetSource, options?: WatchOptions): Promise<void>;
  /**
   * Operator reset: clears the target's ladder state (attempt back to 0, which also ends a handoff)
   * and records a `reset` decision, sent like every other record. Rejects with a retryable
   * `HealingError` while an evaluation of the target is deciding or acting, and when the state
   * cannot be written.
   */
  resetTarget(target: TargetRefInput, options?: { signal?: AbortSignal; reason?: string }): Promise<DecisionRecord>;
  /**
   * The operator's "heal this now": runs one ladder step by hand with the loop's safety checks
   * (unknown, not at risk — judged on a look taken now —, cooldown, circuit open, ceiling reached
   * when no step is named, in flight, the healer's refusal, dry-run). Each refusal is a `suppressed`
   * record with its reason; nothing is applied. `force` overrides some of them (see
   * {@link HealNowOptions}). An applied step is recorded like the loop's: the attempt in the
   * healer's state, the Event, the notifiers, a slot in the circuit breaker.
   */
  healNow(target: TargetRefInput, options?: HealNowOptions): Promise<DecisionRecord>;
  /** Collects and scores the target and reads its ladder state; decides and changes nothing. */
  inspect(target: TargetRefInput, options?: { signal?: AbortSignal }): Promise<TargetInspection>;
  /** Listens to every DecisionRecord (from evaluate, runOnce and watch). Returns unsubscribe. */
  subscribe(listener: (record: DecisionRecord) => void): () => void;
  /** The effective policy (defaults applied, threshold resolved: configured, else the model's, else 0.5). */
  readonly policy: import('./policy.js').Policy;
  /** The threshold that judges `target`: its override, else its own from `targetThresholds`, else `policy.threshold`. */
  thresholdFor(target: TargetRefInput): number;
  /** The policy that judges `target`: `policy` with the target's overrides applied (`policyForTarget`). */
  policyFor(target: TargetRefInput): import('./policy.js').Policy;
  /** Current circuit breaker state (as of the last read of a shared window). */
  circuitState(): { open: boolean; actionsInWindow: number; maxActions: number; unavailable?: string };
  /** This process's name in claims and breaker slots. */
  readonly identity: string;
  /**
   * Resolves when every notification queue is empty (or after `timeoutMs`). Evaluations never wait
   * for notifiers; this is for callers that want to.
   */
  flush(options?: { timeoutMs?: number }): Promise<void>;
  /** Per notifier (and the event recorder): queue depth and how many records were delivered, dropped, retried, failed. */
  deliveryStats(): DeliveryStats[];
  /**
   * Waits up to `timeoutMs` (default `delivery.drainTimeoutMs`) for the notification queues to
   * empty, then stops them: a delivery still running is aborted and what is still waiting is dropped
   * and counted. For callers that close the adapters themselves (`close()` does both).
   */
  drain(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Drains the notification queues (`drain()`: so a CI run does not exit before Slack is told), then
   * closes every adapter that has `close()`.
   */
  close(): Promise<void>;
}

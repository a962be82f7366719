/**
 * A Healer that acts on nothing but memory, for tests and demos. It keeps the ladder state per
 * target (as the Kubernetes healer keeps it in an annotation) and lists every plan it computed and
 * every plan it applied, so tests can assert exactly what would have happened to a cluster. It
 * honours the whole port: conditional state writes (`expected`), the fence and the claim checked
 * before a step changes anything, the rollout it is told (`setWorkload`), finding an applied step
 * again (`findStep`) and undoing its scale-ups.
 */
import { z } from 'zod';
import type { DecisionRecord } from '../decision.js';
import { AdapterError, AutohealError } from '../errors.js';
import { HealingError } from '../errors.js';
import { healingStateSchema, sameHealingState, type HealingState, type HealOperation, type HealOutcome, type HealPlan, type HealStep, type HealStepKind } from '../healing.js';
import type { WorkloadStatus } from '../workload.js';
import type { Healer } from '../interfaces/healer.js';
import { targetKey, type TargetRef } from '../target.js';
import { parseWithSchema } from '../validation.js';

/** Decides per target and step whether the step fails or is refused. */
export type HealStepPredicate = (target: TargetRef, step: HealStep) => boolean;

/** Options of {@link createInMemoryHealer}. */
export interface InMemoryHealerOptions {
  /** @default 'in-memory' */
  name?: string;
  /** Steps whose `apply` reports failure (`ok: false`), by kind or by predicate. @default [] */
  failOn?: readonly HealStepKind[] | HealStepPredicate;
  /**
   * Steps that `plan` refuses: a reason per kind, or a function returning the reason (or
   * `undefined` to accept). @default {} (nothing refused)
   */
  refuse?: Partial<Record<HealStepKind, string>> | ((target: TargetRef, step: HealStep) => string | undefined);
  /**
   * Awaited at the start of every non-dry-run `apply`, e.g. to hold an action "in flight" while a
   * test starts a second evaluation. @default undefined
   */
  beforeApply?: (target: TargetRef, plan: HealPlan) => Promise<void> | void;
}

/** One plan computed by `plan`. */
export interface PlannedStep {
  target: TargetRef;
  plan: HealPlan;
}

/** One plan applied for real (not dry-run), with its outcome. */
export interface AppliedStep {
  target: TargetRef;
  plan: HealPlan;
  outcome: HealOutcome;
}

/** The in-memory healer, with handles for tests. */
export interface InMemoryHealer extends Healer {
  /** Every plan computed, in order (planning writes nothing; this list is only for assertions). */
  readonly plans: PlannedStep[];
  /** Every plan applied without dry-run, in order. */
  readonly applied: AppliedStep[];
  /** Every decision passed to `recordDecision`, in order. */
  readonly recorded: DecisionRecord[];
  /** Makes every following `readState`/`writeState` reject with `error` (`null` to stop failing). */
  failStateWith(error: unknown): void;
  /** What `readTarget` reports as the target's rollout (`undefined`: nothing, the guard does not apply). */
  setWorkload(target: TargetRef, workload: WorkloadStatus | undefined): void;
  /** The target's replica count (2 until a scale-up raised it). */
  replicasOf(target: TargetRef): number;
  /** Plans an `apply` stopped before changing anything (the fence or a claim no longer its own), with why. */
  readonly fenced: Array<{ target: TargetRef; plan: HealPlan; why: string }>;
}

const isFunction = (value: unknown): boolean => typeof value === 'function';

const optionsSchema = z.object({
  name: z.string().min(1, 'must not be empty').default('in-memory'),
  failOn: z
    .custom<InMemoryHealerOptions['failOn']>((value) => Array.isArray(value) || isFunction(value), 'must be a list of step kinds (e.g. ["cache"]) or a function (target, step) => boolean')
    .optional(),
  refuse: z
    .custom<InMemoryHealerOptions['refuse']>(
      (value) => isFunction(value) || (typeof value === 'object' && value !== null && !Array.isArray(value)),
      'must be a record of reasons per step kind (e.g. { rollback: "no previous revision" }) or a function (target, step) => reason | undefined',
    )
    .optional(),
  beforeApply: z.custom<NonNullable<InMemoryHealerOptions['beforeApply']>>(isFunction, 'must be a function (target, plan) => void').optional(),
});

// The replicas a target has before anything scaled it: the in-memory healer models only the replica
// count (so a scale plan has a real from → to) and the pods it implies.
const INITIAL_REPLICAS = 2;

/** The writes a step stands for, described the way the Kubernetes healer describes them. */
function operationsFor(target: TargetRef, step: HealStep, replicas: number): HealOperation[] {
  const scaleOperation = (scaleUp: false | { by: number; maxReplicas: number }): HealOperation[] => {
    if (scaleUp === false || scaleUp.by === 0) return [];
    const to = Math.max(replicas, Math.min(replicas + scaleUp.by, scaleUp.maxReplicas));
    const details = { from: replicas, to, ceiling: scaleUp.maxReplicas, ...(to === replicas ? { noop: true as const } : {}) };
    return [{ op: 'scale', description: `scale up by ${scaleUp.by} (at most ${scaleUp.maxReplicas} replicas)`, details }];
  };
  switch (step.kind) {
    case 'restart':
      return [{ op: 'restart', description: 'rollout restart' }, ...scaleOperation(step.scaleUp)];
    case 'cache': {
      const pods = Array.from({ length: replicas }, (_, index) => `${target.name}-${index}`);
      const exec: HealOperation = {
        op: 'exec',
        description: `run ${JSON.stringify(step.command)} in every ready pod`,
        details: { command: [...step.command], container: step.container ?? 'main', pods, skipped: [], perPodTimeoutMs: step.perPodTimeoutMs },
      };
      return [exec, ...(step.restart ? [{ op: 'restart' as const, description: 'rollout restart' }] : []), ...scaleOperation(step.scaleUp)];
    }
    case 'scale':
      return scaleOperation({ by: step.by, maxReplicas: step.maxReplicas });
    case 'rollback': {
      // No revision history in memory: "previous" is revision 1, and there is no patch to send.
      const revision = step.toRevision ?? 1;
      return [
        {
          op: 'rollback',
          description: step.toRevision === undefined ? 'roll back to the previous revision' : `roll back to revision ${step.toRevision}`,
          details: { revision, replicaSet: `${target.name}-revision-${revision}`, images: [], patch: [] },
        },
      ];
    }
  }
}

function throwIfAborted(signal: AbortSignal | undefined, what: string, component: string): void {
  if (signal?.aborted) throw new AutohealError(`${what} aborted before it started`, { component, code: 'ABORTED', cause: signal.reason });
}

/**
 * Creates an in-memory Healer.
 *
 * @example
 * const healer = createInMemoryHealer({ refuse: { rollback: 'no previous revision' } });
 * // ... run the pipeline ...
 * expect(healer.applied.map((a) => a.plan.step.kind)).toEqual(['restart', 'cache']);
 */
export function createInMemoryHealer(options: InMemoryHealerOptions = {}): InMemoryHealer {
  const parsed = parseWithSchema(optionsSchema, options, 'in-memory', 'invalid in-memory healer options');
  const component = parsed.name;
  const states = new Map<string, HealingState>();
  const plans: PlannedStep[] = [];
  const applied: AppliedStep[] = [];
  const recorded: DecisionRecord[] = [];
  const replicas = new Map<string, number>();
  const workloads = new Map<string, WorkloadStatus>();
  const fenced: Array<{ target: TargetRef; plan: HealPlan; why: string }> = [];
  let stateFailure: unknown = null;

  const fails = (target: TargetRef, step: HealStep): boolean => {
    const failOn = parsed.failOn;
    if (!failOn) return false;
    return typeof failOn === 'function' ? failOn(target, step) : failOn.includes(step.kind);
  };
  const refusalFor = (target: TargetRef, step: HealStep): string | undefined => {
    const refuse = parsed.refuse;
    if (!refuse) return undefined;
    return typeof refuse === 'function' ? refuse(target, step) : refuse[step.kind];
  };
  const throwIfStateFailing = (): void => {
    if (stateFailure !== null) {
      throw AutohealError.isInstance(stateFailure)
        ? stateFailure
        : new AdapterError(`state access failed: ${stateFailure instanceof Error ? stateFailure.message : String(stateFailure)}`, { component, cause: stateFailure });
    }
  };

  async function readState(target: TargetRef, callOptions?: { signal?: AbortSignal }): Promise<HealingState> {
    throwIfAborted(callOptions?.signal, 'readState', component);
    throwIfStateFailing();
    const state = states.get(targetKey(target));
    return state ? { ...state } : { attempt: 0 };
  }

  return {
    name: parsed.name,
    plans,
    applied,
    recorded,
    fenced,
    readState,
    async readTarget(target, callOptions) {
      const state = await readState(target, callOptions);
      const workload = workloads.get(targetKey(target));
      return workload ? { state, workload: { ...workload } } : { state };
    },
    async writeState(target, state, callOptions) {
      throwIfAborted(callOptions?.signal, 'writeState', component);
      throwIfStateFailing();
      // Read and compare in the same synchronous step as the write: the in-memory compare-and-swap.
      const current: HealingState = states.get(targetKey(target)) ?? { attempt: 0 };
      if (callOptions?.expected && !sameHealingState(current, callOptions.expected)) {
        throw new HealingError(`the ladder state of ${targetKey(target)} is not the one expected (another writer changed it)`, {
          component,
          code: 'STATE_CONFLICT',
          details: { current: { ...current } },
        });
      }
      if (state === null) {
        states.delete(targetKey(target));
        return;
      }
      states.set(targetKey(target), { ...parseWithSchema(healingStateSchema, state, component, 'writeState: invalid state', 'INPUT_INVALID') });
    },
    async plan(target, step, attempt, callOptions) {
      throwIfAborted(callOptions?.signal, 'plan', component);
      const refusal = refusalFor(target, step);
      const current = replicas.get(targetKey(target)) ?? INITIAL_REPLICAS;
      const plan: HealPlan = refusal === undefined ? { step, attempt, operations: operationsFor(target, step, current) } : { step, attempt, operations: [], refusal };
      plans.push({ target, plan });
      return plan;
    },
    async apply(target, plan, callOptions) {
      throwIfAborted(callOptions?.signal, 'apply', component);
      const dryRun = callOptions?.dryRun === true;
      if (dryRun) {
        return {
          ok: true,
          dryRun: true,
          message: `dry-run: would apply ${plan.step.kind} (attempt ${plan.attempt}) to ${targetKey(target)}`,
          results: plan.operations.map((operation) => ({ op: operation.op, ok: true, message: `would ${operation.description}` })),
        };
      }
      await parsed.beforeApply?.(target, plan);
      // The last check before changing anything: the fence, and the claim still being this step's.
      const stored = states.get(targetKey(target));
      const claim = callOptions?.intent;
      const why =
        callOptions?.fence?.check() ??
        (claim && (stored?.intent?.holder !== claim.holder || stored.intent.attempt !== claim.attempt)
          ? `the claim on attempt ${claim.attempt} is no longer ${claim.holder}'s`
          : undefined);
      if (why !== undefined) {
        fenced.push({ target, plan, why });
        return {
          ok: false,
          dryRun: false,
          message: `stopped before changing anything: ${why}`,
          results: plan.operations.map((operation) => ({ op: operation.op, ok: false, message: `not attempted: ${why}` })),
        };
      }
      const ok = !fails(target, plan.step);
      const outcome: HealOutcome = {
        ok,
        dryRun: false,
        message: ok ? `applied ${plan.step.kind} (attempt ${plan.attempt}) to ${targetKey(target)}` : `${plan.step.kind} failed on ${targetKey(target)} (configured to fail)`,
        // A configured failure fails the first operation, like a rejected first API call, and the
        // later ones are not run.
        results: plan.operations.map((operation, index) => ({
          op: operation.op,
          ok,
          message: ok ? operation.description : index === 0 ? `${operation.description} failed (configured to fail)` : `${operation.description} not run after the failure`,
        })),
      };
      if (ok) {
        for (const operation of plan.operations) if (operation.op === 'scale') replicas.set(targetKey(target), operation.details.to);
      }
      applied.push({ target, plan, outcome });
      return outcome;
    },
    async recordDecision(record, callOptions) {
      throwIfAborted(callOptions?.signal, 'recordDecision', component);
      recorded.push(record);
    },
    async findStep(target, intent) {
      const match = applied.find((step) => targetKey(step.target) === targetKey(target) && step.plan.attempt === intent.attempt && step.plan.step.kind === intent.step);
      if (!match) return { found: 'unknown', evidence: `no ${intent.step} applied as attempt ${intent.attempt}` };
      return { found: match.outcome.ok ? 'applied' : 'failed', evidence: match.outcome.message };
    },
    async undoScaleUp(target, callOptions) {
      const now = replicas.get(targetKey(target));
      if (now === undefined || now === INITIAL_REPLICAS) return undefined;
      const why = callOptions?.fence?.check();
      if (why !== undefined) return `scale-up not undone: ${why}`;
      replicas.delete(targetKey(target));
      return `scaled ${targetKey(target)} back ${now} → ${INITIAL_REPLICAS} replicas`;
    },
    failStateWith(error) {
      stateFailure = error;
    },
    setWorkload(target, workload) {
      if (workload === undefined) workloads.delete(targetKey(target));
      else workloads.set(targetKey(target), { ...workload });
    },
    replicasOf: (target) => replicas.get(targetKey(target)) ?? INITIAL_REPLICAS,
  };
}

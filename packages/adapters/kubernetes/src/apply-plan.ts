/**
 * Applying a plan: its operations in order, each by the module of its kind, then the step's Event.
 * The rules of the sequence live here: a refused plan or an already aborted signal throws; an
 * operation that fails (or throws) stops the ones after it, which are reported "not attempted",
 * except a partial cache clear (the restart after it replaces those pods anyway); aborted or fenced
 * part-way (the fence refused, or the claim is no longer this step's), the outcome says what was
 * done, what was not, and why.
 */
import { AutohealError, HealingError, type ApplyOptions, type HealOperation, type HealOutcome, type HealPlan, type OperationResult, type TargetRef } from '@autoheal/core';
import { createApplyContext, StepFencedError, type ApplyContext } from './apply-context.js';
import type { DeploymentReads } from './deployment-reads.js';
import type { EventWriter } from './event-writer.js';
import { applyExec } from './exec-operation.js';
import type { KubeClients } from './kube-clients.js';
import { applyRestart } from './restart-operation.js';
import { applyRollback } from './rollback-operation.js';
import { applyScale, applyScaleHpa } from './scale-operations.js';

const COMPONENT = 'kubernetes';

/** Applies plans made by `planStep`. */
export type PlanApplier = (target: TargetRef, plan: HealPlan, options?: ApplyOptions) => Promise<HealOutcome>;

type WriteOperation = Exclude<HealOperation, { op: 'event' }>;

/** Creates the applier. */
export function createPlanApplier(deps: { clients: KubeClients; reads: DeploymentReads; events: EventWriter; execOutputLimit: number }): PlanApplier {
  function applyOperation(context: ApplyContext, operation: WriteOperation): Promise<OperationResult> {
    switch (operation.op) {
      case 'restart':
        return applyRestart(context, operation);
      case 'scale':
        return applyScale(context, operation);
      case 'scale-hpa':
        return applyScaleHpa(context, operation);
      case 'exec':
        return applyExec(context, operation, { outputLimit: deps.execOutputLimit });
      case 'rollback':
        return applyRollback(context, operation);
    }
  }

  return async function apply(target, plan, options) {
    const dryRun = options?.dryRun === true;
    const signal = options?.signal;
    if (plan.refusal) {
      throw new HealingError(`${plan.step.kind} of ${target.namespace}/${target.name} was refused: ${plan.refusal}`, {
        component: COMPONENT,
        code: 'HEALING_REFUSED',
        details: { refusal: plan.refusal },
      });
    }
    if (signal?.aborted) {
      throw new AutohealError(`apply to ${target.namespace}/${target.name} aborted before it started`, {
        component: COMPONENT,
        code: 'ABORTED',
        cause: signal.reason,
      });
    }
    const context = createApplyContext(deps.clients, deps.reads, target, {
      dryRun,
      ...(signal ? { signal } : {}),
      ...(options?.fence ? { fence: options.fence } : {}),
      ...(options?.intent ? { intent: options.intent } : {}),
    });
    const results: OperationResult[] = [];
    let blocked: string | undefined;
    for (const operation of plan.operations) {
      if (operation.op === 'event') continue;
      // Aborted part-way: report what was done and what was not, rather than throwing it away.
      if (!blocked && signal?.aborted) blocked = 'aborted';
      if (blocked) {
        results.push({ op: operation.op, ok: false, message: `not attempted: ${blocked}` });
        continue;
      }
      try {
        // Every operation asks the fence first (the writes inside ask again, with the claim).
        context.checkFence(operation.op);
        const result = await applyOperation(context, operation);
        results.push(result);
        // A refused restart or rollback stops the step; a partial cache clear does not.
        if (!result.ok && operation.op !== 'exec') blocked = `${operation.op} failed`;
      } catch (error) {
        if (StepFencedError.isFenced(error)) {
          results.push({ op: operation.op, ok: false, message: `not attempted: ${error.why}` });
          blocked = error.why;
          continue;
        }
        results.push({ op: operation.op, ok: false, message: error instanceof Error ? error.message : String(error) });
        blocked = `${operation.op} failed`;
      }
    }
    const ok = results.every((r) => r.ok);
    const done = results.map((r) => r.message).join('; ');
    const message = `${dryRun ? '[dry-run] ' : ''}${plan.step.kind} step (attempt ${plan.attempt}) on ${target.namespace}/${target.name} ${
      ok ? (dryRun ? 'would succeed' : 'succeeded') : 'failed'
    }: ${done}`;
    if (plan.operations.some((operation) => operation.op === 'event')) {
      results.push(await deps.events.recordStep({ plan, ok, message, dryRun, deployment: context.deployment, signal }));
    }
    return { ok, dryRun, message, results };
  };
}

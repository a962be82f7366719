/** Test support: the operation or result of one kind in a plan or outcome, typed, or a clear failure. */
import type { HealOperationKind, HealOperationOf, HealOutcome, HealPlan, OperationResultOf } from '@autoheal/core';

/** The first operation of kind `op` in `plan`; throws naming the kinds present when there is none. */
export function operationOf<K extends HealOperationKind>(plan: HealPlan, op: K): HealOperationOf<K> {
  const found = plan.operations.find((operation): operation is HealOperationOf<K> => operation.op === op);
  if (!found) throw new Error(`the plan has no ${op} operation (it has: ${plan.operations.map((o) => o.op).join(', ') || 'none'})`);
  return found;
}

/** The first result of kind `op` in `outcome`; throws naming the kinds present when there is none. */
export function resultOf<K extends HealOperationKind>(outcome: HealOutcome, op: K): OperationResultOf<K> {
  const found = outcome.results.find((result): result is OperationResultOf<K> => result.op === op);
  if (!found) throw new Error(`the outcome has no ${op} result (it has: ${outcome.results.map((r) => r.op).join(', ') || 'none'})`);
  return found;
}

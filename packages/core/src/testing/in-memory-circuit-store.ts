/**
 * A CircuitStore in memory, for tests: one store shared by two pipelines stands for the cluster's
 * shared window seen by two processes (two replicas, the server and a CI run, a process before and
 * after a restart). It can be made to fail, to check that the breaker then fails closed.
 */
import { AdapterError, AutohealError } from '../errors.js';
import type { CircuitSlot, CircuitStore } from '../interfaces/circuit-store.js';

/** The in-memory circuit store, with handles for tests. */
export interface InMemoryCircuitStore extends CircuitStore {
  /** Every slot ever taken, oldest first (expired ones included). */
  readonly slots: readonly CircuitSlot[];
  /** Makes every following `read`/`take` reject with `error` (`null` to stop failing). */
  failWith(error: unknown): void;
}

/**
 * Creates an in-memory CircuitStore.
 *
 * @example
 * const store = createInMemoryCircuitStore();
 * const first = createPipeline({ ...parts, circuitStore: store });
 * const second = createPipeline({ ...parts, circuitStore: store }); // shares the window
 */
export function createInMemoryCircuitStore(options: { name?: string } = {}): InMemoryCircuitStore {
  const name = options.name ?? 'in-memory';
  const slots: CircuitSlot[] = [];
  let failure: unknown = null;

  const throwIfFailing = () => {
    if (failure === null) return;
    throw AutohealError.isInstance(failure) ? failure : new AdapterError(`circuit store failed: ${failure instanceof Error ? failure.message : String(failure)}`, { component: name, cause: failure });
  };

  return {
    name,
    slots,
    async read() {
      throwIfFailing();
      return slots.map((slot) => ({ ...slot }));
    },
    async take(slot, limits) {
      throwIfFailing();
      // Check and add in one synchronous step: the in-memory compare-and-swap.
      const inWindow = slots.filter((existing) => existing.at > slot.at - limits.windowMs);
      const taken = limits.force === true || inWindow.length < limits.maxActions;
      if (taken) slots.push({ ...slot });
      return { taken, slots: slots.filter((existing) => existing.at > slot.at - limits.windowMs).map((existing) => ({ ...existing })) };
    },
    failWith(error) {
      failure = error;
    },
  };
}

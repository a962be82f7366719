import { describe, expect, it } from 'vitest';
import { mapWithConcurrency } from './concurrency.js';

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('mapWithConcurrency', () => {
  it('keeps at most `limit` calls in flight and returns results in input order', async () => {
    const gates = [0, 1, 2, 3, 4].map(() => deferred<void>());
    const started: number[] = [];
    const result = mapWithConcurrency([10, 11, 12, 13, 14], 2, async (item, index) => {
      started.push(index);
      await gates[index]!.promise;
      return item * 2;
    });

    await settle();
    expect(started).toEqual([0, 1]);
    gates[1]!.resolve();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    for (const gate of gates) gate.resolve();

    expect(await result).toEqual([20, 22, 24, 26, 28]);
  });

  it('starts nothing new after a failure and rejects with the first error once the others settle', async () => {
    const slow = deferred<string>();
    const started: string[] = [];
    let settled = false;
    const result = mapWithConcurrency(['slow', 'bad', 'never'], 2, async (item) => {
      started.push(item);
      if (item === 'bad') throw new Error('bad item');
      return slow.promise;
    }).finally(() => {
      settled = true;
    });

    await settle();
    expect(settled).toBe(false);
    slow.resolve('done');

    await expect(result).rejects.toThrow('bad item');
    expect(started).toEqual(['slow', 'bad']);
  });

  it('handles no items, and refuses a limit below 1', async () => {
    expect(await mapWithConcurrency([], 3, async () => 1)).toEqual([]);
    await expect(mapWithConcurrency([1], 0, async () => 1)).rejects.toThrow(RangeError);
  });
});

/**
 * `mapWithConcurrency`: the one bounded-concurrency helper of autoheal. The watch loop evaluates
 * targets with it, the Prometheus adapter runs its queries with it, and the Kubernetes healer execs
 * into pods with it, so "at most N at a time, results in order" means the same everywhere.
 */

/**
 * Runs `work` on every item with at most `limit` calls in flight, and resolves with the results in
 * the order of `items`. When a call rejects, no further item starts, and the returned promise
 * rejects with that first error once the calls already in flight have settled (nothing keeps
 * running behind the caller's back). To collect failures instead, catch inside `work`.
 *
 * @param limit at least 1; a limit above `items.length` runs everything at once.
 * @throws RangeError when `limit` is not a whole number ≥ 1.
 *
 * @example
 * const bodies = await mapWithConcurrency(urls, 4, async (url) => (await fetch(url)).text());
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`[autoheal] [core] mapWithConcurrency: limit must be a whole number ≥ 1, got ${String(limit)}`);
  }
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}

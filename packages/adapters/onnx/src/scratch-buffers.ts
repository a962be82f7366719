/**
 * Typed arrays reused from call to call. A 10,000-row matrix is a few hundred kilobytes, which the
 * allocator hands out as fresh pages from the kernel every time: faulting them in cost as much as
 * reading all the rows. Reusing the buffers of earlier calls avoids it.
 */

/** A typed array constructor this pool can make. */
type TypedArrayOf<T> = new (length: number) => T;

/** Lends typed arrays of at least a given length; see {@link createScratchBuffers}. */
export interface ScratchBuffers<T extends Float32Array | Float64Array> {
  /** A buffer of at least `length` elements, with whatever an earlier call left in it. */
  take(length: number): T;
  /** Gives a buffer back once nothing reads it any more (after the call that took it). */
  give(buffer: T): void;
}

/**
 * Keeps up to `keep` buffers (one per call in flight; more concurrent calls allocate their own),
 * each the size of the largest request it served.
 */
export function createScratchBuffers<T extends Float32Array | Float64Array>(Type: TypedArrayOf<T>, keep = 2): ScratchBuffers<T> {
  const free: T[] = [];
  return {
    take(length) {
      for (let i = free.length - 1; i >= 0; i--) {
        if (free[i]!.length >= length) return free.splice(i, 1)[0]!;
      }
      // None is large enough: drop a too-small one, so the new one can take its place when given back.
      free.pop();
      return new Type(length);
    },
    give(buffer) {
      if (free.length < keep) free.push(buffer);
    },
  };
}

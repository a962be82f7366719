/**
 * Keeps the latest DecisionRecord and a bounded history per target, and fans records out to live
 * listeners (the server-sent event stream). It is the server's read model of what the pipeline did.
 *
 * Bounded twice: `limit` records per target, and `totalLimit` records over all targets, shared out
 * evenly (never below 2 a target: the latest and the one before it). A per-target bound alone let a
 * 10,000-target fleet grow to 5,000,000 records (the fleet benchmark's server passed 800 MB after one
 * round and kept growing); a few targets still keep their full `limit`.
 */
import { targetKey, type DecisionRecord, type TargetRef } from '@autoheal/core';

export interface TargetHistory {
  key: string;
  target: TargetRef;
  latest: DecisionRecord | null;
  /** Oldest first. */
  history: DecisionRecord[];
}

export class DecisionHistory {
  private readonly byKey = new Map<string, TargetHistory>();
  private readonly listeners = new Set<(record: DecisionRecord) => void>();

  constructor(
    private readonly limit: number,
    private readonly totalLimit = 20_000,
  ) {}

  /** Records kept per target now: `limit`, or the even share of `totalLimit` when that is smaller. */
  perTargetLimit(): number {
    return Math.max(2, Math.min(this.limit, Math.floor(this.totalLimit / Math.max(1, this.byKey.size))));
  }

  /** Makes a target known before its first evaluation, so it is listed (with `latest: null`). */
  register(target: TargetRef): TargetHistory {
    const key = targetKey(target);
    let entry = this.byKey.get(key);
    if (!entry) {
      entry = { key, target, latest: null, history: [] };
      this.byKey.set(key, entry);
    }
    return entry;
  }

  add(record: DecisionRecord): void {
    const entry = this.register(record.target);
    entry.latest = record;
    entry.history.push(record);
    // Trimmed when it grows: a target whose share shrank as others were added keeps its older
    // records until its next one arrives (each target gets one a round).
    const keep = this.perTargetLimit();
    if (entry.history.length > keep) entry.history.splice(0, entry.history.length - keep);
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch {
        // A broken listener (a closed stream) must not stop the others.
      }
    }
  }

  get(key: string): TargetHistory | undefined {
    return this.byKey.get(key);
  }

  list(): TargetHistory[] {
    return [...this.byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
  }

  subscribe(listener: (record: DecisionRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

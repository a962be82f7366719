/**
 * Keeps the latest DecisionRecord and a bounded history per target, and fans records out to live
 * listeners (the server-sent event stream). It is the server's read model of what the pipeline did.
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

  constructor(private readonly limit: number) {}

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
    if (entry.history.length > this.limit) entry.history.splice(0, entry.history.length - this.limit);
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

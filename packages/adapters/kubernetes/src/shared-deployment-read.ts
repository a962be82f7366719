/**
 * One GET of the Deployment per evaluation, shared by the pause source and the state read. The
 * pipeline reads a target's pause marks right before its ladder state (`pauseOf`, then `readTarget`,
 * with no I/O between them): both come from the Deployment's annotations, so `pauseOf` keeps the
 * Deployment it fetched and `readTarget` takes it instead of fetching it again.
 *
 * Why a kept copy is safe for the state: it is at most `maxAgeMs` old and taken once, and every
 * write of the state re-reads the Deployment and compares (`writeState` with `expected`, and the
 * `resourceVersion` precondition), so a copy a few milliseconds old can only make a write lose a
 * conflict, never overwrite a newer state. Anything not taken within `maxAgeMs` is dropped.
 */
import type { TargetRef } from '@autoheal/core';
import { targetKey } from '@autoheal/core';
import type { V1Deployment } from '@kubernetes/client-node';
import type { DeploymentReads } from './deployment-reads.js';

/** The shared read of one healer. */
export interface SharedDeploymentRead {
  /** GETs the Deployment and keeps it for the next {@link SharedDeploymentRead.take} of the same target. */
  readAndKeep(target: TargetRef, signal?: AbortSignal): Promise<V1Deployment>;
  /** The Deployment kept for `target` less than `maxAgeMs` ago (once), else a fresh GET. */
  take(target: TargetRef, signal?: AbortSignal): Promise<V1Deployment>;
}

/** Creates the shared read over `reads`; `now` is real time (it bounds the API's freshness, not the pipeline's clock). */
export function createSharedDeploymentRead(reads: Pick<DeploymentReads, 'deployment'>, settings: { maxAgeMs: number; now?: () => number }): SharedDeploymentRead {
  const now = settings.now ?? Date.now;
  const kept = new Map<string, { at: number; deployment: V1Deployment }>();

  function dropStale(at: number): void {
    for (const [key, entry] of kept) if (at - entry.at > settings.maxAgeMs) kept.delete(key);
  }

  return {
    async readAndKeep(target, signal) {
      const deployment = await reads.deployment(target, signal);
      const at = now();
      dropStale(at);
      kept.set(targetKey(target), { at, deployment });
      return deployment;
    },
    async take(target, signal) {
      const key = targetKey(target);
      const entry = kept.get(key);
      kept.delete(key);
      if (entry && now() - entry.at <= settings.maxAgeMs) return entry.deployment;
      return reads.deployment(target, signal);
    },
  };
}

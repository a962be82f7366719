/**
 * What every operation of one `apply` shares: the target, dry-run, the caller's signal, the clients,
 * and the Deployment read at most once. The plan may be minutes old, so `apply` reads the Deployment
 * again, once, on first use; each write to it hands back the newer object, which later operations
 * and the step's Event then use instead of reading again.
 */
import type { TargetRef } from '@autoheal/core';
import type { V1Deployment } from '@kubernetes/client-node';
import type { DeploymentReads } from './deployment-reads.js';
import type { KubeClients } from './kube-clients.js';

/** The shared state of one `apply`. */
export interface ApplyContext {
  readonly clients: KubeClients;
  readonly target: TargetRef;
  readonly dryRun: boolean;
  readonly signal?: AbortSignal;
  /** The Deployment as of this apply: read on first use, then the newest object a write returned. */
  deployment(): Promise<V1Deployment>;
  /** Keeps the Deployment a (non-dry-run) write returned, so nothing reads it again. */
  updated(deployment: V1Deployment): void;
}

/** Creates the context of one `apply`. */
export function createApplyContext(
  clients: KubeClients,
  reads: DeploymentReads,
  target: TargetRef,
  options: { dryRun: boolean; signal?: AbortSignal },
): ApplyContext {
  let latest: Promise<V1Deployment> | undefined;
  return {
    clients,
    target,
    dryRun: options.dryRun,
    signal: options.signal,
    deployment() {
      if (!latest) {
        const reading = reads.deployment(target, options.signal);
        // A failed read is not kept: the step's Event, after a failed operation, tries once more.
        reading.catch(() => {
          if (latest === reading) latest = undefined;
        });
        latest = reading;
      }
      return latest;
    },
    updated(deployment) {
      latest = Promise.resolve(deployment);
    },
  };
}

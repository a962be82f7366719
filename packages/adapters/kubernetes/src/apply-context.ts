/**
 * What every operation of one `apply` shares: the target, dry-run, the caller's signal, the clients,
 * the Deployment read at most once, and the fence. It is the one place every write of a step passes
 * through, so the rules that must hold for every write are here:
 *
 * - **Fencing.** Before each write the caller's fence is asked ("do I still hold the Lease with time
 *   to spare?") and, when the step runs under a claim, the Deployment's stored claim must still be
 *   this step's. Either answer "no" stops the step there ({@link StepFencedError}).
 * - **The claim as a precondition.** Under a claim, every write of the Deployment (restart,
 *   rollback, scale) carries the `resourceVersion` of the object whose claim was checked, so a
 *   write that arrives after anyone changed the Deployment — another process's claim included — is a
 *   409, never applied. A 409 reads the Deployment again, checks again and retries.
 * - **Read once.** The plan may be minutes old, so `apply` reads the Deployment again, once, on first
 *   use; each write hands back the newer object, which later operations and the step's Event use.
 */
import { HealingError, type ActionFence, type HealingIntent, type TargetRef } from '@autoheal/core';
import type { V1Deployment } from '@kubernetes/client-node';
import { isConflict } from './api-call.js';
import type { DeploymentReads } from './deployment-reads.js';
import type { KubeClients } from './kube-clients.js';
import { stateFromAnnotations } from './state-annotations.js';

const COMPONENT = 'kubernetes';

/** A write the fence or a claim no longer this step's stopped before it was sent. */
export class StepFencedError extends HealingError {
  readonly why: string;
  constructor(what: string, why: string) {
    super(`${what} not sent: ${why}`, { component: COMPONENT, code: 'HEALING_REFUSED', details: { fenced: true, why } });
    this.why = why;
  }

  static isFenced(error: unknown): error is StepFencedError {
    return error instanceof StepFencedError;
  }
}

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
  /**
   * Throws {@link StepFencedError} when the fence refuses or (given the Deployment) its stored claim
   * is not this step's. Dry-run writes nothing and is never fenced.
   */
  checkFence(what: string, deployment?: V1Deployment): void;
  /**
   * One write of the Deployment: fenced, and under a claim sent with `resourceVersion` (the one the
   * claim was checked on) and retried on 409 with a fresh read. `write` gets the current object and
   * the precondition to send (`undefined` without a claim or in dry-run).
   */
  writeDeployment<T>(what: string, write: (current: V1Deployment, resourceVersion: string | undefined) => Promise<T>): Promise<T>;
}

/** Why the Deployment's stored claim is not `intent`, or `undefined` when it is. */
export function claimMismatch(deployment: V1Deployment, intent: HealingIntent): string | undefined {
  const stored = stateFromAnnotations(deployment.metadata?.annotations).intent;
  if (stored?.holder === intent.holder && stored.attempt === intent.attempt && stored.startedAt === intent.startedAt) return undefined;
  const now = stored ? `it is ${stored.holder}'s claim on attempt ${stored.attempt}` : 'no claim is stored';
  return `the claim on attempt ${intent.attempt} is no longer ${intent.holder}'s (${now})`;
}

/** Creates the context of one `apply`. */
export function createApplyContext(
  clients: KubeClients,
  reads: DeploymentReads,
  target: TargetRef,
  options: { dryRun: boolean; signal?: AbortSignal; fence?: ActionFence; intent?: HealingIntent },
): ApplyContext {
  let latest: Promise<V1Deployment> | undefined;
  const { dryRun, fence, intent } = options;

  function deployment(): Promise<V1Deployment> {
    if (!latest) {
      const reading = reads.deployment(target, options.signal);
      // A failed read is not kept: the step's Event, after a failed operation, tries once more.
      reading.catch(() => {
        if (latest === reading) latest = undefined;
      });
      latest = reading;
    }
    return latest;
  }

  function checkFence(what: string, current?: V1Deployment): void {
    if (dryRun) return;
    const why = fence?.check() ?? (intent && current ? claimMismatch(current, intent) : undefined);
    if (why !== undefined) throw new StepFencedError(what, why);
  }

  async function writeDeployment<T>(what: string, write: (current: V1Deployment, resourceVersion: string | undefined) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const current = await deployment();
      checkFence(what, current);
      const precondition = intent && !dryRun ? current.metadata?.resourceVersion : undefined;
      try {
        return await write(current, precondition);
      } catch (error) {
        if (precondition === undefined || !isConflict(error) || attempt >= clients.conflictRetries) throw error;
        // Someone changed the Deployment since it was read: read it again, and check the claim on it.
        latest = undefined;
      }
    }
  }

  return {
    clients,
    target,
    dryRun,
    signal: options.signal,
    deployment,
    updated(newer) {
      latest = Promise.resolve(newer);
    },
    checkFence,
    writeDeployment,
  };
}

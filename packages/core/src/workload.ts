/**
 * What the healer sees of a workload's rollout, for the ladder's rollout guard: a Deployment that is
 * still starting or rolling out is not judged as failing (its pods are not ready yet, its restart
 * counters still carry the old pods'), so no step is taken against it. Facts only; the rule that
 * reads them is pure (`ladder.ts`).
 */
import { z } from 'zod';

export const workloadStatusSchema = z.object({
  /** Epoch ms the workload was created. */
  createdAt: z.number().optional(),
  /**
   * How long a rollout may go without progress before it counts as failed (Kubernetes:
   * `spec.progressDeadlineSeconds`, 600 s by default).
   */
  progressDeadlineMs: z.number().min(0).optional(),
  /** Replicas wanted. */
  desiredReplicas: z.number().int().min(0),
  /** Replicas available (ready for at least `minReadySeconds`). */
  availableReplicas: z.number().int().min(0),
  /**
   * A new version is replacing the old one: the spec change is not yet observed, the new
   * ReplicaSet does not have every replica yet, or old replicas are still running.
   */
  updating: z.boolean(),
  /** The rollout made no progress within its deadline (Kubernetes: `ProgressDeadlineExceeded`). */
  stalled: z.boolean(),
  /**
   * The workload's first version has never been complete yet (Kubernetes: revision 1, and the
   * Progressing condition not yet `NewReplicaSetAvailable`): it is starting, not degrading.
   */
  firstRollout: z.boolean().default(false),
});
export type WorkloadStatus = z.output<typeof workloadStatusSchema>;

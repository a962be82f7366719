/**
 * "May this process still act?" — asked right before the claim of a step and before every mutating
 * call of the step. The usual fence is leader election: a replica that no longer holds the Lease
 * with time to spare stops, even in the middle of a step, instead of acting next to the new leader.
 * Without a fence (an SDK user with one process) nothing changes.
 */
export interface ActionFence {
  /**
   * `undefined` while this process may act; otherwise why not, in words ("not the leader: the Lease
   * is held by autoheal-2"). Synchronous and cheap: it is checked before every write.
   */
  check(): string | undefined;
}

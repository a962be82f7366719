/** Options every I/O call accepts. */
export interface CallOptions {
  /** Aborts the call (timeouts, shutdown). */
  signal?: AbortSignal;
}

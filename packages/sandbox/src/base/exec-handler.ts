/**
 * The exec contract between the API layer, which frames `pods/exec` over a WebSocket, and the
 * simulated container runtime, which runs the command.
 */

/** The result of running a command in a simulated container. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs a command "inside" a simulated pod. Provided by the simulation; the API layer frames it over
 * the exec WebSocket (stdout on channel 1, stderr on 2, Status with the exit code on 3).
 * Throws a `StatusError` (404) when the pod or container does not exist.
 */
export type ExecHandler = (request: {
  namespace: string;
  pod: string;
  container: string | undefined;
  command: string[];
  /** What the client sent on stdin, read to its end (v5 sessions that asked for stdin); absent otherwise. */
  stdin?: string;
}) => Promise<ExecResult>;

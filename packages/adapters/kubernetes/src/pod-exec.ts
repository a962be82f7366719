/**
 * Runs one command in one pod over the exec WebSocket (client-node `Exec`), with a time limit, and
 * collects the exit code and (truncated) output. Never throws: every failure is a result, so one bad
 * pod cannot hide the others.
 */
import { Writable } from 'node:stream';
import type { PodExecResult } from '@autoheal/core';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';

/** Inputs of {@link execInPod}. */
export interface ExecInPodInput {
  kubeConfig: KubeConfig;
  namespace: string;
  pod: string;
  container: string;
  command: readonly string[];
  timeoutMs: number;
  /** Characters kept of each output stream. */
  outputLimit: number;
  signal?: AbortSignal;
}

/** A Writable that keeps the first `limit` characters and marks the rest as cut. */
class CappedText extends Writable {
  private text = '';
  private cut = false;
  constructor(private readonly limit: number) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const piece = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const room = this.limit - this.text.length;
    if (piece.length > room) {
      this.text += piece.slice(0, Math.max(0, room));
      this.cut = true;
    } else {
      this.text += piece;
    }
    done();
  }
  value(): string {
    return this.cut ? `${this.text}…[truncated]` : this.text;
  }
}

/** The exit code in a v4/v5 exec Status (`details.causes[].reason === 'ExitCode'`). */
export function exitCodeOf(status: V1Status): number | undefined {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = cause?.message === undefined ? Number.NaN : Number(cause.message);
  return Number.isInteger(code) ? code : undefined;
}

/**
 * The text of what opening the exec connection rejected with. client-node passes on the WebSocket's
 * error event, which is not an Error (`String()` of it gave "[object Object]"): its `message` (e.g.
 * "Unexpected server response: 403") or its `error` says what happened.
 */
function rejectionText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null) {
    const event = error as { message?: unknown; error?: unknown };
    if (typeof event.message === 'string' && event.message !== '') return event.message;
    if (event.error instanceof Error) return event.error.message;
  }
  return String(error);
}

/** Runs `command` in `pod` and reports how it went. */
export async function execInPod(input: ExecInPodInput): Promise<PodExecResult> {
  const started = Date.now();
  const stdout = new CappedText(input.outputLimit);
  const stderr = new CappedText(input.outputLimit);
  const base = { pod: input.pod, container: input.container };
  const finish = (fields: Partial<PodExecResult> & { ok: boolean }): PodExecResult => ({
    ...base,
    timedOut: false,
    ...fields,
    stdout: stdout.value(),
    stderr: stderr.value(),
    durationMs: Date.now() - started,
  });

  return new Promise<PodExecResult>((resolve) => {
    let settled = false;
    let socket: { close(): void; terminate?(): void } | undefined;
    const settle = (result: PodExecResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      input.signal?.removeEventListener('abort', onAbort);
      // Closing also stops a command that is still running (the server ends the exec session).
      try {
        socket?.terminate?.();
      } catch {
        // already closed
      }
      resolve(result);
    };
    const timer = setTimeout(() => {
      settle(finish({ ok: false, timedOut: true, error: `timed out after ${input.timeoutMs} ms` }));
    }, input.timeoutMs);
    const onAbort = () => settle(finish({ ok: false, error: 'aborted' }));
    input.signal?.addEventListener('abort', onAbort, { once: true });

    const onStatus = (status: V1Status) => {
      const exitCode = exitCodeOf(status);
      if (exitCode === 0) {
        settle(finish({ ok: true, exitCode }));
      } else {
        settle(finish({ ok: false, exitCode, error: status.message ?? `exec failed (${status.reason ?? 'no reason'})` }));
      }
    };

    new Exec(input.kubeConfig)
      .exec(input.namespace, input.pod, input.container, [...input.command], stdout, stderr, null, false, onStatus)
      .then((ws) => {
        socket = ws as unknown as { close(): void; terminate?(): void };
        if (settled) {
          socket.terminate?.();
          return;
        }
        ws.on('close', () => {
          // The status frame arrives before the close; a close without one means the session broke.
          setImmediate(() => settle(finish({ ok: false, error: 'the exec session closed without an exit status' })));
        });
      })
      .catch((error: unknown) => {
        const message = rejectionText(error);
        settle(
          finish({
            ok: false,
            error: /\b403\b/.test(message)
              ? 'exec is forbidden (403); grant it with an RBAC Role rule { apiGroups: [""], resources: ["pods/exec"], verbs: ["create", "get"] } bound to autoheal\'s service account'
              : `could not start exec: ${message}`,
          }),
        );
      });
  });
}

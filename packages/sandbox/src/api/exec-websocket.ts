/**
 * `pods/{name}/exec` over WebSocket, framed like the API server's stream translator: subprotocol
 * `v5.channel.k8s.io` (or `v4.channel.k8s.io`), binary frames whose first byte is the channel, an
 * empty first frame on the lowest output channel, stdout on 1, stderr on 2, and the exit Status on
 * channel 3 in the v4 shape (`NonZeroExitCode` with an `ExitCode` cause).
 *
 * With stdin under v5, the command reads its stdin to the end (the client's CLOSE signal for channel
 * 0) before it runs. Besides passing stdin to the `ExecHandler`, this orders the session after the
 * client is ready: kubectl up to at least 1.33 reads the socket while it is still creating its
 * streams (kubernetes/kubernetes#131189, fixed in client-go by #131203), so a frame that comes first
 * is dropped ("Unknown stream id") and a close that comes first fails it ("closed all streams", exit
 * 1). A simulated command answers within microseconds of the upgrade, which made that race real
 * here. The CLOSE signal is sent only after every stream exists. Without stdin no client message
 * comes at all, so nothing can be waited for (see the package README).
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ExecHandler } from '../base/exec-handler.js';
import type { ObjectStore } from '../store/types.js';
import { StatusError, badRequest, internalError, notFound, type FailureStatus } from '../base/status-error.js';

/** Channel numbers of the Kubernetes remote-command protocol. */
export const execChannel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4 } as const;

/** Byte 0 of a v5 client's CLOSE signal; byte 1 is the channel it closes. */
export const execCloseSignal = 255;

/** Subprotocols this server speaks, most preferred first. */
export const supportedExecProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

const execPathPattern = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/;

/** True when `pathname` is a pod exec path this module serves. */
export function isExecPath(pathname: string): boolean {
  return execPathPattern.test(pathname);
}

/** The v4 Status that reports a command's exit code on channel 3. */
export function exitStatus(command: string[], exitCode: number): Record<string, unknown> {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** Writes a plain HTTP error (a Status body) on a socket that was not upgraded. */
export function rejectUpgrade(socket: Duplex, status: FailureStatus): void {
  const body = JSON.stringify(status);
  socket.end(
    `HTTP/1.1 ${status.code} ${status.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function frame(channel: number, payload: string | Buffer = ''): Buffer {
  return Buffer.concat([Buffer.from([channel]), Buffer.isBuffer(payload) ? payload : Buffer.from(payload)]);
}

/**
 * A v5 session's stdin, read to its end: the data frames of channel 0 until the client's CLOSE signal
 * for channel 0; `null` when the socket closes first. Registers its listener before returning, so no
 * frame is missed.
 */
function readStdin(webSocket: WebSocket): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const finish = (value: string | null) => {
      webSocket.off('message', onMessage);
      webSocket.off('close', onClose);
      resolve(value);
    };
    const onMessage = (data: Buffer | ArrayBuffer | Buffer[]) => {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (bytes[0] === execChannel.stdin) chunks.push(bytes.subarray(1));
      else if (bytes[0] === execCloseSignal && bytes[1] === execChannel.stdin) finish(Buffer.concat(chunks).toString());
    };
    const onClose = () => finish(null);
    webSocket.on('message', onMessage);
    webSocket.on('close', onClose);
  });
}

function queryFlag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value === 'true' || value === '1';
}

/**
 * Creates the exec endpoint: `handleUpgrade` serves one upgrade request, `closeAll` terminates
 * every open exec socket (for server shutdown).
 */
export function createExecEndpoint(options: { store: ObjectStore; exec: ExecHandler }): {
  handleUpgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  closeAll(): void;
} {
  const { store, exec } = options;
  const webSockets = new WebSocketServer({
    noServer: true,
    // Pick the first protocol in the client's order that we speak.
    handleProtocols: (offered) => [...offered].find((protocol) => supportedExecProtocols.includes(protocol)) ?? false,
  });

  async function runSession(webSocket: WebSocket, request: {
    namespace: string;
    pod: string;
    container: string | undefined;
    command: string[];
    stdout: boolean;
    stderr: boolean;
    stdin: boolean;
  }): Promise<void> {
    // The lowest writable channel gets an empty frame first, as the kubelet sends.
    webSocket.send(frame(request.stdout ? execChannel.stdout : request.stderr ? execChannel.stderr : execChannel.error));
    // v4 has no CLOSE signal: its stdin cannot be read to the end, so the command runs at once.
    const stdin = request.stdin && webSocket.protocol === 'v5.channel.k8s.io' ? await readStdin(webSocket) : undefined;
    if (stdin === null) return; // the client went away before closing stdin
    let status: object;
    try {
      const result = await exec({ namespace: request.namespace, pod: request.pod, container: request.container, command: request.command, ...(stdin !== undefined ? { stdin } : {}) });
      if (request.stdout && result.stdout) webSocket.send(frame(execChannel.stdout, result.stdout));
      if (request.stderr && result.stderr) webSocket.send(frame(execChannel.stderr, result.stderr));
      status = exitStatus(request.command, result.exitCode);
    } catch (error) {
      status = StatusError.isInstance(error)
        ? error.status
        : internalError(error instanceof Error ? error.message : String(error)).status;
    }
    if (webSocket.readyState === webSocket.OPEN) {
      webSocket.send(frame(execChannel.error, JSON.stringify(status)));
      webSocket.close(1000);
    }
  }

  return {
    handleUpgrade(request, socket, head) {
      const url = new URL(request.url ?? '/', 'http://sandbox');
      const match = execPathPattern.exec(url.pathname);
      if (!match) {
        rejectUpgrade(socket, notFound('', '', url.pathname).status);
        return;
      }
      const namespace = decodeURIComponent(match[1] ?? '');
      const podName = decodeURIComponent(match[2] ?? '');
      const pod = store.get('/pods', namespace, podName);
      if (!pod) {
        rejectUpgrade(socket, notFound('pods', '', podName).status);
        return;
      }
      const query = url.searchParams;
      const command = query.getAll('command');
      const stdout = queryFlag(query, 'stdout');
      const stderr = queryFlag(query, 'stderr');
      const stdin = queryFlag(query, 'stdin');
      if (!stdout && !stderr && !stdin) {
        rejectUpgrade(socket, badRequest('you must specify at least 1 of stdin, stdout, stderr').status);
        return;
      }
      if (command.length === 0) {
        rejectUpgrade(socket, badRequest('you must specify at least one command for the container').status);
        return;
      }
      const containers = ((pod.spec as { containers?: Array<{ name?: string }> } | undefined)?.containers ?? [])
        .map((container) => container.name)
        .filter((name): name is string => typeof name === 'string');
      let container = query.get('container') ?? undefined;
      if (container === undefined && containers.length === 1) container = containers[0];
      if (container === undefined && containers.length > 1) {
        rejectUpgrade(socket, badRequest(`a container name must be specified for pod ${podName}, choose one of: [${containers.join(' ')}]`).status);
        return;
      }
      if (container !== undefined && containers.length > 0 && !containers.includes(container)) {
        rejectUpgrade(socket, badRequest(`container ${container} is not valid for pod ${podName}`).status);
        return;
      }
      const offered = String(request.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((protocol) => protocol.trim());
      if (!offered.some((protocol) => supportedExecProtocols.includes(protocol))) {
        rejectUpgrade(socket, badRequest(`unable to upgrade: no supported subprotocol offered; this server speaks ${supportedExecProtocols.join(', ')}`).status);
        return;
      }
      webSockets.handleUpgrade(request, socket, head, (webSocket) => {
        webSocket.on('error', () => webSocket.terminate());
        void runSession(webSocket, { namespace, pod: podName, container, command, stdout, stderr, stdin });
      });
    },
    closeAll() {
      for (const client of webSockets.clients) client.terminate();
      webSockets.close();
    },
  };
}

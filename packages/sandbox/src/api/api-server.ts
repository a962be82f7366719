/**
 * The sandbox's Kubernetes API server: HTTP for discovery and the REST verbs, WebSocket for pod
 * exec. Requests are tried against `extraRoutes` first (the sandbox's `/metrics` and control API),
 * then served from the `ObjectStore`. Every failure is answered with a `metav1.Status`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ExecHandler, ObjectStore, SandboxClock } from '../store/types.js';
import { apiGroupDocument, apiGroupList, apiResourceList, coreApiVersions, versionInfo } from './discovery.js';
import { createExecEndpoint, isExecPath, rejectUpgrade } from './exec-websocket.js';
import { handleResourceCall, sendJson, type PodLogHandler } from './resource-handler.js';
import { parseResourcePath } from './resource-registry.js';
import { StatusError, internalError } from './status-error.js';

/** Options of `createApiServer`. */
export interface ApiServerOptions {
  store: ObjectStore;
  clock: SandboxClock;
  /** Runs commands for `pods/exec`. */
  exec: ExecHandler;
  /**
   * Tried before the Kubernetes routes; return `true` when the request was handled.
   */
  extraRoutes?: (request: http.IncomingMessage, response: http.ServerResponse) => boolean | Promise<boolean>;
  /** Text of `pods/{name}/log`. @default a one-line note that the pod is simulated */
  podLogs?: PodLogHandler;
}

/** A running (or ready to run) sandbox API server. */
export interface ApiServer {
  server: http.Server;
  /** Starts listening; resolves to the base URL, e.g. `http://127.0.0.1:41234`. @default port 0, host 127.0.0.1 */
  listen(port?: number, host?: string): Promise<string>;
  /** Ends watches and exec sockets, then stops the server. Never hangs on open streams. */
  close(): Promise<void>;
}

/** The user name for a request without a bearer token. */
export const anonymousUser = 'system:anonymous';

const requestUsers = new WeakMap<http.IncomingMessage, string>();

/**
 * The user a bearer token stands for: the token up to its first `:` (so `alice:anything` is
 * `alice`, and `sandbox-admin` is `sandbox-admin`). The sandbox accepts every token.
 */
export function userFromToken(token: string): string {
  const colon = token.indexOf(':');
  return colon >= 0 ? token.slice(0, colon) : token;
}

/** The authenticated user of a request served by a sandbox API server. */
export function requestUser(request: http.IncomingMessage): string {
  return requestUsers.get(request) ?? anonymousUser;
}

function authenticate(request: http.IncomingMessage): void {
  const header = String(request.headers.authorization ?? '');
  const match = /^Bearer\s+(.+)$/i.exec(header);
  requestUsers.set(request, match?.[1] ? userFromToken(match[1].trim()) : anonymousUser);
}

function pageNotFound(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {
    causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }],
  });
}

function sendError(response: http.ServerResponse, error: unknown): void {
  const status = StatusError.isInstance(error)
    ? error.status
    : internalError(error instanceof Error ? error.message : String(error)).status;
  if (!StatusError.isInstance(error)) console.error('[autoheal] [sandbox] unexpected API error:', error);
  if (response.headersSent) {
    response.end();
    return;
  }
  sendJson(response, status.code, status);
}

/**
 * Creates the sandbox API server (not yet listening).
 *
 * @example
 * const store = createObjectStore({ clock });
 * const api = createApiServer({ store, clock, exec: async () => ({ stdout: 'ok\n', stderr: '', exitCode: 0 }) });
 * const url = await api.listen(0, '127.0.0.1');
 * await writeKubeconfig('/tmp/kubeconfig', url);
 */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const { store, clock } = options;
  const openWatches = new Set<() => void>();
  const execEndpoint = createExecEndpoint({ store, exec: options.exec });
  let baseUrl = '';

  const dependencies = {
    store,
    clock,
    ...(options.podLogs ? { podLogs: options.podLogs } : {}),
    trackWatch(end: () => void) {
      openWatches.add(end);
      return () => openWatches.delete(end);
    },
  };

  async function route(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    authenticate(request);
    if (options.extraRoutes && (await options.extraRoutes(request, response))) return;
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = request.method ?? 'GET';

    if (method === 'GET') {
      switch (path) {
        case '/version':
          return sendJson(response, 200, versionInfo());
        case '/healthz':
        case '/livez':
        case '/readyz':
          response.writeHead(200, { 'Content-Type': 'text/plain' });
          response.end('ok');
          return;
        case '/api':
          return sendJson(response, 200, coreApiVersions(new URL(baseUrl || 'http://127.0.0.1').host));
        case '/apis':
          return sendJson(response, 200, apiGroupList());
      }
      const segments = path.split('/').filter((segment) => segment !== '');
      if (segments[0] === 'api' && segments.length === 2) {
        const document = apiResourceList('', segments[1] ?? '');
        if (document) return sendJson(response, 200, document);
      }
      if (segments[0] === 'apis' && segments.length === 2) {
        const document = apiGroupDocument(segments[1] ?? '');
        if (document) return sendJson(response, 200, document);
      }
      if (segments[0] === 'apis' && segments.length === 3) {
        const document = apiResourceList(segments[1] ?? '', segments[2] ?? '');
        if (document) return sendJson(response, 200, document);
      }
    }

    const target = parseResourcePath(url.pathname);
    if (!target || 'unknownResource' in target) throw pageNotFound();
    await handleResourceCall(dependencies, target, request, response, url.searchParams);
  }

  const server = http.createServer((request, response) => {
    route(request, response).catch((error: unknown) => sendError(response, error));
  });

  server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    authenticate(request);
    const url = new URL(request.url ?? '/', 'http://sandbox');
    if (!isExecPath(url.pathname)) {
      rejectUpgrade(socket, pageNotFound().status);
      return;
    }
    try {
      execEndpoint.handleUpgrade(request, socket, head);
    } catch (error) {
      rejectUpgrade(socket, (StatusError.isInstance(error) ? error : internalError(String(error))).status);
    }
  });
  // A client that sends garbage gets a 400 and the server keeps serving.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  return {
    server,
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
          resolve(baseUrl);
        });
      });
    },
    close() {
      for (const end of [...openWatches]) end();
      openWatches.clear();
      execEndpoint.closeAll();
      return new Promise((resolve, reject) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

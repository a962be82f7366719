/**
 * The sandbox's Kubernetes API server: HTTP for discovery and the REST verbs, WebSocket for pod
 * exec. Requests are tried against `extraRoutes` first (the sandbox's `/metrics` and control API),
 * then served from the `ObjectStore`. Every failure is answered with a `metav1.Status`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ExecHandler } from '../base/exec-handler.js';
import type { ObjectStore } from '../store/types.js';
import type { SandboxClock } from '../base/sandbox-clock.js';
import { apiGroupDocument, apiGroupList, apiResourceList, coreApiVersions, versionInfo } from './discovery.js';
import { createExecEndpoint, isExecPath, rejectUpgrade } from './exec-websocket.js';
import { type PodLogHandler, sendJson } from './resource-call.js';
import { handleResourceCall } from './resource-handler.js';
import { openApiDocumentFor } from './openapi-document.js';
import { parseResourcePath } from './resource-registry.js';
import { authorize, type ResourceAttributes } from './rbac-authorizer.js';
import { authenticate, requestUser } from './request-user.js';
import { loggedBody, type RequestLog } from './request-log.js';
import type { ResourceRequest } from './resource-registry.js';
import { StatusError, forbidden, internalError } from '../base/status-error.js';

export { anonymousUser, requestUser, userFromToken } from './request-user.js';

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
  /**
   * Check every resource request against the stored RBAC objects and answer 403 Forbidden when
   * denied (users without any binding are still allowed everything; see `rbac-authorizer.ts`).
   * @default false
   */
  enforceRbac?: boolean;
  /** Where every answered request is recorded (see `request-log.ts`). @default none */
  requestLog?: RequestLog;
}

/** The verb RBAC sees for a request (`list` vs `get`, `watch`, `deletecollection`...). */
export function requestVerb(method: string, target: Pick<ResourceRequest, 'name' | 'subresource'>, query: URLSearchParams): string {
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  switch (method) {
    case 'GET':
    case 'HEAD':
      return target.name === undefined ? (watch ? 'watch' : 'list') : 'get';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return target.name === undefined ? 'deletecollection' : 'delete';
    default:
      return method.toLowerCase();
  }
}

/** A running (or ready to run) sandbox API server. */
export interface ApiServer {
  server: http.Server;
  /** Starts listening; resolves to the base URL, e.g. `http://127.0.0.1:41234`. @default port 0, host 127.0.0.1 */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Cuts every open watch stream and answers how many: `reset` destroys the connections (a load
   * balancer or an API server restart dropping them mid-stream), `end` finishes each response
   * cleanly (what a real API server does at its watch timeout). Clients must re-watch, or re-list
   * when their resourceVersion has left the history. @default 'reset'
   */
  dropWatches(mode?: 'reset' | 'end'): number;
  /** Ends watches and exec sockets, then stops the server. Never hangs on open streams. */
  close(): Promise<void>;
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
  const openWatches = new Map<() => void, http.ServerResponse>();
  const execEndpoint = createExecEndpoint({ store, exec: options.exec });
  let baseUrl = '';

  /** Throws 403 when RBAC is enforced and the request's user may not do this. */
  function checkAccess(request: http.IncomingMessage, attributes: ResourceAttributes): void {
    if (!options.enforceRbac) return;
    const user = requestUser(request);
    const decision = authorize(store, user, { kind: 'resource', ...attributes });
    if (!decision.allowed) {
      throw forbidden({
        user,
        verb: attributes.verb,
        resource: attributes.resource,
        group: attributes.group,
        ...(attributes.subresource ? { subresource: attributes.subresource } : {}),
        ...(attributes.namespace ? { namespace: attributes.namespace } : {}),
        ...(attributes.name ? { name: attributes.name } : {}),
      });
    }
  }

  const dependencies = {
    store,
    clock,
    ...(options.podLogs ? { podLogs: options.podLogs } : {}),
    trackWatch(end: () => void, response: http.ServerResponse) {
      openWatches.set(end, response);
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
      const openApi = openApiDocumentFor(path);
      if (openApi) return sendJson(response, 200, openApi);
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
    // Anyone may ask what they are allowed to do.
    if (target.definition.key !== 'authorization.k8s.io/selfsubjectaccessreviews') {
      checkAccess(request, {
        verb: requestVerb(method, target, url.searchParams),
        group: target.definition.group,
        resource: target.definition.plural,
        ...(target.subresource ? { subresource: target.subresource } : {}),
        ...(target.name ? { name: target.name } : {}),
        ...(target.namespace ? { namespace: target.namespace } : {}),
      });
    }
    await handleResourceCall(dependencies, target, request, response, url.searchParams);
  }

  /** Records a request in the log once its answer is finished (or its connection closed). */
  function logRequest(request: http.IncomingMessage, at: number, status: () => number): void {
    const log = options.requestLog;
    if (!log) return;
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const target = parseResourcePath(url.pathname);
    const resource = target && !('unknownResource' in target) ? target : undefined;
    const method = request.method ?? 'GET';
    const contentType = request.headers['content-type'];
    const body = method === 'GET' || method === 'HEAD' ? undefined : loggedBody(request);
    log.record({
      at,
      doneAt: clock.now(),
      user: requestUser(request),
      method,
      // An exec is a WebSocket GET, but what it does (and what RBAC checks) is create pods/exec.
      ...(resource ? { verb: resource.subresource === 'exec' ? 'create' : requestVerb(method, resource, url.searchParams), resource: resource.definition.plural } : {}),
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      ...(resource?.namespace ? { namespace: resource.namespace } : {}),
      ...(resource?.subresource ? { subresource: resource.subresource } : {}),
      ...(resource?.name ? { name: resource.name } : {}),
      status: status(),
      ...(body !== undefined ? { body } : {}),
      ...(contentType ? { contentType: String(contentType) } : {}),
    });
  }

  const server = http.createServer((request, response) => {
    const at = clock.now();
    let logged = false;
    const log = () => {
      if (logged) return;
      logged = true;
      logRequest(request, at, () => response.statusCode);
    };
    response.once('finish', log);
    response.once('close', log);
    route(request, response).catch((error: unknown) => sendError(response, error));
  });

  server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    authenticate(request);
    const at = clock.now();
    const url = new URL(request.url ?? '/', 'http://sandbox');
    if (!isExecPath(url.pathname)) {
      logRequest(request, at, () => 404);
      rejectUpgrade(socket, pageNotFound().status);
      return;
    }
    try {
      const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
      // Since Kubernetes 1.31 a WebSocket exec needs `create` on pods/exec, like a POST would.
      checkAccess(request, {
        verb: 'create',
        group: '',
        resource: 'pods',
        subresource: 'exec',
        namespace: decodeURIComponent(match?.[1] ?? ''),
        name: decodeURIComponent(match?.[2] ?? ''),
      });
      logRequest(request, at, () => 101);
      execEndpoint.handleUpgrade(request, socket, head);
    } catch (error) {
      const status = (StatusError.isInstance(error) ? error : internalError(String(error))).status;
      logRequest(request, at, () => status.code ?? 500);
      rejectUpgrade(socket, status);
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
    dropWatches(mode = 'reset') {
      const dropped = [...openWatches];
      openWatches.clear();
      for (const [end, response] of dropped) {
        if (mode === 'end') end();
        else response.destroy();
      }
      return dropped.length;
    },
    close() {
      for (const end of [...openWatches.keys()]) end();
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

/**
 * The services proxy, `/api/v1/namespaces/{ns}/services/{[scheme:]name[:port]}/proxy/{path}`.
 *
 * Sandbox services have no real endpoints, so a Service says where its ports really listen with an
 * annotation: `sandbox.autoheal.dev/upstream: http://127.0.0.1:PORT` for every port, or
 * `sandbox.autoheal.dev/upstream-<port name or number>` for one port. Only loopback upstreams are
 * used. When the Service's Endpoints object exists and lists no ready address, the proxy answers
 * 503 as the real API does for a service without endpoints.
 */
import http from 'node:http';
import type { KubeObject } from '../base/kube-types.js';
import type { ObjectStore } from '../store/types.js';
import { StatusError, notFound, serviceUnavailable } from '../base/status-error.js';

/** Annotation giving the upstream base URL of every port of a sandbox Service. */
export const upstreamAnnotation = 'sandbox.autoheal.dev/upstream';

/** Headers that belong to one connection and are never forwarded (RFC 9110 §7.6.1). */
const hopByHopHeaders = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  // The caller's API credentials are for the API server, not for the service behind it.
  'authorization',
]);

interface ServicePort {
  name?: string;
  port?: number;
}

/** Splits `http:web:8080`, `web:8080` or `web` into its parts. */
function parseServiceReference(reference: string): { scheme: string | undefined; name: string; port: string } {
  const parts = reference.split(':');
  if (parts.length >= 3) return { scheme: parts[0], name: parts[1] ?? '', port: parts.slice(2).join(':') };
  if (parts.length === 2) return { scheme: undefined, name: parts[0] ?? '', port: parts[1] ?? '' };
  return { scheme: undefined, name: reference, port: '' };
}

/** Finds the service port a proxy reference names (by name, by number, or the only/unnamed port). */
function findServicePort(service: KubeObject, portText: string): ServicePort | undefined {
  const ports = ((service.spec as { ports?: ServicePort[] } | undefined)?.ports ?? []);
  if (portText === '') return ports.find((port) => !port.name) ?? (ports.length === 1 ? ports[0] : undefined);
  if (/^\d+$/.test(portText)) return ports.find((port) => port.port === Number(portText));
  return ports.find((port) => port.name === portText);
}

/** The loopback upstream for a service port, from the annotations; undefined when none is set. */
function upstreamFor(service: KubeObject, port: ServicePort): URL | undefined {
  const annotations = service.metadata.annotations ?? {};
  const text =
    (port.name ? annotations[`${upstreamAnnotation}-${port.name}`] : undefined) ??
    (port.port !== undefined ? annotations[`${upstreamAnnotation}-${port.port}`] : undefined) ??
    annotations[upstreamAnnotation];
  if (!text) return undefined;
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return undefined;
    return url;
  } catch {
    return undefined;
  }
}

/** True when an Endpoints object exists for the service and has no ready address. */
function endpointsEmpty(store: ObjectStore, namespace: string, name: string): boolean {
  const endpoints = store.get('/endpoints', namespace, name);
  if (!endpoints) return false;
  const subsets = (endpoints.subsets as Array<{ addresses?: unknown[] }> | undefined) ?? [];
  return !subsets.some((subset) => (subset.addresses ?? []).length > 0);
}

/**
 * Forwards one request to the service's upstream and streams the answer back. Throws
 * `StatusError`s (404 unknown service, 503 no port/endpoint/upstream) before anything is written.
 */
export async function proxyToService(
  store: ObjectStore,
  target: { namespace: string; reference: string; subpath: string; search: string },
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const { name, port: portText } = parseServiceReference(target.reference);
  const service = store.get('/services', target.namespace, name);
  if (!service) throw notFound('services', '', name);
  const port = findServicePort(service, portText);
  if (!port) {
    throw serviceUnavailable(
      /^\d+$/.test(portText)
        ? `no service port ${portText} found for service "${name}"`
        : `no endpoints available for service "${target.reference}"`,
    );
  }
  const upstream = upstreamFor(service, port);
  if (!upstream || endpointsEmpty(store, target.namespace, name)) {
    throw serviceUnavailable(`no endpoints available for service "${name}"`);
  }

  const headers: http.OutgoingHttpHeaders = {};
  for (const [key, value] of Object.entries(request.headers)) {
    if (!hopByHopHeaders.has(key.toLowerCase()) && value !== undefined) headers[key] = value;
  }
  const basePath = upstream.pathname.replace(/\/$/, '');
  await new Promise<void>((resolve) => {
    const outgoing = http.request(
      {
        host: '127.0.0.1',
        port: upstream.port || 80,
        method: request.method,
        path: `${basePath}${target.subpath}${target.search}`,
        headers: { ...headers, host: upstream.host },
      },
      (incoming) => {
        const responseHeaders: http.OutgoingHttpHeaders = {};
        for (const [key, value] of Object.entries(incoming.headers)) {
          if (!hopByHopHeaders.has(key.toLowerCase()) && value !== undefined) responseHeaders[key] = value;
        }
        response.writeHead(incoming.statusCode ?? 502, responseHeaders);
        incoming.pipe(response);
        incoming.on('end', resolve);
        incoming.on('error', () => {
          response.destroy();
          resolve();
        });
      },
    );
    outgoing.on('error', (error) => {
      if (!response.headersSent) {
        const status = new StatusError(503, 'ServiceUnavailable', `error trying to reach service: ${error.message}`).status;
        response.writeHead(503, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(status));
      } else {
        response.destroy();
      }
      resolve();
    });
    request.pipe(outgoing);
  });
}

/**
 * The subresources of stored objects: `/status` (writes change only the status), `/scale` (an
 * autoscaling/v1 Scale with a resourceVersion precondition), `pods/log`, `services/proxy`, and the
 * answer to a plain-HTTP `pods/exec` (it needs a WebSocket upgrade).
 */
import type http from 'node:http';
import type { KubeObject } from '../base/kube-types.js';
import { StatusError, badRequest, conflict, invalid, methodNotAllowed } from '../base/status-error.js';
import { labelSelectorToString } from '../store/label-selector.js';
import { formatTime } from '../store/object-store.js';
import { prepareForUpdate, prepareStatusUpdate } from './api-strategy.js';
import { decodePatchBody, decodeRequestObject, mediaTypeOf, patchTypeOf, readBody } from './request-body.js';
import {
  type ResourceCall,
  type ResourceHandlerDependencies,
  applyPatchOfType,
  getStored,
  isDryRun,
  patchedObject,
  sendJson,
  toKubeObject,
} from './resource-call.js';
import { proxyToService } from './service-proxy.js';

/** Builds the autoscaling/v1 Scale view of a Deployment or ReplicaSet. */
function scaleOf(object: KubeObject): KubeObject {
  const spec = (object.spec ?? {}) as { replicas?: number; selector?: Parameters<typeof labelSelectorToString>[0] };
  const status = (object.status ?? {}) as { replicas?: number };
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      uid: object.metadata.uid,
      resourceVersion: object.metadata.resourceVersion,
      creationTimestamp: object.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: labelSelectorToString(spec.selector) },
  };
}


/** Serves a request for a subresource (or a 404 for one the resource does not have). */
export async function handleSubresource(
  dependencies: ResourceHandlerDependencies,
  call: ResourceCall,
  name: string,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  query: URLSearchParams,
  view: (object: KubeObject) => KubeObject,
): Promise<void> {
  const { store } = dependencies;
  const { definition, namespace, subresource } = call;
  const method = request.method ?? 'GET';

  if (subresource === 'status' && definition.subresources.includes('status')) {
    const stored = getStored(store, call, name);
    if (method === 'GET') {
      sendJson(response, 200, view(stored));
      return;
    }
    const dryRun = isDryRun(query);
    let requested: KubeObject;
    if (method === 'PUT') {
      const body = await decodeRequestObject(request, definition.kind);
      requested = toKubeObject(call, body);
    } else if (method === 'PATCH') {
      const patchType = patchTypeOf(mediaTypeOf(request));
      requested = patchedObject(call, stored, patchType, decodePatchBody(await readBody(request), patchType));
    } else {
      throw methodNotAllowed(`${definition.plural}/status`, definition.group, method.toLowerCase());
    }
    const next = prepareStatusUpdate(requested, stored);
    if (next.metadata.resourceVersion && next.metadata.resourceVersion !== stored.metadata.resourceVersion) {
      throw conflict(definition.plural, definition.group, name);
    }
    sendJson(response, 200, view(dryRun ? next : store.update(definition.key, next)));
    return;
  }

  if (subresource === 'scale' && definition.subresources.includes('scale')) {
    const stored = getStored(store, call, name);
    const current = scaleOf(stored);
    if (method === 'GET') {
      sendJson(response, 200, current);
      return;
    }
    const dryRun = isDryRun(query);
    let requested: Record<string, unknown>;
    if (method === 'PUT') {
      requested = await decodeRequestObject(request, 'Scale');
    } else if (method === 'PATCH') {
      const patchType = patchTypeOf(mediaTypeOf(request));
      requested = applyPatchOfType(patchType, current, decodePatchBody(await readBody(request), patchType)) as Record<string, unknown>;
    } else {
      throw methodNotAllowed(`${definition.plural}/scale`, definition.group, method.toLowerCase());
    }
    const requestedVersion = (requested.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
    if (requestedVersion && requestedVersion !== stored.metadata.resourceVersion) throw conflict(definition.plural, definition.group, name);
    const replicas = (requested.spec as { replicas?: unknown } | undefined)?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid('Scale', 'autoscaling', name, [
        { field: 'spec.replicas', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0` },
      ]);
    }
    const updated = structuredClone(stored);
    updated.spec = { ...(updated.spec as object), replicas };
    prepareForUpdate(definition, updated, stored);
    sendJson(response, 200, scaleOf(dryRun ? updated : store.update(definition.key, updated)));
    return;
  }

  if (subresource === 'log' && definition.key === '/pods' && method === 'GET') {
    const pod = getStored(store, call, name);
    const container = query.get('container') ?? undefined;
    const text = dependencies.podLogs
      ? await dependencies.podLogs({ namespace: namespace ?? '', pod: name, container })
      : `${formatTime(dependencies.clock.now())} sandbox: pod ${pod.metadata.name} is simulated; no real container output\n`;
    response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
    response.end(text);
    return;
  }

  if (subresource === 'proxy' && definition.key === '/services') {
    const search = new URL(request.url ?? '/', 'http://sandbox').search;
    await proxyToService(store, { namespace: namespace ?? '', reference: name, subpath: call.subpath ?? '/', search }, request, response);
    return;
  }

  if (subresource === 'exec' && definition.key === '/pods') {
    throw badRequest('Upgrade request required');
  }

  throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {
    causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }],
  });
}

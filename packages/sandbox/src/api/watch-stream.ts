/**
 * `?watch=true` streams: newline-delimited `{"type","object"}` JSON over a chunked 200 response,
 * starting after a resourceVersion (or with synthetic ADDED events for the current state), honouring
 * label and field selectors, and ending with an ERROR event carrying 410 Expired when the requested
 * resourceVersion is older than the store's history.
 */
import type http from 'node:http';
import { matchesFieldSelector, parseFieldSelector } from '../store/field-selector.js';
import { matchesLabelSelector, parseLabelSelector } from '../store/label-selector.js';
import type { KubeObject } from '../base/kube-types.js';
import type { ObjectStore, StoreEvent } from '../store/types.js';
import type { ResourceDefinition } from './resource-registry.js';
import { StatusError } from '../base/status-error.js';

/** What a watch request asks for. */
export interface WatchRequest {
  definition: ResourceDefinition;
  /** Only objects in this namespace; `undefined` for all namespaces or cluster-scoped resources. */
  namespace: string | undefined;
  resourceVersion: string | undefined;
  labelSelector: string | undefined;
  fieldSelector: string | undefined;
  /** End the stream after this many seconds. */
  timeoutSeconds: number | undefined;
  /** Rewrites each event's object before it is sent (`kubectl get -w` wants Table rows). */
  present?: (object: KubeObject) => unknown;
}

/**
 * Starts a watch stream on `response`. Selector errors are thrown (as a 400 `StatusError`) before
 * anything is written. Returns a function that ends the stream (used on server close).
 */
export function serveWatch(
  store: ObjectStore,
  watch: WatchRequest,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): () => void {
  const labelSelector = parseLabelSelector(watch.labelSelector);
  const fieldSelector = parseFieldSelector(watch.definition.key, watch.fieldSelector);
  const matches = (object: KubeObject | undefined): boolean =>
    object !== undefined &&
    (watch.namespace === undefined || object.metadata.namespace === watch.namespace) &&
    matchesLabelSelector(labelSelector, object.metadata.labels) &&
    matchesFieldSelector(fieldSelector, object);

  response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  response.flushHeaders();

  let ended = false;
  let unsubscribe: () => void = () => {};
  let timer: NodeJS.Timeout | undefined;
  const end = (): void => {
    if (ended) return;
    ended = true;
    unsubscribe();
    if (timer) clearTimeout(timer);
    response.end();
  };
  const send = (type: string, object: unknown): void => {
    if (ended) return;
    const presented = type !== 'ERROR' && watch.present ? watch.present(object as KubeObject) : object;
    response.write(`${JSON.stringify({ type, object: presented })}\n`);
  };

  /** Turns a store write into what this watcher sees, including selector transitions. */
  const deliver = (event: StoreEvent): void => {
    if (event.resource !== watch.definition.key) return;
    const nowMatches = event.type !== 'DELETED' && matches(event.object);
    const matchedBefore = event.type === 'DELETED' ? matches(event.object) : matches(event.oldObject);
    if (event.type === 'ADDED' && nowMatches) send('ADDED', event.object);
    else if (event.type === 'DELETED' && matchedBefore) send('DELETED', event.object);
    else if (event.type === 'MODIFIED') {
      if (nowMatches && matchedBefore) send('MODIFIED', event.object);
      else if (nowMatches) send('ADDED', event.object);
      else if (matchedBefore && event.oldObject) {
        // The object left the selection: the watcher sees it deleted, at the new resourceVersion.
        const left = structuredClone(event.oldObject);
        left.metadata.resourceVersion = event.object.metadata.resourceVersion;
        send('DELETED', left);
      }
    }
  };

  const fromVersion = watch.resourceVersion;
  if (fromVersion === undefined || fromVersion === '' || fromVersion === '0') {
    for (const object of store.list(watch.definition.key, watch.namespace).items) {
      if (matches(object)) send('ADDED', object);
    }
  } else {
    let replay: StoreEvent[];
    try {
      replay = store.eventsSince(fromVersion);
    } catch (error) {
      if (StatusError.isInstance(error)) {
        send('ERROR', error.status);
        end();
        return end;
      }
      throw error;
    }
    for (const event of replay) deliver(event);
  }
  // No await between the replay and the subscription, so no write can fall between them.
  unsubscribe = store.subscribe(deliver);

  if (watch.timeoutSeconds !== undefined && watch.timeoutSeconds > 0) {
    timer = setTimeout(end, watch.timeoutSeconds * 1000);
  }
  request.on('close', end);
  response.on('close', end);
  return end;
}

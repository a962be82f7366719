/**
 * The one event recorder of the simulated cluster: the Deployment controller, the HPA and the
 * kubelet write their Events through it. Events are named as client-go names them
 * (`<object>.<unix nanoseconds in hex>`), carry the source and reporting component, and expire
 * after the API server's default TTL of one hour. An aggregated Event (the kubelet's `BackOff`)
 * is counted on one object (`count`, `lastTimestamp`) as the real event correlator does.
 */
import type { KubeObject } from '../base/kube-types.js';
import { formatKubeTime } from '../base/kube-time.js';
import type { SandboxClock } from '../base/sandbox-clock.js';
import type { ObjectStore } from '../store/types.js';

/** How long Events are kept, as the API server's default event TTL. */
const eventTimeToLiveMs = 60 * 60 * 1000;

/** The object an Event is about (`involvedObject`). */
export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid: string | undefined;
  resourceVersion?: string;
  fieldPath?: string;
}

/** One Event to record. */
export interface EventSpec {
  involvedObject: InvolvedObject;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** The component that reports it, e.g. `deployment-controller` or `kubelet`. */
  component: string;
  /** The node, for the kubelet's Events. */
  host?: string;
  /**
   * Count repeats of the same Event (same object, reason and message) on one Event object
   * instead of creating a new one. @default false
   */
  aggregate?: boolean;
}

/** Records and expires Events; driven by the simulation. */
export interface EventRecorder {
  record(event: EventSpec): void;
  /** Deletes Events whose last occurrence is older than the one-hour TTL. */
  expire(): void;
}

interface KeptEvent {
  namespace: string;
  name: string;
  count: number;
  last: number;
}

/** Creates the recorder. */
export function createEventRecorder(options: { store: ObjectStore; clock: SandboxClock }): EventRecorder {
  const { store, clock } = options;
  /** Event name → what expiry needs, in creation order. */
  const kept = new Map<string, KeptEvent>();
  /** Aggregation key → the Event name counting those repeats. */
  const aggregated = new Map<string, string>();
  let sequence = 0;

  function aggregationKey(event: EventSpec): string {
    const object = event.involvedObject;
    return [object.namespace, object.kind, object.name, object.uid ?? '', event.component, event.reason, event.message].join('\u0000');
  }

  return {
    record(event) {
      const now = clock.now();
      const key = event.aggregate ? aggregationKey(event) : undefined;
      const existingName = key === undefined ? undefined : aggregated.get(key);
      const existing = existingName === undefined ? undefined : kept.get(existingName);
      const stored = existing ? store.get('/events', existing.namespace, existing.name) : undefined;
      if (existing && stored) {
        existing.count += 1;
        existing.last = now;
        store.update('/events', { ...stored, count: existing.count, lastTimestamp: formatKubeTime(now) });
        return;
      }
      sequence += 1;
      const { involvedObject } = event;
      const name = `${involvedObject.name}.${(BigInt(now) * 1_000_000n + BigInt(sequence % 1_000_000)).toString(16)}`;
      const namespace = involvedObject.namespace;
      const timestamp = formatKubeTime(now);
      const object: KubeObject = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: Object.fromEntries(Object.entries(involvedObject).filter(([, value]) => value !== undefined)),
        type: event.type,
        reason: event.reason,
        message: event.message,
        source: event.host === undefined ? { component: event.component } : { component: event.component, host: event.host },
        reportingComponent: event.component,
        reportingInstance: event.host ?? '',
        firstTimestamp: timestamp,
        lastTimestamp: timestamp,
        count: 1,
      };
      store.create('/events', object);
      kept.set(name, { namespace, name, count: 1, last: now });
      if (key !== undefined) aggregated.set(key, name);
    },
    expire() {
      const cutoff = clock.now() - eventTimeToLiveMs;
      for (const [name, event] of kept) {
        if (event.last >= cutoff) continue;
        kept.delete(name);
        if (store.get('/events', event.namespace, event.name)) store.delete('/events', event.namespace, event.name);
      }
      for (const [key, name] of aggregated) if (!kept.has(name)) aggregated.delete(key);
    },
  };
}

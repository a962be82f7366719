import { describe, expect, it } from 'vitest';
import { StatusError } from '../base/status-error.js';
import { createObjectStore } from './object-store.js';
import type { KubeObject } from '../base/kube-types.js';
import type { StoreEvent } from './types.js';

const clock = { now: () => Date.parse('2026-01-01T00:00:00Z') };

function pod(name: string, labels: Record<string, string> = {}, extra: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'prod', labels }, spec: { containers: [] }, ...extra };
}

function statusOf(action: () => unknown): { code: number; reason: string; message: string } {
  try {
    action();
  } catch (error) {
    if (StatusError.isInstance(error)) return error.status;
    throw error;
  }
  throw new Error('expected a StatusError');
}

describe('createObjectStore', () => {
  it('assigns uid, resourceVersion, creationTimestamp and generation on create', () => {
    const store = createObjectStore({ clock });
    const created = store.create('/pods', pod('a'));
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.creationTimestamp).toBe('2026-01-01T00:00:00Z');
    expect(created.metadata.generation).toBe(1);
    expect(created.metadata.resourceVersion).toBe(store.currentResourceVersion());
  });

  it('names objects from generateName', () => {
    const store = createObjectStore({ clock });
    const created = store.create('/pods', { ...pod(''), metadata: { name: '', generateName: 'web-', namespace: 'prod' } });
    expect(created.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('rejects duplicates with 409 AlreadyExists', () => {
    const store = createObjectStore({ clock });
    store.create('/pods', pod('a'));
    expect(statusOf(() => store.create('/pods', pod('a')))).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'pods "a" already exists' });
  });

  it('rejects a stale resourceVersion on update with 409 Conflict', () => {
    const store = createObjectStore({ clock });
    const created = store.create('apps/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'prod' }, spec: {} });
    store.update('apps/deployments', { ...created, spec: { replicas: 2 } });
    const status = statusOf(() => store.update('apps/deployments', { ...created, spec: { replicas: 3 } }));
    expect(status).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(status.message).toContain('Operation cannot be fulfilled on deployments.apps "web"');
  });

  it('does not bump the resourceVersion for an update that changes nothing', () => {
    const store = createObjectStore({ clock });
    const created = store.create('/pods', pod('a'));
    const same = store.update('/pods', created);
    expect(same.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
  });

  it('lists with label and field selectors', () => {
    const store = createObjectStore({ clock });
    store.create('/pods', pod('a', { app: 'web', tier: 'front' }));
    store.create('/pods', pod('b', { app: 'web' }));
    store.create('/pods', pod('c', { app: 'db' }));
    const names = (options: { labelSelector?: string; fieldSelector?: string }) =>
      store.list('/pods', 'prod', options).items.map((item) => item.metadata.name);
    expect(names({ labelSelector: 'app=web' })).toEqual(['a', 'b']);
    expect(names({ labelSelector: 'app in (web,db),!tier' })).toEqual(['b', 'c']);
    expect(names({ labelSelector: 'app!=web' })).toEqual(['c']);
    expect(names({ fieldSelector: 'metadata.name=b' })).toEqual(['b']);
    expect(statusOf(() => names({ fieldSelector: 'spec.bogus=1' }))).toMatchObject({ code: 400, message: 'field label not supported: spec.bogus' });
    expect(statusOf(() => names({ labelSelector: 'app in (web' }))).toMatchObject({ code: 400 });
  });

  it('cascades deletes along ownerReferences and keeps orphans on Orphan', () => {
    const store = createObjectStore({ clock });
    const deployment = store.create('apps/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'prod' }, spec: {} });
    const owner = (object: KubeObject) => [{ apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, uid: object.metadata.uid ?? '', controller: true }];
    const replicaSet = store.create('apps/replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'prod', ownerReferences: owner(deployment) }, spec: {} });
    store.create('/pods', { ...pod('web-1-x'), metadata: { name: 'web-1-x', namespace: 'prod', ownerReferences: owner(replicaSet) } });
    store.delete('apps/deployments', 'prod', 'web');
    expect(store.list('apps/replicasets').items).toEqual([]);
    expect(store.list('/pods').items).toEqual([]);

    const second = store.create('apps/replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-2', namespace: 'prod' }, spec: {} });
    store.create('/pods', { ...pod('web-2-x'), metadata: { name: 'web-2-x', namespace: 'prod', ownerReferences: owner(second) } });
    store.delete('apps/replicasets', 'prod', 'web-2', { propagationPolicy: 'Orphan' });
    expect(store.get('/pods', 'prod', 'web-2-x')?.metadata.ownerReferences).toBeUndefined();
  });

  it('delivers events in write order and replays history, 410 once dropped', () => {
    const store = createObjectStore({ clock, historyLimit: 2 });
    const seen: StoreEvent[] = [];
    store.subscribe((event) => seen.push(event));
    const start = store.currentResourceVersion();
    const created = store.create('/pods', pod('a'));
    store.update('/pods', { ...created, metadata: { ...created.metadata, labels: { x: 'y' } } });
    expect(store.eventsSince(start).map((event) => event.type)).toEqual(['ADDED', 'MODIFIED']);
    store.delete('/pods', 'prod', 'a');
    expect(seen.map((event) => event.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(seen[2]?.object.metadata.resourceVersion).toBe(store.currentResourceVersion());
    expect(statusOf(() => store.eventsSince(start))).toMatchObject({ code: 410, reason: 'Expired' });
  });
});

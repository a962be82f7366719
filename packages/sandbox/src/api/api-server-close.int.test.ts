import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { createObjectStore } from '../store/object-store.js';
import { createApiServer } from './api-server.js';

describe('createApiServer close()', () => {
  it('returns promptly with an exec session whose command never finishes and a watch still open', async () => {
    const clock = { now: () => Date.now() };
    const store = createObjectStore({ clock });
    store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' }, spec: {} });
    store.create('/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'prod' }, spec: { containers: [{ name: 'app', image: 'x' }] } });
    const api = createApiServer({ store, clock, exec: () => new Promise(() => undefined) });
    const url = await api.listen(0, '127.0.0.1');

    const socket = new WebSocket(`${url.replace('http', 'ws')}/api/v1/namespaces/prod/pods/p/exec?command=sleep&stdout=true`, ['v5.channel.k8s.io']);
    const socketClosed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      socket.on('message', () => resolve());
      socket.on('error', reject);
    });
    const watch = await fetch(`${url}/api/v1/namespaces/prod/pods?watch=true`);
    const watchBody = watch.text();

    const started = Date.now();
    await api.close();
    await socketClosed;
    await watchBody;
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

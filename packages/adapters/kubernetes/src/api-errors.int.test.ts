/**
 * Error paths over real HTTP: a tiny server that answers every request with one Kubernetes Status,
 * so client-node's real ApiException is what the healer has to wrap.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AutohealError, HealingError } from '@autoheal/core';
import { ApiException } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubernetesHealer } from './kubernetes-healer.js';

const target = { namespace: 'prod', kind: 'Deployment' as const, name: 'web' };
let server: http.Server | undefined;

async function statusServer(code: number, reason: string, message: string, delayMs = 0): Promise<string> {
  server = http.createServer((request, response) => {
    setTimeout(() => {
      response.writeHead(code, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function kubeconfigFor(url: string): string {
  return `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${url}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function caught(promise: Promise<unknown>): Promise<AutohealError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException) throw new Error('ApiException leaked');
    if (!AutohealError.isInstance(error)) throw error;
    return error;
  }
  throw new Error('expected a rejection');
}

describe('API errors over HTTP', () => {
  it('a 403 on reading the Deployment names the verb, the resource and the RBAC rule', async () => {
    const url = await statusServer(403, 'Forbidden', 'deployments.apps "web" is forbidden: User "u" cannot get resource "deployments"');
    const healer = createKubernetesHealer({ kubeconfigYaml: kubeconfigFor(url) });

    const error = await caught(healer.readState(target));

    expect(error.code).toBe('ADAPTER_FAILED');
    expect(error.message).toContain('[autoheal] [kubernetes] get deployments.apps "web" in namespace "prod" is forbidden (403)');
    expect(error.message).toContain('{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["get"] }');
  });

  it('a 404 says to check the namespace and name', async () => {
    const url = await statusServer(404, 'NotFound', 'deployments.apps "web" not found');
    const healer = createKubernetesHealer({ kubeconfigYaml: kubeconfigFor(url) });

    const error = await caught(healer.plan(target, { kind: 'restart', scaleUp: false }, 1));

    expect(error.message).toMatch(/not found \(404\): deployments.apps "web" not found; check the target's namespace and name/);
  });

  it('a slow server hits requestTimeoutMs and is reported as retryable', async () => {
    const url = await statusServer(200, '', '', 2_000);
    const healer = createKubernetesHealer({ kubeconfigYaml: kubeconfigFor(url), requestTimeoutMs: 200 });

    const error = await caught(healer.readState(target));

    expect(error.retryable).toBe(true);
    expect(error.message).toContain('timed out; check that the API server is reachable, or raise requestTimeoutMs');
  });

  it('apply of a refused plan throws HEALING_REFUSED without calling the API', async () => {
    const url = await statusServer(500, 'InternalError', 'must not be called');
    const healer = createKubernetesHealer({ kubeconfigYaml: kubeconfigFor(url) });
    const plan = { step: { kind: 'rollback' as const }, attempt: 3, operations: [], refusal: 'no rollout history found for deployment "web"' };

    const error = await caught(healer.apply(target, plan));

    expect(error).toBeInstanceOf(HealingError);
    expect(error.code).toBe('HEALING_REFUSED');
    expect(error.message).toContain('no rollout history found');
  });
});

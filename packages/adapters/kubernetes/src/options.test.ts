import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutohealError, ConfigError } from '@autoheal/core';
import { ApiException } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrapApiError } from './api-call.js';
import { createKubernetesHealer } from './kubernetes-healer.js';
import { createLeaderElector } from './leader-elector.js';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: one
  cluster: { server: "http://127.0.0.1:1", insecure-skip-tls-verify: true }
- name: two
  cluster: { server: "http://127.0.0.1:2", insecure-skip-tls-verify: true }
users:
- name: me
  user: { token: abc }
contexts:
- name: first
  context: { cluster: one, user: me }
- name: second
  context: { cluster: two, user: me }
current-context: first
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autoheal-k8s-options-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createKubernetesHealer options', () => {
  it('loads a kubeconfig from a YAML string and selects the given context', () => {
    const healer = createKubernetesHealer({ kubeconfigYaml: KUBECONFIG, context: 'second' });

    expect(healer.kubeConfig.getCurrentCluster()?.server).toBe('http://127.0.0.1:2');
  });

  it('loads a kubeconfig from a file path', async () => {
    const path = join(dir, 'kubeconfig');
    await writeFile(path, KUBECONFIG);

    const healer = createKubernetesHealer({ kubeconfigPath: path });

    expect(healer.kubeConfig.getCurrentCluster()?.server).toBe('http://127.0.0.1:1');
  });

  it('follows the default loading rules ($KUBECONFIG) when no source is given', async () => {
    const path = join(dir, 'from-env');
    await writeFile(path, KUBECONFIG.replace('current-context: first', 'current-context: second'));
    const previous = process.env['KUBECONFIG'];
    process.env['KUBECONFIG'] = path;
    try {
      const healer = createKubernetesHealer();

      expect(healer.kubeConfig.getCurrentCluster()?.server).toBe('http://127.0.0.1:2');
    } finally {
      if (previous === undefined) delete process.env['KUBECONFIG'];
      else process.env['KUBECONFIG'] = previous;
    }
  });

  it('names the available contexts when the context does not exist', () => {
    expect(() => createKubernetesHealer({ kubeconfigYaml: KUBECONFIG, context: 'prod' })).toThrow(
      /context "prod" is not in .*available contexts: first, second/,
    );
  });

  it('says how to fix a missing kubeconfig file', () => {
    let error: unknown;
    try {
      createKubernetesHealer({ kubeconfigPath: join(dir, 'missing') });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^\[autoheal\] \[kubernetes\] could not load a kubeconfig: .*set kubeconfigPath/);
  });

  it('rejects two kubeconfig sources and wrong types with a field-by-field ConfigError', () => {
    expect(() => createKubernetesHealer({ kubeconfigYaml: KUBECONFIG, inCluster: true })).toThrow(/set only one of kubeconfigPath/);
    expect(() => createKubernetesHealer({ kubeconfigYaml: KUBECONFIG, requestTimeoutMs: -1 })).toThrow(/requestTimeoutMs/);
  });

  it('rejects leader election timings client-go would reject', () => {
    expect(() =>
      createLeaderElector({ kubeconfigYaml: KUBECONFIG, namespace: 'a', name: 'b', identity: 'c', leaseDurationMs: 5000, renewDeadlineMs: 6000 }),
    ).toThrow(/renewDeadlineMs: must be less than leaseDurationMs/);
  });
});

describe('API error wrapping', () => {
  const call = { verb: 'patch' as const, group: 'apps', resource: 'deployments/scale', namespace: 'prod', name: 'web' };
  const status = (code: number, reason: string, message: string) =>
    new ApiException(code, 'Unknown API Status Code!', JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code }), {});

  it('turns a 403 into an AdapterError that names the RBAC rule to add, without leaking ApiException', () => {
    const error = wrapApiError(status(403, 'Forbidden', 'deployments.apps "web" is forbidden'), call);

    expect(AutohealError.isInstance(error)).toBe(true);
    expect(error).not.toBeInstanceOf(ApiException);
    expect(error.code).toBe('ADAPTER_FAILED');
    expect(error.message).toContain('[autoheal] [kubernetes] patch deployments/scale.apps "web" in namespace "prod" is forbidden (403)');
    expect(error.message).toContain('{ apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["patch"] }');
  });

  it('marks 409 and 5xx retryable and 422 as a failed healing with the server message', () => {
    expect(wrapApiError(status(409, 'Conflict', 'the object has been modified'), call).retryable).toBe(true);
    expect(wrapApiError(status(503, 'ServiceUnavailable', 'try later'), call).retryable).toBe(true);
    const invalid = wrapApiError(status(422, 'Invalid', 'spec.replicas: Invalid value: -1'), call);
    expect(invalid.code).toBe('HEALING_FAILED');
    expect(invalid.message).toContain('spec.replicas: Invalid value: -1');
  });
});

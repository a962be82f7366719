/**
 * Test support for the API's integration tests: a real server on an ephemeral port, a kubeconfig in
 * a temp dir, a client-node `KubeConfig`, and a fake `ExecHandler`. Not part of the package's entry.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, KubeConfig } from '@kubernetes/client-node';
import { createObjectStore } from '../src/store/object-store.js';
import type { ExecHandler } from '../src/base/exec-handler.js';
import type { KubeObject } from '../src/base/kube-types.js';
import type { ObjectStore } from '../src/store/types.js';
import { createApiServer, type ApiServer } from '../src/api/api-server.js';
import { writeKubeconfig } from '../src/api/kubeconfig.js';
import { notFound } from '../src/base/status-error.js';

/**
 * A fake exec: `echo a b` prints `a b\n`; `cat` prints its stdin; `exit N` writes `exiting N\n` to stderr and exits N;
 * `missing` throws a 404 like an unknown container.
 */
export const fakeExec: ExecHandler = async ({ command, stdin }) => {
  const [program, ...args] = command;
  if (program === 'echo') return { stdout: `${args.join(' ')}\n`, stderr: '', exitCode: 0 };
  if (program === 'cat') return { stdout: stdin ?? '', stderr: '', exitCode: 0 };
  if (program === 'exit') return { stdout: '', stderr: `exiting ${args[0]}\n`, exitCode: Number(args[0]) };
  if (program === 'missing') throw notFound('containers', '', 'missing');
  return { stdout: '', stderr: `${program}: not found\n`, exitCode: 127 };
};

/** A running test API with everything needed to talk to it. */
export interface TestApi {
  store: ObjectStore;
  api: ApiServer;
  url: string;
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  close(): Promise<void>;
}

/** Starts an API server with namespaces `default` and `prod` and a kubeconfig defaulting to `prod`. */
export async function startTestApi(options: { historyLimit?: number; enforceRbac?: boolean; token?: string } = {}): Promise<TestApi> {
  const clock = { now: () => Date.now() };
  const store = createObjectStore({ clock, ...(options.historyLimit ? { historyLimit: options.historyLimit } : {}) });
  for (const name of ['default', 'prod']) {
    store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: {}, status: { phase: 'Active' } });
  }
  const api = createApiServer({ store, clock, exec: fakeExec, enforceRbac: options.enforceRbac ?? false });
  const url = await api.listen(0, '127.0.0.1');
  const directory = await mkdtemp(join(tmpdir(), 'autoheal-api-'));
  const kubeconfigPath = join(directory, 'kubeconfig');
  await writeKubeconfig(kubeconfigPath, url, { namespace: 'prod', token: options.token ?? 'alice:test' });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return {
    store,
    api,
    url,
    kubeconfigPath,
    kubeConfig,
    async close() {
      await api.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** A valid apps/v1 Deployment manifest. */
export function deploymentManifest(name: string, options: { replicas?: number; labels?: Record<string, string> } = {}): KubeObject {
  const labels = options.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'prod', labels },
    spec: {
      ...(options.replicas !== undefined ? { replicas: options.replicas } : {}),
      selector: { matchLabels: { app: labels.app ?? name } },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: 'nginx:1.25', env: [{ name: 'MODE', value: 'a' }] }] },
      },
    },
  };
}

/** Sends a raw HTTP request and returns the status code and the parsed JSON (or text) body. */
export async function rawRequest(
  url: string,
  method: string,
  path: string,
  body?: string,
  contentType = 'application/json',
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': contentType, authorization: 'Bearer alice' },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (logs): keep the text.
  }
  return { status: response.status, body: parsed };
}

/** Runs `action`, expecting an ApiException, and returns its code and parsed Status body. */
export async function apiError(action: () => Promise<unknown>): Promise<{ code: number; status: any }> {
  try {
    await action();
  } catch (error) {
    if (error instanceof ApiException) {
      return { code: error.code, status: typeof error.body === 'string' ? JSON.parse(error.body) : error.body };
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}

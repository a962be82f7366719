/**
 * Kubeconfig files that point kubectl and @kubernetes/client-node at a sandbox API server.
 */
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

/** Options of `kubeconfigYaml` and `writeKubeconfig`. */
export interface KubeconfigOptions {
  /**
   * Bearer token sent by clients; the sandbox maps it to a user name (see `userFromToken`).
   * @default 'sandbox-admin'
   */
  token?: string;
  /**
   * Name of the user entry in the file.
   * @default 'sandbox-admin'
   */
  user?: string;
  /** Default namespace of the context. */
  namespace?: string;
  /**
   * Name of the context (and of the cluster entry).
   * @default 'autoheal-sandbox'
   */
  context?: string;
}

/**
 * Renders a kubeconfig with one cluster (`insecure-skip-tls-verify: true`, which client-node needs
 * for an `http://` server), one bearer-token user and one current context.
 *
 * @example
 * const yaml = kubeconfigYaml('http://127.0.0.1:6443', { namespace: 'prod' });
 */
export function kubeconfigYaml(serverUrl: string, options: KubeconfigOptions = {}): string {
  const token = options.token ?? 'sandbox-admin';
  const user = options.user ?? 'sandbox-admin';
  const context = options.context ?? 'autoheal-sandbox';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: context, cluster: { server: serverUrl, 'insecure-skip-tls-verify': true } }],
    users: [{ name: user, user: { token } }],
    contexts: [
      {
        name: context,
        context: { cluster: context, user, ...(options.namespace ? { namespace: options.namespace } : {}) },
      },
    ],
    'current-context': context,
    preferences: {},
  });
}

/** Writes `kubeconfigYaml(serverUrl, options)` to `path` (mode 0600, as kubectl does). */
export async function writeKubeconfig(path: string, serverUrl: string, options: KubeconfigOptions = {}): Promise<void> {
  await writeFile(path, kubeconfigYaml(serverUrl, options), { mode: 0o600 });
}

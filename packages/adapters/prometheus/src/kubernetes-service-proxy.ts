/**
 * Reaching an in-cluster Prometheus through the Kubernetes API server's service proxy
 * (`/api/v1/namespaces/{ns}/services/{name}:{port}/proxy/...`) with a kubeconfig's credentials and
 * TLS settings: no port-forward, no route from autoheal to the Prometheus pod, only to the API
 * server. `createKubernetesServiceProxy` turns a service reference and a kubeconfig into the
 * `{ url, dispatcher, headers }` the Prometheus HTTP client needs, and explains the API server's
 * own failures (403, 404, 503 Statuses) in terms of the service reference.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, errorMessage } from '@autoheal/core';
import { KubeConfig, type Cluster, type User } from '@kubernetes/client-node';
import { Agent, type Dispatcher } from 'undici';
import { z } from 'zod';

const COMPONENT = 'prometheus';

/** Schema of {@link KubernetesServiceReference}. */
export const kubernetesServiceReferenceSchema = z.strictObject({
  /** Namespace of the Service, e.g. `monitoring`. */
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name such as "monitoring"'),
  /** Name of the Service, e.g. `prometheus-operated`. */
  name: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a service name such as "prometheus-operated"'),
  /** Service port: its number (`9090`) or its name (`web`). */
  port: z.union([z.number().int().min(1).max(65535), z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a port number or a port name such as "web"')]),
  /** Scheme the API server uses to reach the pod. @default 'http' */
  scheme: z.enum(['http', 'https']).optional(),
});

/** An in-cluster Service, e.g. `{ namespace: 'monitoring', name: 'prometheus-operated', port: 9090 }`. */
export type KubernetesServiceReference = z.input<typeof kubernetesServiceReferenceSchema>;

/** Where the kubeconfig comes from; at most one of `kubeconfigPath`, `kubeconfigYaml`, `kubeConfig`, `inCluster`. */
export interface KubeconfigSource {
  /** Path of a kubeconfig file. */
  kubeconfigPath?: string | undefined;
  /** A kubeconfig document as text. */
  kubeconfigYaml?: string | undefined;
  /** A loaded client-node `KubeConfig` (not modified). */
  kubeConfig?: KubeConfig | undefined;
  /** Use the pod's service account (token, CA and `KUBERNETES_SERVICE_HOST`). */
  inCluster?: boolean | undefined;
  /** Context to use instead of the current one. */
  context?: string | undefined;
}

/** Options of {@link createKubernetesServiceProxy}. With no kubeconfig source the default rules apply (`KUBECONFIG`, `~/.kube/config`, in-cluster). */
export interface KubernetesServiceProxyOptions extends KubeconfigSource {
  service: KubernetesServiceReference;
}

/** What the Prometheus client needs to talk to Prometheus through the API server. */
export interface KubernetesServiceProxy {
  /** Base URL of Prometheus behind the proxy, e.g. `https://api:6443/api/v1/namespaces/monitoring/services/prometheus-operated:9090/proxy`. */
  readonly url: string;
  /** Connects with the kubeconfig's TLS settings and adds its credentials to every request. */
  readonly dispatcher: Dispatcher;
  /** Extra static headers (none today: credentials are added per request, so rotated tokens are picked up). */
  readonly headers: Record<string, string>;
  /** `namespace/name`, for messages. */
  readonly serviceName: string;
  /** The path segment naming the service in proxy URLs, and the name RBAC checks: `prometheus-operated:9090`. */
  readonly proxyReference: string;
  /**
   * Explains an error answer written by the API server itself (a `Status` body) in terms of the
   * service; `undefined` for answers that came from Prometheus through the proxy.
   */
  explainFailure(status: number, body: string, method: string): { message: string; retryable: boolean } | undefined;
  /** Closes the connection pool. */
  close(): Promise<void>;
}

/**
 * Builds the URL, dispatcher and error explanations for reading Prometheus through the Kubernetes
 * API's service proxy. Credentials (bearer token, token file, exec plugin, basic auth) are resolved
 * by client-node before every request, so rotated service-account tokens and short-lived exec
 * tokens (EKS, GKE) keep working; client certificates, the CA and skip-verify go to the TLS connector.
 *
 * @example
 * const proxy = createKubernetesServiceProxy({
 *   service: { namespace: 'monitoring', name: 'prometheus-operated', port: 9090 },
 *   kubeconfigPath: '/home/me/.kube/config',
 * });
 * // proxy.url -> https://api.example:6443/api/v1/namespaces/monitoring/services/prometheus-operated:9090/proxy
 */
export function createKubernetesServiceProxy(options: KubernetesServiceProxyOptions): KubernetesServiceProxy {
  const parsed = kubernetesServiceReferenceSchema.safeParse(options.service);
  if (!parsed.success) {
    throw new ConfigError(`invalid service reference ${JSON.stringify(options.service)}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`, { component: COMPONENT });
  }
  const service = parsed.data;
  const kubeConfig = loadKubeConfig(options);
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) {
    throw new ConfigError(`the kubeconfig has no cluster for context "${kubeConfig.getCurrentContext()}": set a context whose cluster has a server URL (kubectl config get-contexts), or pass context`, { component: COMPONENT });
  }
  if (cluster.server.startsWith('http://') && !cluster.skipTLSVerify) {
    // client-node refuses to build credentials for such a cluster; say so before the first query.
    throw new ConfigError(`the kubeconfig cluster "${cluster.name}" has a plain http:// server (${cluster.server}) without insecure-skip-tls-verify: true, which @kubernetes/client-node requires for http:// servers; set it, or use the https:// address`, { component: COMPONENT });
  }
  // The API server's default scheme is http; leaving it out keeps the path segment (which is also
  // the name RBAC checks for services/proxy) equal to "name:port", as the RBAC component grants it.
  const proxyReference = `${service.scheme === 'https' ? 'https:' : ''}${service.name}:${service.port}`;
  const serviceName = `${service.namespace}/${service.name}`;
  const url = `${cluster.server.replace(/\/+$/, '')}/api/v1/namespaces/${service.namespace}/services/${proxyReference}/proxy`;

  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 16, connect: tlsOptions(cluster, kubeConfig.getCurrentUser()) });
  const dispatcher = agent.compose((dispatch) => (requestOptions, handler) => {
    credentialHeaders(kubeConfig).then(
      (credentials) => dispatch({ ...requestOptions, headers: withHeaders(requestOptions.headers, credentials) }, handler),
      (error: unknown) => {
        const failure = new ConfigError(`cannot get credentials for the Kubernetes API from the kubeconfig (user "${kubeConfig.getCurrentUser()?.name ?? 'none'}"): ${errorMessage(error)}. Check the user entry (token file, exec plugin) of context "${kubeConfig.getCurrentContext()}".`, { component: COMPONENT, cause: error });
        // Handlers seen by an interceptor use the controller API; older ones only have onError.
        const errorHandler = handler as Dispatcher.DispatchHandler & { onError?: (error: Error) => void };
        if (errorHandler.onResponseError) errorHandler.onResponseError(undefined as never, failure);
        else errorHandler.onError?.(failure);
      },
    );
    return true;
  });

  return {
    url,
    dispatcher,
    headers: {},
    serviceName,
    proxyReference,
    explainFailure: (status, body, method) => explainStatus({ status, body, method, service, serviceName, proxyReference, server: cluster.server, user: kubeConfig.getCurrentUser()?.name }),
    close: () => agent.close(),
  };
}

/** Loads the kubeconfig from the one source given, or by the default rules. */
function loadKubeConfig(options: KubeconfigSource): KubeConfig {
  const given = (['kubeconfigPath', 'kubeconfigYaml', 'kubeConfig', 'inCluster'] as const).filter((key) => options[key] !== undefined && options[key] !== false);
  if (given.length > 1) {
    throw new ConfigError(`give at most one of kubeconfigPath, kubeconfigYaml, kubeConfig and inCluster (got ${given.join(', ')})`, { component: COMPONENT });
  }
  let kubeConfig: KubeConfig;
  try {
    if (options.kubeConfig && !options.context) return options.kubeConfig;
    kubeConfig = new KubeConfig();
    if (options.kubeConfig) {
      // A copy, so choosing a context does not change the caller's object.
      kubeConfig.loadFromOptions({ clusters: options.kubeConfig.clusters, users: options.kubeConfig.users, contexts: options.kubeConfig.contexts, currentContext: options.kubeConfig.currentContext });
    } else if (options.kubeconfigPath) kubeConfig.loadFromFile(options.kubeconfigPath);
    else if (options.kubeconfigYaml) kubeConfig.loadFromString(options.kubeconfigYaml);
    else if (options.inCluster) kubeConfig.loadFromCluster();
    else kubeConfig.loadFromDefault();
  } catch (error) {
    const source = options.kubeconfigPath ? `kubeconfig file ${options.kubeconfigPath}` : options.kubeconfigYaml ? 'kubeconfigYaml' : options.inCluster ? 'the in-cluster service account' : 'the default kubeconfig (KUBECONFIG, ~/.kube/config)';
    throw new ConfigError(`cannot load ${source}: ${errorMessage(error)}. Pass kubeconfigPath, kubeconfigYaml or inCluster: true.`, { component: COMPONENT, cause: error });
  }
  if (options.context) {
    if (!kubeConfig.getContextObject(options.context)) {
      throw new ConfigError(`context "${options.context}" is not in the kubeconfig; it has ${kubeConfig.getContexts().map((context) => `"${context.name}"`).join(', ') || 'no contexts'}`, { component: COMPONENT });
    }
    kubeConfig.setCurrentContext(options.context);
  }
  return kubeConfig;
}

/** TLS settings of the connection to the API server: CA, client certificate, skip-verify, server name. */
function tlsOptions(cluster: Cluster, user: User | null): Agent.Options['connect'] {
  const read = (file: string | undefined, data: string | undefined, what: string): Buffer | undefined => {
    try {
      if (file) return readFileSync(file);
    } catch (error) {
      throw new ConfigError(`cannot read the ${what} file ${file} named in the kubeconfig: ${errorMessage(error)}`, { component: COMPONENT, cause: error });
    }
    return data ? Buffer.from(data, 'base64') : undefined;
  };
  const ca = read(cluster.caFile, cluster.caData, 'certificate-authority');
  const cert = user ? read(user.certFile, user.certData, 'client-certificate') : undefined;
  const key = user ? read(user.keyFile, user.keyData, 'client-key') : undefined;
  return {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(cluster.skipTLSVerify ? { rejectUnauthorized: false } : {}),
    ...(cluster.tlsServerName ? { servername: cluster.tlsServerName } : {}),
  };
}

/** The kubeconfig user's request headers (Authorization, impersonation), resolved now. */
async function credentialHeaders(kubeConfig: KubeConfig): Promise<Record<string, string>> {
  const requestOptions: { headers: Record<string, string>; auth?: string } = { headers: {} };
  await kubeConfig.applyToHTTPSOptions(requestOptions);
  const headers: Record<string, string> = {};
  // Trimmed: client-node keeps the newline that ends a `token-file`, which is not a valid header value.
  for (const [key, value] of Object.entries(requestOptions.headers)) headers[key.toLowerCase()] = String(value).trim();
  // Basic credentials come back as Node's `auth` option, which undici does not read.
  if (requestOptions.auth && !headers.authorization) headers.authorization = `Basic ${Buffer.from(requestOptions.auth).toString('base64')}`;
  return headers;
}

/** Adds `extra` to undici request headers given as an object or as a flat `[name, value, ...]` list. */
function withHeaders(headers: Dispatcher.DispatchOptions['headers'], extra: Record<string, string>): Record<string, string | string[]> {
  const merged: Record<string, string | string[]> = {};
  if (Array.isArray(headers)) {
    for (let index = 0; index + 1 < headers.length; index += 2) merged[String(headers[index]).toLowerCase()] = String(headers[index + 1]);
  } else if (headers && typeof headers === 'object') {
    for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
      if (value !== undefined) merged[key.toLowerCase()] = value;
    }
  }
  return { ...merged, ...extra };
}

interface ApiStatus {
  kind?: string;
  message?: string;
  reason?: string;
  details?: { kind?: string; name?: string };
}

/** Turns a `Status` written by the API server (not by Prometheus) into what to fix. */
function explainStatus(context: {
  status: number;
  body: string;
  method: string;
  service: z.output<typeof kubernetesServiceReferenceSchema>;
  serviceName: string;
  proxyReference: string;
  server: string;
  user: string | undefined;
}): { message: string; retryable: boolean } | undefined {
  const { status, service, serviceName, proxyReference, server } = context;
  let parsed: ApiStatus;
  try {
    parsed = JSON.parse(context.body) as ApiStatus;
  } catch {
    return undefined;
  }
  // Prometheus' own errors pass through the proxy unchanged; only the API server writes a Status.
  if (parsed?.kind !== 'Status') return undefined;
  const said = `the Kubernetes API at ${server} answered ${status}: ${parsed.message ?? parsed.reason ?? 'no message'}`;
  if (status === 401) {
    return { message: `${said}. The kubeconfig's credentials (user "${context.user ?? 'none'}") were not accepted: refresh the token or pick another context.`, retryable: false };
  }
  if (status === 403) {
    const verb = context.method.toUpperCase() === 'GET' ? 'get' : 'create';
    return {
      message:
        `${said}. Reading Prometheus through the service proxy needs "${verb}" on "services/proxy" for "${proxyReference}" in namespace "${service.namespace}". ` +
        `Add this rule to a Role in "${service.namespace}" bound to the identity autoheal uses: ` +
        `{ apiGroups: [""], resources: ["services/proxy"], resourceNames: ["${proxyReference}"], verbs: ["${verb}"] } ` +
        '(manifests/components/prometheus-service-proxy does this for monitoring/prometheus-operated:9090).',
      retryable: false,
    };
  }
  if (status === 404) {
    if (parsed.details?.kind === 'services') {
      return { message: `${said}. There is no service ${serviceName}: check the namespace and name in the service reference (kubectl -n ${service.namespace} get services).`, retryable: false };
    }
    if (parsed.details?.kind === 'endpoints') {
      return { message: `${said}. Service ${serviceName} has no Endpoints object (a Service without a selector?), so the API server has no pod to send to.`, retryable: false };
    }
    if (parsed.details?.kind === 'namespaces') {
      return { message: `${said}. There is no namespace "${service.namespace}": check the service reference.`, retryable: false };
    }
    return { message: `${said}. Is ${server} a Kubernetes API server (the cluster's server in the kubeconfig)?`, retryable: false };
  }
  if (status === 503) {
    const message = parsed.message ?? '';
    if (/no service port/.test(message)) {
      return { message: `${said}. Service ${serviceName} has no port ${service.port}: use one of its ports (kubectl -n ${service.namespace} get service ${service.name} -o jsonpath='{.spec.ports}').`, retryable: false };
    }
    if (/no endpoints available/.test(message)) {
      const portHint = typeof service.port === 'string' ? ` (or it has no port named "${service.port}")` : '';
      return { message: `${said}. Service ${serviceName} has no ready endpoints${portHint}: no Prometheus pod behind it is ready (kubectl -n ${service.namespace} get endpoints ${service.name}).`, retryable: true };
    }
    return { message: `${said}. The API server could not reach a pod of ${serviceName} (pod starting, or a NetworkPolicy that blocks the API server).`, retryable: true };
  }
  return undefined;
}

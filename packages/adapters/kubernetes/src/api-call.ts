/**
 * One place where every Kubernetes API call goes through: per-request timeout and abort signal,
 * the patch Content-Type, and the translation of client-node's `ApiException` into autoheal's
 * error family (a 403 names the verb, the resource and the RBAC rule to add).
 */
import { AdapterError, AutohealError, HealingError } from '@autoheal/core';
import { ApiException, Observable, type ConfigurationOptions, type ObservableMiddleware } from '@kubernetes/client-node';

/** What a call does, so an error can say which permission is missing. */
export interface CallDescription {
  verb: 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete';
  /** API group: `''` for core, `apps`, `autoscaling`, `coordination.k8s.io`. */
  group: string;
  /** Plural resource, with the subresource when there is one (`deployments/scale`, `pods/exec`). */
  resource: string;
  namespace: string;
  name?: string;
}

/** The parsed `metav1.Status` of a failed request, when the body had one. */
export interface KubeStatus {
  code?: number;
  reason?: string;
  message?: string;
  /** What was not found (a 404 for a missing namespace says `kind: "namespaces"`). */
  details?: { name?: string; kind?: string };
}

const COMPONENT = 'kubernetes';

/** Builds client-node request options: a timeout merged with the caller's signal, and an optional Content-Type. */
export function requestOptions(timeoutMs: number, signal?: AbortSignal, contentType?: string): ConfigurationOptions<ObservableMiddleware> {
  const signals = [AbortSignal.timeout(timeoutMs)];
  if (signal) signals.push(signal);
  const combined = AbortSignal.any(signals);
  const middleware: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(combined);
      if (contentType) context.setHeaderParam('Content-Type', contentType);
      return new Observable(Promise.resolve(context));
    },
    post: (context) => new Observable(Promise.resolve(context)),
  };
  // 'append' keeps the authentication middleware client-node installs from the KubeConfig.
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

/** Reads the Status out of an `ApiException` (whose `body` is the raw response text). */
export function statusOf(error: unknown): KubeStatus | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const body: unknown = error.body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as KubeStatus;
      return { ...parsed, code: parsed.code ?? error.code };
    } catch {
      return { code: error.code, message: body.slice(0, 300) };
    }
  }
  if (body && typeof body === 'object') return { ...(body as KubeStatus), code: error.code };
  return { code: error.code };
}

/** HTTP status of a failed call, or undefined when it never got an answer. */
export function httpCodeOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/** True for 409 Conflict. */
export function isConflict(error: unknown): boolean {
  return httpCodeOf(error) === 409 || (AutohealError.isInstance(error) && (error.details as { httpCode?: number } | undefined)?.httpCode === 409);
}

/** True for 404 Not Found. */
export function isNotFound(error: unknown): boolean {
  return httpCodeOf(error) === 404 || (AutohealError.isInstance(error) && (error.details as { httpCode?: number } | undefined)?.httpCode === 404);
}

function describeCall(call: CallDescription): string {
  const resource = call.group ? `${call.resource}.${call.group}` : call.resource;
  return `${call.verb} ${resource}${call.name ? ` "${call.name}"` : ''} in namespace "${call.namespace}"`;
}

/** What to check after a 404: the namespace when the API server says it is the namespace that is missing, and whose (the Lease's or the target's). */
function notFoundHint(call: CallDescription, status: KubeStatus | undefined): string {
  const lease = call.resource === 'leases';
  if (status?.details?.kind === 'namespaces') {
    return lease
      ? `namespace "${call.namespace}" does not exist: create it (kubectl create namespace ${call.namespace}) or keep the Lease in an existing namespace`
      : `namespace "${call.namespace}" does not exist: check the target's namespace`;
  }
  return lease ? `check the Lease's namespace and name` : `check the target's namespace and name`;
}

function rbacRule(call: CallDescription): string {
  return `{ apiGroups: ["${call.group}"], resources: ["${call.resource}"], verbs: ["${call.verb}"] }`;
}

/** Turns anything a client-node call threw into an autoheal error that says what to do. */
export function wrapApiError(error: unknown, call: CallDescription, signal?: AbortSignal): AutohealError {
  if (AutohealError.isInstance(error)) return error;
  const what = describeCall(call);
  if (signal?.aborted) {
    return new AutohealError(`${what} was aborted`, { component: COMPONENT, code: 'ABORTED', cause: error });
  }
  const status = statusOf(error);
  const code = status?.code;
  const serverSays = status?.message ? `: ${status.message}` : '';
  const details = { httpCode: code, reason: status?.reason, call };
  switch (code) {
    case undefined: {
      const name = error instanceof Error ? error.name : '';
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      return new AdapterError(
        timedOut
          ? `${what} timed out; check that the API server is reachable, or raise requestTimeoutMs`
          : `${what} failed: ${error instanceof Error ? error.message : String(error)}; check the cluster URL and network`,
        { component: COMPONENT, cause: error, retryable: true, details },
      );
    }
    case 401:
      return new AdapterError(`${what} was rejected as unauthenticated (401); the kubeconfig's credentials are missing or expired`, {
        component: COMPONENT,
        cause: error,
        details,
      });
    case 403:
      return new AdapterError(
        `${what} is forbidden (403)${serverSays}; grant it with an RBAC Role rule ${rbacRule(call)} bound to autoheal's service account`,
        { component: COMPONENT, cause: error, details },
      );
    case 404:
      return new AdapterError(`${what} failed: not found (404)${serverSays}; ${notFoundHint(call, status)}`, {
        component: COMPONENT,
        cause: error,
        details,
      });
    case 409:
      return new AdapterError(`${what} conflicted with another writer (409)${serverSays}; retry`, {
        component: COMPONENT,
        cause: error,
        retryable: true,
        details,
      });
    case 422:
    case 400:
      return new HealingError(`${what} was rejected as invalid (${code})${serverSays}`, { component: COMPONENT, cause: error, details });
    default:
      return new AdapterError(`${what} failed with HTTP ${code}${serverSays}`, {
        component: COMPONENT,
        cause: error,
        retryable: code >= 500 || code === 429,
        details,
      });
  }
}

/** Runs one API call and wraps whatever it throws. */
export async function callApi<T>(call: CallDescription, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw wrapApiError(error, call, signal);
  }
}

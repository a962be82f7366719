/**
 * "Can I?" for the credentials in a kubeconfig: asks the API server with a SelfSubjectAccessReview,
 * as `kubectl auth can-i` does, so a preflight (`autoheal doctor`) can name each missing permission.
 */
import { AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { requestOptions, wrapApiError } from './api-call.js';

/** One permission to check, as in `SelfSubjectAccessReview.spec.resourceAttributes`. */
export interface AccessQuestion {
  verb: string;
  /** API group: `''` for core, `apps`, `autoscaling`, `coordination.k8s.io`. */
  group: string;
  /** Plural resource without the subresource, e.g. `pods`. */
  resource: string;
  /** e.g. `exec`, `scale`. */
  subresource?: string;
  namespace: string;
  /** One object's name, for rules limited by `resourceNames` (get/update of autoheal's own Lease or ConfigMap). */
  name?: string;
}

/** The API server's answer. */
export interface AccessAnswer {
  allowed: boolean;
  /** The authorizer's explanation, when it gave one. */
  reason?: string;
}

/**
 * Asks the API server whether the kubeconfig's user may do `question`. Throws the adapter's usual
 * errors (401, unreachable API server, ...) with the fix in the message.
 *
 * @example
 * const { allowed } = await reviewAccess(healer.kubeConfig, { verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace: 'prod' });
 */
export async function reviewAccess(kubeConfig: KubeConfig, question: AccessQuestion, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<AccessAnswer> {
  const api = kubeConfig.makeApiClient(AuthorizationV1Api);
  const resource = question.subresource ? `${question.resource}/${question.subresource}` : question.resource;
  try {
    const review = await api.createSelfSubjectAccessReview(
      { body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { ...question } } } },
      requestOptions(options.timeoutMs ?? 10_000, options.signal),
    );
    const answer: AccessAnswer = { allowed: review.status?.allowed === true };
    if (review.status?.reason) answer.reason = review.status.reason;
    return answer;
  } catch (error) {
    throw wrapApiError(error, { verb: 'create', group: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews', namespace: question.namespace, name: resource }, options.signal);
  }
}

/**
 * Authentication in the sandbox: every bearer token is accepted and names a user; the user is
 * remembered per request for RBAC.
 */
import type http from 'node:http';

/** The user name for a request without a bearer token. */
export const anonymousUser = 'system:anonymous';

const requestUsers = new WeakMap<http.IncomingMessage, string>();

/**
 * The user a bearer token stands for: the token up to its first `:` (so `alice:anything` is
 * `alice`, and `sandbox-admin` is `sandbox-admin`). The sandbox accepts every token.
 */
export function userFromToken(token: string): string {
  const colon = token.indexOf(':');
  return colon >= 0 ? token.slice(0, colon) : token;
}

/**
 * Reads the bearer token of a request and remembers its user. An `Impersonate-User` header
 * (`kubectl --as=NAME`) takes precedence and is always permitted in the sandbox; kubectl needs it
 * because it does not send bearer tokens to a plain `http://` server.
 */
export function authenticate(request: http.IncomingMessage): string {
  const header = String(request.headers.authorization ?? '');
  const match = /^Bearer\s+(.+)$/i.exec(header);
  const impersonated = request.headers['impersonate-user'];
  const user =
    typeof impersonated === 'string' && impersonated !== ''
      ? impersonated
      : match?.[1]
        ? userFromToken(match[1].trim())
        : anonymousUser;
  requestUsers.set(request, user);
  return user;
}

/** The authenticated user of a request served by a sandbox API server. */
export function requestUser(request: http.IncomingMessage): string {
  return requestUsers.get(request) ?? anonymousUser;
}

/**
 * Who may do what over HTTP. Every route declares its access where it is declared
 * (`options.app: routeAccess('open')`); a route that declares none is a read, so a new route is
 * closed whenever reads are closed, never open by omission.
 *
 * - `open`: anyone (health probes, `/predict`, the OpenAPI document, the dashboard's script).
 * - `read`: with `readAccess: token`, a read token — the viewer token or the API token — as
 *   `Authorization: Bearer …`, or the dashboard's session cookie; an event-stream route also takes a
 *   one-time ticket (`read-credentials.ts`). With `readAccess: open` (the default without a viewer
 *   token), anyone.
 * - `metrics`: `/metrics`; with a metrics token, that token (or a read token) as a bearer token,
 *   else anyone (Prometheus scrapes it).
 * - Mutations add the `write` guard as a route prerequisite: the API token, on a server that is not
 *   read-only.
 */
import type Hapi from '@hapi/hapi';
import { ApiError } from './error-mapping.js';
import { SESSION_COOKIE, createReadCredentials, sameSecret, type ReadCredentials } from './read-credentials.js';

/** What a route lets through (see the module comment). */
export type RouteAccess = 'open' | 'read' | 'metrics';

/** Route settings (`options.app`) that declare a route's access; `tickets` lets an event-stream route take `?ticket=`. */
export function routeAccess(access: RouteAccess, options: { tickets?: boolean } = {}): { access: RouteAccess; tickets?: boolean } {
  return options.tickets ? { access, tickets: true } : { access };
}

/** The token of `Authorization: Bearer <token>`, if the header has that form. */
function bearerToken(header: string | undefined): string | undefined {
  return header ? /^Bearer\s+(.+)$/i.exec(header.trim())?.[1] : undefined;
}

/**
 * True when `header` is `Bearer <token>` with the expected token. Both sides are hashed first so
 * the comparison takes the same time whatever the lengths (timingSafeEqual needs equal lengths).
 */
export function bearerTokenMatches(header: string | undefined, expected: string): boolean {
  const given = bearerToken(header);
  return given !== undefined && sameSecret(given, expected);
}

/** Settings of {@link createAccessControl}. */
export interface AccessControlOptions {
  /** Refuse every mutation (403). */
  readOnly: boolean;
  /** The bearer token mutations need; without one every mutation answers 401. It grants reads too. */
  apiToken?: string | undefined;
  /** `token` closes reads to anyone without a read token. @default 'open' */
  readAccess?: 'open' | 'token' | undefined;
  /** A token that grants reads only. */
  viewerToken?: string | undefined;
  /** The token `/metrics` needs; without one `/metrics` is open. */
  metricsToken?: string | undefined;
}

/** The guards of one server. */
export interface AccessControl {
  /** True when reads need a token. */
  readonly readsClosed: boolean;
  /** Signs and checks sessions and tickets; present when reads are closed. */
  readonly credentials: ReadCredentials | undefined;
  /** Allows the request to mutate, or throws the 403/401 {@link ApiError} that says why not (a route prerequisite). */
  write: Hapi.Lifecycle.Method;
  /** True when the request may read: reads are open, or it carries a read token or a valid session cookie. */
  canRead(request: Hapi.Request): boolean;
  /** Throws the 401 that says what to send when the request may not use its route; called for every route before its body is read. */
  check(request: Hapi.Request): void;
}

const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer' });

/** Creates the guards for one server. */
export function createAccessControl(options: AccessControlOptions): AccessControl {
  const readTokens = [options.viewerToken, options.apiToken].filter((token): token is string => Boolean(token));
  const readsClosed = options.readAccess === 'token';
  if (readsClosed && readTokens.length === 0) throw new Error('readAccess "token" needs a viewer token or an API token');
  const credentials = readsClosed ? createReadCredentials(readTokens) : undefined;

  const canRead = (request: Hapi.Request): boolean => {
    if (!credentials) return true;
    const bearer = bearerToken(request.headers.authorization as string | undefined);
    if (bearer !== undefined) return credentials.tokenGrantsRead(bearer);
    return credentials.verifySession((request.state as Record<string, string | undefined> | null)?.[SESSION_COOKIE]);
  };

  return {
    readsClosed,
    credentials,
    write(request, h) {
      if (options.readOnly) {
        throw new ApiError(403, 'read-only', 'this server runs in read-only mode; mutating routes are turned off');
      }
      if (!options.apiToken) {
        throw new ApiError(401, 'unauthorized', 'no API token is configured on the server; set AUTOHEAL_API_TOKEN to enable mutating routes');
      }
      if (!bearerTokenMatches(request.headers.authorization as string | undefined, options.apiToken)) {
        throw unauthorized('send the API token as "Authorization: Bearer <token>"');
      }
      return h.continue;
    },
    canRead,
    check(request) {
      const settings = (request.route.settings.app ?? {}) as { access?: RouteAccess; tickets?: boolean };
      const access = settings.access ?? 'read';
      if (access === 'open') return;
      if (access === 'metrics') {
        if (!options.metricsToken) return;
        const bearer = bearerToken(request.headers.authorization as string | undefined);
        if (bearer !== undefined && (sameSecret(bearer, options.metricsToken) || readTokens.some((token) => sameSecret(bearer, token)))) return;
        throw unauthorized('/metrics needs the metrics token: send it as "Authorization: Bearer <token>" (a ServiceMonitor: spec.endpoints[].authorization with the Secret key metrics-token)');
      }
      if (canRead(request)) return;
      if (settings.tickets && credentials?.useTicket((request.query as Record<string, string | undefined>).ticket)) return;
      // A mutation also has the write guard; its own message says what it needs.
      if (request.method !== 'get') throw unauthorized('send the API token as "Authorization: Bearer <token>"');
      throw unauthorized(
        settings.tickets
          ? 'reads need a token on this server: send the viewer or API token as "Authorization: Bearer <token>", or open the stream with a ticket from POST /api/events/tickets (?ticket=…, valid once, for 60 s)'
          : 'reads need a token on this server: send the viewer or API token as "Authorization: Bearer <token>" (the dashboard page signs in at /)',
      );
    },
  };
}

/** Checks every route's access before its body is read (Hapi's own routes — no route, CORS preflight — pass). */
export function registerAccessControl(server: Hapi.Server, access: AccessControl): void {
  server.ext('onPreAuth', (request, h) => {
    if ((request.route.method as string) !== '_special') access.check(request);
    return h.continue;
  });
}

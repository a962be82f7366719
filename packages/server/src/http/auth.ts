/**
 * Who may do what over HTTP. Reads are open; mutations need the API token and a server that is not
 * read-only. Routes take their guard from {@link AccessControl}, so a new kind of access (e.g. a
 * viewer token for reads) is one more guard here, applied where the routes are declared.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type Hapi from '@hapi/hapi';
import { ApiError } from './error-mapping.js';

/**
 * True when `header` is `Bearer <token>` with the expected token. Both sides are hashed first so
 * the comparison takes the same time whatever the lengths (timingSafeEqual needs equal lengths).
 */
export function bearerTokenMatches(header: string | undefined, expected: string): boolean {
  if (!header) return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return false;
  const given = createHash('sha256').update(match[1]!).digest();
  const wanted = createHash('sha256').update(expected).digest();
  return timingSafeEqual(given, wanted);
}

/** Settings of {@link createAccessControl}. */
export interface AccessControlOptions {
  /** Refuse every mutation (403). */
  readOnly: boolean;
  /** The bearer token mutations need; without one every mutation answers 401. */
  apiToken?: string | undefined;
}

/** Route guards, used as Hapi route prerequisites (`options.pre`). */
export interface AccessControl {
  /** Allows the request to mutate, or throws the 403/401 {@link ApiError} that says why not. */
  write: Hapi.Lifecycle.Method;
}

/** Creates the guards for one server. */
export function createAccessControl(options: AccessControlOptions): AccessControl {
  return {
    write(request, h) {
      if (options.readOnly) {
        throw new ApiError(403, 'read-only', 'this server runs in read-only mode; mutating routes are turned off');
      }
      if (!options.apiToken) {
        throw new ApiError(401, 'unauthorized', 'no API token is configured on the server; set AUTOHEAL_API_TOKEN to enable mutating routes');
      }
      if (!bearerTokenMatches(request.headers.authorization as string | undefined, options.apiToken)) {
        throw new ApiError(401, 'unauthorized', 'send the API token as "Authorization: Bearer <token>"', undefined, { 'WWW-Authenticate': 'Bearer' });
      }
      return h.continue;
    },
  };
}

/**
 * The two read credentials a browser needs besides a bearer token, both signed with a key derived
 * from the read tokens (the viewer token and the API token), so that every replica with the same
 * tokens accepts them and rotating a token revokes them:
 *
 * - **Session cookie** (`autoheal_session`): the dashboard page cannot send an Authorization header
 *   when the browser navigates to it, so the page signs in once with a token and gets an HttpOnly,
 *   SameSite=Lax cookie valid for 12 hours. It carries no token, only an expiry and its signature.
 * - **Event-stream ticket**: `EventSource` cannot set headers either, and a component embedded on
 *   another origin has no cookie. It trades its bearer token for a ticket (`POST
 *   /api/events/tickets`) and opens `/api/events?ticket=…`. A ticket is valid for 60 seconds, for
 *   the event stream only, and once per process: what lands in a proxy's access log is useless
 *   shortly after and was never the token.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The session cookie's name. */
export const SESSION_COOKIE = 'autoheal_session';
/** How long a dashboard session lasts. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** How long an event-stream ticket may wait before it is used. */
export const TICKET_TTL_MS = 60 * 1000;

/** Signs and checks the read credentials of one server. */
export interface ReadCredentials {
  /** True when `token` is one of the read tokens (constant time). */
  tokenGrantsRead(token: string): boolean;
  /** A new session cookie value. */
  issueSession(): { value: string; maxAgeSeconds: number };
  /** True for a session cookie value this server (or a replica with the same tokens) issued and that has not expired. */
  verifySession(value: string | undefined): boolean;
  /** A new event-stream ticket. */
  issueTicket(): { ticket: string; expiresAt: string };
  /** True for a valid, unexpired ticket not used before in this process; it cannot be used again. */
  useTicket(ticket: string | undefined): boolean;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Constant-time equality of two strings (hashed first, so lengths do not matter). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** Creates the credentials for the read tokens `tokens` (at least one). */
export function createReadCredentials(tokens: readonly string[], now: () => number = Date.now): ReadCredentials {
  const key = digest(['autoheal-read-credentials', ...[...tokens].sort()].join('\0'));
  const sign = (purpose: string, payload: string) => createHmac('sha256', key).update(`${purpose}\0${payload}`).digest('base64url');
  const verify = (purpose: string, payload: string, mac: string) => sameSecret(mac, sign(purpose, payload));
  const usedTickets = new Map<string, number>();

  return {
    tokenGrantsRead: (token) => tokens.some((expected) => sameSecret(token, expected)),
    issueSession() {
      const expires = now() + SESSION_TTL_MS;
      return { value: `v1.${expires}.${sign('session', String(expires))}`, maxAgeSeconds: SESSION_TTL_MS / 1000 };
    },
    verifySession(value) {
      const match = /^v1\.(\d+)\.([\w-]+)$/.exec(value ?? '');
      return match !== null && Number(match[1]) > now() && verify('session', match[1]!, match[2]!);
    },
    issueTicket() {
      const expires = now() + TICKET_TTL_MS;
      const nonce = randomBytes(16).toString('base64url');
      return { ticket: `v1.${expires}.${nonce}.${sign('events', `${expires}.${nonce}`)}`, expiresAt: new Date(expires).toISOString() };
    },
    useTicket(ticket) {
      const match = /^v1\.(\d+)\.([\w-]+)\.([\w-]+)$/.exec(ticket ?? '');
      if (!match) return false;
      const expires = Number(match[1]);
      const at = now();
      if (expires <= at || !verify('events', `${match[1]}.${match[2]}`, match[3]!) || usedTickets.has(match[2]!)) return false;
      // Forget the tickets that have expired anyway: the set stays as small as a minute of tickets.
      for (const [nonce, until] of usedTickets) if (until <= at) usedTickets.delete(nonce);
      usedTickets.set(match[2]!, expires);
      return true;
    },
  };
}

/** Bearer-token check for mutating routes, in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';

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

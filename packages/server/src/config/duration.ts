/** Durations in config files: a number of milliseconds, or a string such as `120s`, `2m`, `1h`, `500ms`. */
import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `120s` / `2m` / `1h` / `500ms` / `1500` into milliseconds; `undefined` when not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  return Math.round(value * (UNIT_MS[match[2] ?? 'ms'] ?? 1));
}

/** A zod schema accepting a non-negative number of ms or a duration string, giving ms. */
export const durationSchema = z.union([
  z.number().int('must be a whole number of milliseconds').min(0, 'must be >= 0'),
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration: write milliseconds (120000) or a number with a unit (120s, 2m, 1h, 500ms)` });
      return z.NEVER;
    }
    return ms;
  }),
]);

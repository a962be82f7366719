/**
 * Durations in config files: a number of milliseconds, or a string such as `120s`, `2m`, `1h`,
 * `500ms`. The adapters and core take milliseconds (`timeoutMs`, `recheckDelayMs`); units are a
 * config-file convenience, so the mapping lives here and the limits and defaults stay theirs.
 */
import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const HOW = 'write milliseconds (120000) or a number with a unit (120s, 2m, 1h, 500ms)';

/** Parses `120s` / `2m` / `1h` / `500ms` / `1500` into milliseconds; `undefined` when not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  return Math.round(value * (UNIT_MS[match[2] ?? 'ms'] ?? 1));
}

/** A non-negative number of ms or a duration string, giving ms. */
export const durationSchema = z.union([z.number(), z.string()], { error: `must be a duration: ${HOW}` }).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${String(value)}" is not a duration: ${HOW}` });
    return z.NEVER;
  }
  if (!Number.isInteger(ms) || ms < 0) {
    ctx.addIssue({ code: 'custom', message: `must be a whole, non-negative number of milliseconds (${HOW})` });
    return z.NEVER;
  }
  return ms;
});

/**
 * A config-file duration for a field whose schema (limits, default) belongs to an adapter or core:
 * `timeout: durationField(prometheusOptions.shape.timeoutMs)` accepts `10s` and gives the adapter's
 * default when unset.
 *
 * @example
 * durationField(z.number().int().positive().default(10_000)).parse('2m'); // 120000
 */
export function durationField<T extends z.ZodType<unknown, number | undefined>>(milliseconds: T) {
  return durationSchema.optional().pipe(milliseconds);
}

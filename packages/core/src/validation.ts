/**
 * zod helpers shared by every public entry point: parse input and, when it is wrong, throw a
 * `ConfigError` whose message names each wrong field and what it expects.
 */
import type { z } from 'zod';
import { ConfigError } from './errors.js';

/** One wrong field: a dotted path (`ladder.0.maxReplicas`) and what is wrong with it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Flattens zod issues into `{ path, message }` pairs with dotted paths (`(root)` for the whole value). */
export function describeIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/** Formats issues as `field: message; field: message`. */
export function formatIssues(issues: FieldIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

/**
 * Parses `input` with `schema`. On failure throws a `ConfigError` for `component` whose message
 * starts with `what` (e.g. "invalid Prometheus options") and lists every wrong field.
 *
 * @example
 * const options = parseWithSchema(prometheusFeatureSourceOptionsSchema, input, 'prometheus', 'invalid options');
 */
export function parseWithSchema<S extends z.ZodType>(
  schema: S,
  input: unknown,
  component: string,
  what: string,
  code: 'CONFIG_INVALID' | 'INPUT_INVALID' = 'CONFIG_INVALID',
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = describeIssues(result.error);
  throw new ConfigError(`${what}: ${formatIssues(issues)}`, { component, code, details: issues });
}

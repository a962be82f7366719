/**
 * Unknown keys at every level of a configuration, each named by its path and the closest valid key
 * (`policy.dryrun: unknown key; did you mean "dryRun"?`).
 *
 * Why a walk of the schema rather than `z.strictObject` alone: the config reuses the adapters' and
 * core's option schemas, and some of their nested objects (a ladder step, a feature query, a
 * target) strip unknown keys silently. A misspelled safety setting must never be dropped, wherever
 * it sits, so the walk checks every object the schema describes, whoever declared it.
 */
import type { z } from 'zod';

/** An unknown key: the path of the key itself and the message (with the closest valid key). */
export interface UnknownKeyIssue {
  path: Array<string | number>;
  message: string;
}

/** The parts of zod's internal definition the walk reads (zod 4 `_zod.def`). */
interface SchemaDefinition {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  in?: z.ZodType;
  out?: z.ZodType;
  getter?: () => z.ZodType;
}

function definitionOf(schema: z.ZodType): SchemaDefinition {
  return (schema as unknown as { _zod: { def: SchemaDefinition } })._zod.def;
}

/** The value sets of a discriminated union option's literal keys (zod's `propValues`). */
function propValuesOf(schema: z.ZodType): Record<string, Set<unknown>> | undefined {
  return (schema as unknown as { _zod: { propValues?: Record<string, Set<unknown>> } })._zod.propValues;
}

/** Steps through wrappers (optional, default, pipe, lazy, ...) to the schema that parses the value. */
function unwrap(schema: z.ZodType): z.ZodType {
  for (let depth = 0; depth < 32; depth++) {
    const def = definitionOf(schema);
    if (def.innerType && ['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional', 'success'].includes(def.type)) {
      schema = def.innerType;
    } else if (def.type === 'pipe' && def.in && def.out) {
      // z.preprocess(fn, target): the target describes the value; a .transform() chain: its source does.
      schema = definitionOf(def.in).type === 'transform' ? def.out : def.in;
    } else if (def.type === 'lazy' && def.getter) {
      schema = def.getter();
    } else {
      return schema;
    }
  }
  return schema;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The option of a union that describes an object `value`, if one does. */
function unionOptionFor(def: SchemaDefinition, value: Record<string, unknown>): z.ZodType | undefined {
  const objects = (def.options ?? []).map(unwrap).filter((option) => definitionOf(option).type === 'object');
  if (def.discriminator) {
    const tag = value[def.discriminator];
    // An unknown discriminator is zod's to report; nothing here to compare keys against.
    return objects.find((option) => propValuesOf(option)?.[def.discriminator!]?.has(tag));
  }
  if (objects.length <= 1) return objects[0];
  // Several object shapes: judge against the one that knows most of the keys given.
  const known = (option: z.ZodType) => Object.keys(value).filter((key) => key in (definitionOf(option).shape ?? {})).length;
  return objects.reduce((best, option) => (known(option) > known(best) ? option : best));
}

/** Damerau–Levenshtein distance (optimal string alignment), for "did you mean". */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The valid key closest to `key`: the same letters in another case, else one within a third of its
 * length in edits (`enable` → `enabled`, `treshold` → `threshold`), else one it is a prefix of.
 */
export function closestKey(key: string, validKeys: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameLetters = validKeys.find((valid) => valid.toLowerCase() === lower);
  if (sameLetters) return sameLetters;
  let best: { key: string; distance: number } | undefined;
  for (const valid of validKeys) {
    const distance = editDistance(lower, valid.toLowerCase());
    if (!best || distance < best.distance) best = { key: valid, distance };
  }
  if (best && best.distance <= Math.max(1, Math.floor(key.length / 3))) return best.key;
  return lower.length >= 3 ? validKeys.find((valid) => valid.toLowerCase().startsWith(lower)) : undefined;
}

function unknownKeyMessage(key: string, validKeys: readonly string[]): string {
  const closest = closestKey(key, validKeys);
  return closest ? `unknown key; did you mean "${closest}"?` : `unknown key; valid keys here: ${validKeys.join(', ')}`;
}

/**
 * Every key of `input` that `schema` does not describe, at every nesting level (objects, arrays,
 * records, unions). Keys of records (`targetThresholds`, `queries`) are free-form and not checked.
 *
 * @example
 * findUnknownKeys(schema, { policy: { dryrun: true } });
 * // [{ path: ['policy', 'dryrun'], message: 'unknown key; did you mean "dryRun"?' }]
 */
export function findUnknownKeys(schema: z.ZodType, input: unknown, path: Array<string | number> = []): UnknownKeyIssue[] {
  const node = unwrap(schema);
  const def = definitionOf(node);
  const issues: UnknownKeyIssue[] = [];
  if (def.type === 'object' && isPlainObject(input)) {
    const shape = def.shape ?? {};
    const validKeys = Object.keys(shape);
    for (const [key, value] of Object.entries(input)) {
      const field = shape[key];
      if (field) issues.push(...findUnknownKeys(field, value, [...path, key]));
      else issues.push({ path: [...path, key], message: unknownKeyMessage(key, validKeys) });
    }
  } else if (def.type === 'array' && def.element && Array.isArray(input)) {
    input.forEach((item, index) => issues.push(...findUnknownKeys(def.element!, item, [...path, index])));
  } else if (def.type === 'record' && def.valueType && isPlainObject(input)) {
    for (const [key, value] of Object.entries(input)) issues.push(...findUnknownKeys(def.valueType, value, [...path, key]));
  } else if (def.type === 'union' && isPlainObject(input)) {
    const option = unionOptionFor(def, input);
    if (option) issues.push(...findUnknownKeys(option, input, path));
  }
  return issues;
}

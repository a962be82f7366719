/** Errors of the trainer: core's error family with the `[autoheal] [trainer]` prefix. */
import { ConfigError, parseWithSchema } from '@autoheal/core';
import type { z } from 'zod';

/** The component name in every trainer error message. */
export const TRAINER_COMPONENT = 'trainer';

/** A `ConfigError` from the trainer (bad option, argument or input file). */
export function trainerConfigError(message: string, details?: unknown): ConfigError {
  return new ConfigError(message, { component: TRAINER_COMPONENT, details });
}

/** Parses trainer options, throwing a `ConfigError` naming each wrong field. */
export function parseTrainerOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  return parseWithSchema(schema, input, TRAINER_COMPONENT, what);
}

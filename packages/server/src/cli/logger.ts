import pino, { type Logger } from 'pino';
import { createErrorSerializer } from '../log-errors.js';

/** JSON logs on stderr (stdout stays for command output), or on `destination`; errors as `log-errors.ts` words them. */
export function createCliLogger(level: string, destination: pino.DestinationStream = pino.destination(2)): Logger {
  const stacks = level === 'debug' || level === 'trace';
  return pino({ level, base: { service: 'autoheal' }, serializers: { err: createErrorSerializer({ stacks }) } }, destination);
}

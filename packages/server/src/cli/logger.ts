import pino, { type Logger } from 'pino';

/** JSON logs on stderr (stdout stays for command output). */
export function createCliLogger(level: string): Logger {
  return pino({ level, base: { service: 'autoheal' } }, pino.destination(2));
}

/** The bus logs through pino; callers pass their service logger, or get one that writes to stderr. */
import { type Logger, pino } from 'pino';

export type BusLogger = Logger;

/** A pino logger on stderr at MEMGEN_LOG_LEVEL (default 'info'), for callers that pass none. */
export function defaultBusLogger(name = 'memgen-bus'): BusLogger {
  return pino({ name, level: process.env.MEMGEN_LOG_LEVEL ?? 'info' }, pino.destination(2));
}

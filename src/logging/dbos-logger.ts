import type { DLogger } from '@dbos-inc/dbos-sdk';
import type { Logger } from 'pino';

/**
 * Routes DBOS Transact's own log lines into our pino logger, so they share its
 * JSON format and redaction. DBOS logs are operational detail: `info` and
 * `debug` go to pino's debug level.
 */
export function dbosLogger(log: Logger): DLogger {
  const child = log.child({ component: 'dbos' });
  const text = (entry: unknown) => (typeof entry === 'string' ? entry : entry instanceof Error ? entry.message : JSON.stringify(entry));
  return {
    info: (entry) => child.debug(text(entry)),
    debug: (entry) => child.debug(text(entry)),
    warn: (entry) => child.warn(text(entry)),
    error: (entry) => (entry instanceof Error ? child.error({ err: entry }, entry.message) : child.error(text(entry))),
  };
}

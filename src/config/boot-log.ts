import type { Logger } from 'pino';
import { bootWarnings, type Env } from './env';

/**
 * Logs the mode this process booted in (`local` | `deployment`, see Mode in
 * ./env) and each boot warning at warn level, so an operator sees both in
 * the first lines of the web app's and the worker's logs.
 */
export function logBoot(log: Logger, e: Env): void {
  log.info({ mode: e.mode }, `booted in ${e.mode} mode`);
  for (const warning of bootWarnings(e)) log.warn({ mode: e.mode }, warning);
}

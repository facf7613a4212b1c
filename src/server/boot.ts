import { logBoot } from '../config/boot-log';
import { env, EnvError } from '../config/env';
import { logger } from '../logging/logger';

/**
 * The web app's boot check, run once by Next.js before it serves a request
 * (src/instrumentation.ts): validates the environment for its mode and logs
 * the mode. An invalid environment ends the process with exit code 1 and a
 * message naming every missing or invalid variable, instead of a server that
 * fails (or, worse, falls back to something dev-only) on its first request.
 */
export function bootWebApp(): void {
  try {
    logBoot(logger().child({ component: 'web' }), env());
  } catch (err) {
    if (!(err instanceof EnvError)) throw err;
    console.error(`web app failed to start: ${err.message}`);
    process.exit(1);
  }
}

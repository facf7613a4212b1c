import { logBoot } from '../config/boot-log';
import { env, EnvError } from '../config/env';
import { logger } from '../logging/logger';
import { drainOnSigterm } from './web-drain';

/**
 * The web app's boot check, run once by Next.js before it serves a request
 * (src/instrumentation.ts): validates the environment for its mode and logs
 * the mode. An invalid environment ends the process with exit code 1 and a
 * message naming every missing or invalid variable, instead of a server that
 * fails (or, worse, falls back to something dev-only) on its first request.
 * Then SIGTERM drains (./web-drain.ts).
 */
export function bootWebApp(): void {
  try {
    const log = logger().child({ component: 'web' });
    const e = env();
    logBoot(log, e);
    drainOnSigterm(e.WEB_DRAIN_MS, log);
  } catch (err) {
    if (!(err instanceof EnvError)) throw err;
    console.error(`web app failed to start: ${err.message}`);
    process.exit(1);
  }
}

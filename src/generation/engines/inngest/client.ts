import { Inngest } from 'inngest';
import type { Logger } from 'pino';
import type { EngineConfig } from '../../../config/env';
import { INNGEST_APP_ID } from './events';

/**
 * The Inngest client for this app, configured from the validated env (not from
 * the SDK's own reading of process.env, so the zod rules hold):
 * - `INNGEST_BASE_URL`: the Inngest server (events go to `<base>/e/<eventKey>`,
 *   syncs and API calls to `<base>/…`); unset means Inngest Cloud;
 * - `INNGEST_DEV`: `1` or the dev server's URL, unsigned dev mode (local only);
 * - `INNGEST_EVENT_KEY`, `INNGEST_SIGNING_KEY`: Inngest Cloud credentials.
 * Docs: https://www.inngest.com/docs/reference/client/create
 */
export function createInngestClient(config: EngineConfig, log?: Logger): Inngest {
  const devUrl = config.INNGEST_DEV && /^https?:/.test(config.INNGEST_DEV) ? config.INNGEST_DEV : undefined;
  return new Inngest({
    id: INNGEST_APP_ID,
    eventKey: config.INNGEST_EVENT_KEY,
    signingKey: config.INNGEST_SIGNING_KEY,
    baseUrl: config.INNGEST_BASE_URL ?? devUrl,
    isDev: Boolean(config.INNGEST_DEV),
    ...(log && { logger: log.child({ component: 'inngest' }) }),
  });
}

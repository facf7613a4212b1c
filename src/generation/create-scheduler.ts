import type { Logger } from 'pino';
import type { EngineConfig } from '../config/env';
import type { Db } from '../db/pool';
import { getDbosScheduler } from './dbos-scheduler';
import type { GenerationScheduler } from './scheduler';

/** Inngest Cloud's REST API, when INNGEST_BASE_URL names no other server. */
const INNGEST_CLOUD_API = 'https://api.inngest.com';

/**
 * The scheduler of the configured engine (`GENERATION_ENGINE`): DBOS on this
 * database (default), or Inngest through the generation outbox. The Inngest SDK
 * is imported only when chosen: it is large, and every web route loads this
 * module (the body-limit test bounds a route's memory growth at 5 MB).
 */
export async function createGenerationScheduler(
  config: EngineConfig,
  db: Db,
  databaseUrl: string,
  log: Logger,
  /** DBOS client pool size (DBOS_CLIENT_POOL_SIZE); the client's default when omitted. */
  dbosPoolSize?: number,
): Promise<GenerationScheduler> {
  if (config.GENERATION_ENGINE === 'dbos') return getDbosScheduler(databaseUrl, dbosPoolSize);
  const [{ createInngestClient }, { inngestScheduler }] = await Promise.all([
    import('./engines/inngest/client'),
    import('./engines/inngest/inngest-scheduler'),
  ]);
  const devUrl = config.INNGEST_DEV && /^https?:/.test(config.INNGEST_DEV) ? config.INNGEST_DEV : config.INNGEST_DEV ? 'http://localhost:8288' : undefined;
  return inngestScheduler({
    db,
    inngest: createInngestClient(config, log),
    log,
    apiBaseUrl: config.INNGEST_BASE_URL ?? devUrl ?? INNGEST_CLOUD_API,
    signingKey: config.INNGEST_SIGNING_KEY,
  });
}

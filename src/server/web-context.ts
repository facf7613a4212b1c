import 'server-only';
import type { Logger } from 'pino';
import { createAccessTokenVerifier, type AccessTokenVerifier } from '../auth/jwt';
import { authenticateRequest, authenticateRequestIfPresent } from '../auth/session';
import { appUrl, env, type Env } from '../config/env';
import { type Db, getPool, type JwtClaims } from '../db/pool';
import type { DeliveryDeps } from '../delivery/order-view';
import { createGenerationScheduler } from '../generation/create-scheduler';
import type { GenerationScheduler } from '../generation/scheduler';
import { logger } from '../logging/logger';
import { songPrice, stripeLivemode } from '../payments/price';
import type { CheckoutDeps } from '../payments/create-checkout';
import { devCheckoutEnabled, type DevCheckoutDeps } from '../payments/dev-checkout';
import type { WebhookDeps } from '../payments/handle-webhook';
import { createStripeClient } from '../payments/stripe-client';
import { createConfiguredLocalStorage, createStorage } from '../storage/create-storage';
import type { LocalStorage } from '../storage/local-storage';
import type { Storage } from '../storage/storage';

export interface WebContext {
  env: Env;
  db: Db;
  log: Logger;
  /** Verifies Bearer access tokens (HS256 secret and/or the project's JWKS). */
  accessTokens: AccessTokenVerifier;
  /** The caller: Bearer token or session cookie (see authenticateRequest); 401/403/503. */
  authenticate(req: Request): Promise<JwtClaims>;
  /** As `authenticate`, null instead of a 401. */
  authenticateIfPresent(req: Request): Promise<JwtClaims | null>;
  storage: Storage;
  /** The local driver behind `/api/storage/…`; undefined unless STORAGE_DRIVER=local. */
  localStorage: LocalStorage | undefined;
  delivery: DeliveryDeps;
  checkout: CheckoutDeps;
  devCheckout: DevCheckoutDeps;
  /** Starts, retries and cancels generation on the configured engine (`GENERATION_ENGINE`); created on first use. */
  scheduler(): Promise<GenerationScheduler>;
  webhookDeps(): Promise<WebhookDeps>;
}

let ctx: WebContext | undefined;

/**
 * The web app's dependencies, built once per process from the validated env.
 * @throws EnvError when the env is invalid; Error when DATABASE_URL is unset
 *   (the launcher, `npm run dev|start`, always provides one).
 */
export function webContext(): WebContext {
  if (ctx) return ctx;
  const e = env();
  if (!e.DATABASE_URL) {
    throw new Error('DATABASE_URL is not set: start the web app with `npm run dev` or `npm start`, which provide one');
  }
  const databaseUrl = e.DATABASE_URL;
  const log = logger().child({ component: 'web' });
  const db = getPool(databaseUrl, {
    applicationName: 'songswipe-web',
    max: e.WEB_DB_POOL_SIZE,
    onError: (err) => log.warn({ err }, 'a pooled database connection was closed by the server; the next query reconnects'),
  });
  const storage = createStorage(e);
  const accessTokens = createAccessTokenVerifier({ jwtSecret: e.SUPABASE_JWT_SECRET, supabaseUrl: e.SUPABASE_URL, log: log.child({ component: 'auth' }) });
  let scheduler: Promise<GenerationScheduler> | undefined;
  const getScheduler = () => {
    scheduler ??= createGenerationScheduler(e, db, databaseUrl, log, e.DBOS_CLIENT_POOL_SIZE);
    return scheduler;
  };
  const built: WebContext = {
    env: e,
    db,
    log,
    accessTokens,
    authenticate: (req) => authenticateRequest(req, accessTokens, appUrl(e)),
    authenticateIfPresent: (req) => authenticateRequestIfPresent(req, accessTokens, appUrl(e)),
    storage,
    localStorage: e.STORAGE_DRIVER === 'local' ? createConfiguredLocalStorage(e) : undefined,
    delivery: { db, storage, signedUrlTtlSeconds: e.SIGNED_URL_TTL_SECONDS, appUrl: appUrl(e), queueEta: e.GENERATION_ENGINE === 'dbos' },
    checkout: {
      db,
      stripe: createStripeClient(e),
      price: songPrice(e),
      allowPromotionCodes: e.STRIPE_ALLOW_PROMOTION_CODES,
      appUrl: appUrl(e),
      livemode: stripeLivemode(e),
      log,
    },
    devCheckout: {
      db,
      appUrl: appUrl(e),
      webhookSecret: e.STRIPE_WEBHOOK_SECRET[0]!,
      enabled: devCheckoutEnabled(e),
      log,
    },
    scheduler: getScheduler,
    async webhookDeps() {
      return {
        db,
        scheduler: await getScheduler(),
        webhookSecrets: e.STRIPE_WEBHOOK_SECRET,
        livemode: stripeLivemode(e),
        price: songPrice(e),
        log,
      };
    },
  };
  ctx = built;
  return built;
}

import Stripe from 'stripe';
import type { Env } from '../config/env';

/**
 * The Stripe SDK client, or null when no `STRIPE_SECRET_KEY` is set (local dev
 * checkout). `STRIPE_API_BASE_URL` points it elsewhere (a local stub in tests);
 * the SDK's own network retries are safe here because every write carries an
 * idempotency key.
 */
export function createStripeClient(e: Pick<Env, 'STRIPE_SECRET_KEY' | 'STRIPE_API_BASE_URL'>): Stripe | null {
  if (!e.STRIPE_SECRET_KEY) return null;
  const base = e.STRIPE_API_BASE_URL ? new URL(e.STRIPE_API_BASE_URL) : undefined;
  return new Stripe(e.STRIPE_SECRET_KEY, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: 'songswipe' },
    ...(base && {
      host: base.hostname,
      port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
      protocol: base.protocol === 'http:' ? 'http' : 'https',
    }),
  });
}

import type { Env } from '../config/env';

/** The one product's price: amount in the currency's smallest unit (cents). */
export interface Price {
  amount: number;
  currency: string;
}

export function songPrice(e: Pick<Env, 'SONG_PRICE_AMOUNT' | 'SONG_PRICE_CURRENCY'>): Price {
  return { amount: e.SONG_PRICE_AMOUNT, currency: e.SONG_PRICE_CURRENCY };
}

/**
 * The Stripe mode this deployment runs in: live with an `sk_live_`/`rk_live_`
 * key, test otherwise (including the local dev checkout). Test and live
 * webhooks have different secrets, and an event of the other mode is refused.
 */
export function stripeLivemode(e: Pick<Env, 'STRIPE_SECRET_KEY'>): boolean {
  return /^(sk|rk)_live_/.test(e.STRIPE_SECRET_KEY ?? '');
}

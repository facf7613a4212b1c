import type { Env } from '../config/env';

/** The one product's price: amount in the currency's smallest unit (cents). */
export interface Price {
  amount: number;
  currency: string;
}

export function songPrice(e: Pick<Env, 'SONG_PRICE_AMOUNT' | 'SONG_PRICE_CURRENCY'>): Price {
  return { amount: e.SONG_PRICE_AMOUNT, currency: e.SONG_PRICE_CURRENCY };
}

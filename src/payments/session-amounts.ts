import { expandableId, type CheckoutSession } from './event-schemas';
import type { Price } from './price';

/** A checkout session's money, in the currency's smallest unit (cents). */
export interface SessionAmounts {
  /** Before discounts, tax and shipping: the song's price. */
  subtotal: number;
  /** Taken off by coupons and promotion codes. */
  discount: number;
  tax: number;
  shipping: number;
  /** What Stripe charged: 0 with a 100% code. */
  total: number;
  /** Lowercase ISO 4217 code, or null when the session has none. */
  currency: string | null;
  /** The `promo_…` the customer entered, when Stripe sends it. */
  promotionCodeId: string | null;
}

/**
 * Reads a session's amounts. A session without `amount_subtotal` (one we did
 * not price) counts its total as its subtotal, so it adds up only without a
 * discount, tax or shipping.
 */
export function sessionAmounts(session: CheckoutSession): SessionAmounts {
  const details = session.total_details;
  const promotion = session.discounts?.find((d) => d.promotion_code)?.promotion_code;
  return {
    subtotal: session.amount_subtotal ?? session.amount_total ?? 0,
    discount: details?.amount_discount ?? 0,
    tax: details?.amount_tax ?? 0,
    shipping: details?.amount_shipping ?? 0,
    total: session.amount_total ?? 0,
    currency: session.currency?.toLowerCase() ?? null,
    promotionCodeId: expandableId(promotion),
  };
}

/**
 * Why a session's amounts do not fit the price its order was created at, or
 * null when they do (issue 15). Stripe applies a promotion code to the
 * subtotal, so a discounted session is checked by its arithmetic, never by
 * comparing what was charged with the price:
 * - `amount_subtotal` equals the price, and the currency matches;
 * - the discount is at most the subtotal;
 * - `amount_subtotal − total_details.amount_discount + tax + shipping = amount_total`.
 */
export function amountMismatch(session: CheckoutSession, price: Price): string | null {
  const a = sessionAmounts(session);
  const priced = `the price ${price.amount} ${price.currency}`;
  if (session.amount_total === null) return `no amount_total; cannot check it against ${priced}`;
  if (a.currency !== price.currency) return `currency ${a.currency} does not match ${priced}`;
  if (a.subtotal !== price.amount) return `subtotal ${a.subtotal} ${a.currency} does not match ${priced}`;
  if (a.discount > a.subtotal) return `discount ${a.discount} exceeds the subtotal ${a.subtotal} ${a.currency}`;
  if (a.subtotal - a.discount + a.tax + a.shipping !== a.total) {
    return `amount ${a.total} ${a.currency} does not match subtotal ${a.subtotal} − discount ${a.discount} + tax ${a.tax} + shipping ${a.shipping}`;
  }
  return null;
}

/**
 * True when a session that asks for no payment owes nothing because its
 * discount covers the whole price (a 100% promotion code, or a free song).
 * Only meaningful after `amountMismatch` found nothing.
 */
export function discountCoversPrice(session: CheckoutSession): boolean {
  const a = sessionAmounts(session);
  return a.total === 0 && a.discount === a.subtotal;
}

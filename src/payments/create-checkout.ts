import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import type { Logger } from 'pino';
import { z } from 'zod';
import { getCustomization } from '../db/customizations';
import { insertPendingOrder, listOrdersForCustomization, lockCustomizationPayment, type OrderStatus, PAID_OR_LATER } from '../db/orders';
import { type Db, type JwtClaims, withTransaction, withUserTransaction } from '../db/pool';
import { ConflictError, NotFoundError } from '../errors';
import { parseInput } from '../validation/parse-input';
import { uuidSchema } from '../validation/uuid';
import type { Price } from './price';

export const checkoutBodySchema = z.strictObject({ customizationId: uuidSchema });

export interface CheckoutDeps {
  db: Db;
  /** null: the local dev checkout stands in for Stripe. */
  stripe: Stripe | null;
  price: Price;
  /** `STRIPE_ALLOW_PROMOTION_CODES`: offer the promotion code field on Stripe Checkout. */
  allowPromotionCodes: boolean;
  appUrl: string;
  livemode: boolean;
  log: Logger;
}

export interface CheckoutResult {
  /** Where to send the customer: Stripe Checkout, or the local dev checkout page. */
  url: string;
  orderId: string;
}

/** A UUID derived from `seed` (RFC 4122 layout, version nibble 5 style). */
function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Why no new checkout may open for a customization with these orders, or null if one may. */
function checkoutConflict(orders: { status: OrderStatus }[]): string | null {
  if (orders.some((o) => PAID_OR_LATER.includes(o.status) || o.status === 'needs_review')) return 'this customization has already been paid for';
  // A delayed payment (SEPA, ACH: days) may still succeed: never sell a second one meanwhile.
  if (orders.some((o) => o.status === 'awaiting_payment')) return 'a payment for this customization is still being processed';
  return null;
}

/**
 * Starts paying for a customization: a Stripe Checkout Session (mode
 * `payment`, price from env, `client_reference_id`, metadata on the session
 * AND on the PaymentIntent, since Stripe does not copy one to the other), plus
 * the order row in `pending_payment` so the success page can show it before
 * the webhook arrives.
 *
 * Idempotent: the order id and the Stripe idempotency key are derived from the
 * customization and the number of its earlier orders, so a retried or
 * concurrent request gets the same session and order. An unexpired open
 * session is handed out again instead of creating another.
 *
 * The checks run twice: first to avoid calling Stripe needlessly, then again
 * under the customization's payment lock (the one payment intake holds) in
 * the transaction that records the order, because a delayed webhook for an
 * earlier session can pay it while Stripe creates this one. A session created
 * in vain is expired at Stripe, best effort.
 * @throws ValidationError (400) for a bad body; NotFoundError (404) when the
 *   customization is missing or not the caller's (read under RLS);
 *   ConflictError (409) when it is already paid for, or a delayed payment is
 *   still being processed.
 */
export async function createCheckout(deps: CheckoutDeps, claims: JwtClaims, body: unknown): Promise<CheckoutResult> {
  const { customizationId } = parseInput(checkoutBodySchema, body, 'invalid checkout request');
  const customization = await withUserTransaction(deps.db, claims, (tx) => getCustomization(tx, customizationId));
  if (!customization) throw new NotFoundError('customization not found');

  const earlier = await listOrdersForCustomization(deps.db, customizationId);
  const conflict = checkoutConflict(earlier);
  if (conflict) throw new ConflictError(conflict);
  // An open session can still be paid until it expires: hand it out again rather than open a second.
  const open = earlier.find((o) => o.status === 'pending_payment' && o.checkoutUrl && o.checkoutExpiresAt && o.checkoutExpiresAt.getTime() > Date.now());
  if (open) return { url: open.checkoutUrl!, orderId: open.id };

  const attempt = earlier.length;
  const orderId = uuidFrom(`order:${customizationId}:${attempt}`);
  const ids = { user_id: claims.sub, customization_id: customizationId, order_id: orderId };
  let session: { id: string; url: string; expiresAt: Date };
  if (deps.stripe) {
    const created = await deps.stripe.checkout.sessions.create(
      {
        mode: 'payment',
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: deps.price.currency,
              unit_amount: deps.price.amount,
              product_data: { name: 'Personalised song (3 variants)' },
            },
          },
        ],
        ...(deps.allowPromotionCodes && { allow_promotion_codes: true }),
        client_reference_id: customizationId,
        metadata: ids,
        payment_intent_data: { metadata: ids },
        success_url: `${deps.appUrl}/orders/${orderId}?checkout=success`,
        // back to the form, filled with this customization's values
        cancel_url: `${deps.appUrl}/songs/new?from=${customizationId}`,
      },
      { idempotencyKey: `checkout-session:${customizationId}:${attempt}` },
    );
    if (!created.url) throw new Error(`Stripe returned checkout session ${created.id} without a url`);
    session = { id: created.id, url: created.url, expiresAt: new Date(created.expires_at * 1000) };
  } else {
    const id = `cs_test_dev_${createHash('sha256').update(orderId).digest('hex').slice(0, 32)}`;
    session = { id, url: `${deps.appUrl}/dev/checkout/${id}`, expiresAt: new Date(Date.now() + 24 * 3600_000) };
  }
  const lateConflict = await withTransaction(deps.db, async (tx) => {
    await lockCustomizationPayment(tx, customizationId);
    const now = checkoutConflict(await listOrdersForCustomization(tx, customizationId));
    if (now) return now;
    await insertPendingOrder(tx, {
      id: orderId,
      userId: claims.sub,
      customizationId,
      stripeSessionId: session.id,
      amount: deps.price.amount,
      currency: deps.price.currency,
      occasionDate: customization.occasionDate,
      livemode: deps.livemode,
      checkoutUrl: session.url,
      checkoutExpiresAt: session.expiresAt,
    });
    return null;
  });
  if (lateConflict) {
    deps.log.warn(
      { orderId, stripeSessionId: session.id, reason: lateConflict },
      'customization paid while its checkout session was created; session not handed out',
    );
    await deps.stripe?.checkout.sessions
      .expire(session.id)
      .catch((err: unknown) => deps.log.warn({ err, stripeSessionId: session.id }, 'could not expire the unused checkout session; it lapses on its own'));
    throw new ConflictError(lateConflict);
  }
  deps.log.info({ orderId, stripeSessionId: session.id, dev: !deps.stripe }, 'checkout session created');
  return { url: session.url, orderId };
}

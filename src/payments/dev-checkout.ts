import type { Logger } from 'pino';
import { z } from 'zod';
import type { Db } from '../db/pool';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { buildCheckoutSessionCompletedEvent, buildSessionEvent, signStripePayload } from './dev-events';

/**
 * `card`: paid at once; `delayed`/`delayed_failure`: a delayed method that
 * succeeds/fails later; `promotion_code_100`: a 100% promotion code (nothing
 * charged, `no_payment_required`).
 */
export const devPaymentSchema = z.strictObject({ method: z.enum(['card', 'delayed', 'delayed_failure', 'promotion_code_100']) });

export interface DevCheckoutDeps {
  db: Db;
  appUrl: string;
  webhookSecret: string;
  /** With a real Stripe key the dev checkout does not exist. */
  stripeConfigured: boolean;
  log: Logger;
  /** Delay before the async payment result of a delayed method is sent (ms). */
  asyncDelayMs?: number;
}

export interface DevCheckoutSession {
  orderId: string;
  status: string;
  amount: number;
  currency: string;
}

/** The promotion code the dev checkout's "Pay with a 100% code" button applies. */
export const DEV_PROMOTION_CODE_ID = 'promo_dev_100_percent';

/** The pending order behind a dev checkout session. @throws NotFoundError (404) */
export async function getDevCheckoutSession(deps: DevCheckoutDeps, sessionId: string): Promise<DevCheckoutSession> {
  if (deps.stripeConfigured || !/^cs_test_dev_[0-9a-f]{32}$/.test(sessionId)) throw new NotFoundError('checkout session not found');
  const { rows } = await deps.db.query<DevCheckoutSession>(
    `select id as "orderId", status, amount, currency from public.orders where stripe_session_id = $1`,
    [sessionId],
  );
  if (!rows[0]) throw new NotFoundError('checkout session not found');
  return rows[0];
}

/**
 * Pays a dev checkout session the way Stripe would report it: sends our own
 * webhook endpoint the events Stripe sends, signed with the real scheme (like
 * `stripe trigger`). `card`: `checkout.session.completed` (paid). `delayed`:
 * `completed` (unpaid) now and `async_payment_succeeded` a moment later;
 * `delayed_failure`: the same with `async_payment_failed`;
 * `promotion_code_100`: `completed` with a 100% discount, as Stripe reports it:
 * `no_payment_required`, `amount_total` 0, no payment intent.
 * @returns where to send the customer next (the order page).
 * @throws NotFoundError (404) without a dev session; ConflictError (409) when
 *   the session is no longer waiting for payment; ValidationError (400).
 */
export async function payDevCheckout(deps: DevCheckoutDeps, sessionId: string, body: unknown): Promise<{ redirectUrl: string }> {
  const parsed = devPaymentSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError('method must be card, delayed, delayed_failure or promotion_code_100');
  const { method } = parsed.data;
  const session = await getDevCheckoutSession(deps, sessionId);
  if (session.status !== 'pending_payment') throw new ConflictError(`checkout is already ${session.status}`);
  const { rows } = await deps.db.query<{ userId: string; customizationId: string }>(
    `select user_id as "userId", customization_id as "customizationId" from public.orders where id = $1`,
    [session.orderId],
  );
  const completed = buildCheckoutSessionCompletedEvent({
    sessionId,
    userId: rows[0]!.userId,
    customizationId: rows[0]!.customizationId,
    amount: session.amount,
    currency: session.currency,
    email: 'dev-checkout@songswipe.test',
    ...(method === 'promotion_code_100'
      ? { discount: { amount: session.amount, promotionCodeId: DEV_PROMOTION_CODE_ID } }
      : { paymentStatus: method === 'card' ? 'paid' : 'unpaid' }),
  });
  const send = async (event: unknown) => {
    const { body: payload, signature } = await signStripePayload(event, deps.webhookSecret);
    const res = await fetch(`${deps.appUrl}/api/stripe/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
    });
    if (!res.ok) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
  };
  await send(completed);
  if (method === 'delayed' || method === 'delayed_failure') {
    const later = buildSessionEvent(
      completed,
      method === 'delayed' ? 'checkout.session.async_payment_succeeded' : 'checkout.session.async_payment_failed',
    );
    setTimeout(() => {
      send(later).catch((err: unknown) => deps.log.error({ err, orderId: session.orderId }, 'dev checkout: async payment event failed'));
    }, deps.asyncDelayMs ?? 3000);
  }
  deps.log.info({ orderId: session.orderId, method }, 'dev checkout paid');
  return { redirectUrl: `${deps.appUrl}/orders/${session.orderId}?checkout=success` };
}

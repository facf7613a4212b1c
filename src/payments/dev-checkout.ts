import type { Logger } from 'pino';
import { z } from 'zod';
import type { Env } from '../config/env';
import type { Db, JwtClaims } from '../db/pool';
import { ConflictError, NotFoundError } from '../errors';
import { parseInput } from '../validation/parse-input';
import { buildCheckoutSessionCompletedEvent, buildSessionEvent, signStripePayload } from './dev-events';

/**
 * `card`: paid at once; `delayed`/`delayed_failure`: a delayed method that
 * succeeds/fails later; `promotion_code_100`: a 100% promotion code (nothing
 * charged, `no_payment_required`).
 */
export const devPaymentSchema = z.strictObject({ method: z.enum(['card', 'delayed', 'delayed_failure', 'promotion_code_100']) });

/** The promotion code the dev checkout's "Pay with a 100% code" button applies. */
export const DEV_PROMOTION_CODE_ID = 'promo_dev_100_percent';

export interface DevCheckoutDeps {
  db: Db;
  appUrl: string;
  webhookSecret: string;
  /** Whether the dev checkout exists at all: see devCheckoutEnabled. */
  enabled: boolean;
  log: Logger;
  /** Delay before the async payment result of a delayed method is sent (ms). */
  asyncDelayMs?: number;
}

export interface DevCheckoutSession {
  orderId: string;
  userId: string;
  customizationId: string;
  status: string;
  amount: number;
  currency: string;
}

/**
 * Whether the local dev checkout exists: in local mode without a Stripe key
 * only. In deployment mode it never does, whatever the Stripe configuration:
 * a deployment that forgot STRIPE_SECRET_KEY once handed out free songs
 * through it (issue 13).
 */
export function devCheckoutEnabled(e: Pick<Env, 'mode' | 'STRIPE_SECRET_KEY'>): boolean {
  return e.mode === 'local' && !e.STRIPE_SECRET_KEY;
}

const notFound = () => new NotFoundError('checkout session not found');

/**
 * The order behind a dev checkout session (server-side: it carries the owner's id).
 * @throws NotFoundError (404) when the dev checkout is disabled, or the session is malformed or unknown.
 */
export async function getDevCheckoutSession(deps: DevCheckoutDeps, sessionId: string): Promise<DevCheckoutSession> {
  if (!deps.enabled || !/^cs_test_dev_[0-9a-f]{32}$/.test(sessionId)) throw notFound();
  const { rows } = await deps.db.query<DevCheckoutSession>(
    `select id as "orderId", user_id as "userId", customization_id as "customizationId", status, amount, currency
     from public.orders where stripe_session_id = $1`,
    [sessionId],
  );
  if (!rows[0]) throw notFound();
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
 *
 * Only the session's owner pays: a dev session id is not a bearer capability.
 * Anyone else (no token, an invalid one, another user) gets the same 404 as
 * for a missing session, before the body is even read.
 * @param payer the caller's verified claims, or null when not signed in.
 * @param readBody reads the JSON body (called only for the owner).
 * @returns where to send the customer next (the order page).
 * @throws NotFoundError (404) when disabled, unknown or not the payer's;
 *   ValidationError (400); ConflictError (409) when the session is no longer
 *   waiting for payment.
 */
export async function payDevCheckout(
  deps: DevCheckoutDeps,
  sessionId: string,
  payer: JwtClaims | null,
  readBody: () => Promise<unknown>,
): Promise<{ redirectUrl: string }> {
  const session = await getDevCheckoutSession(deps, sessionId);
  if (!payer || payer.sub !== session.userId) throw notFound();
  const { method } = parseInput(devPaymentSchema, await readBody(), 'method must be card, delayed, delayed_failure or promotion_code_100');
  if (session.status !== 'pending_payment') throw new ConflictError(`checkout is already ${session.status}`);
  const completed = buildCheckoutSessionCompletedEvent({
    sessionId,
    userId: session.userId,
    customizationId: session.customizationId,
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
    const later = buildSessionEvent(completed, method === 'delayed' ? 'checkout.session.async_payment_succeeded' : 'checkout.session.async_payment_failed');
    setTimeout(() => {
      send(later).catch((err: unknown) => deps.log.error({ err, orderId: session.orderId }, 'dev checkout: async payment event failed'));
    }, deps.asyncDelayMs ?? 3000);
  }
  deps.log.info({ orderId: session.orderId, method }, 'dev checkout paid');
  return { redirectUrl: `${deps.appUrl}/orders/${session.orderId}?checkout=success` };
}

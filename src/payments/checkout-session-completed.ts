import { applySessionEvent } from './apply-session-event';
import { discountCoversPrice } from './session-amounts';
import type { WebhookEventHandler } from './webhook-context';

/**
 * `checkout.session.completed`. `paid`: fulfil. `unpaid`: a delayed payment
 * method (SEPA, ACH, Boleto…) completed the session before the money arrived,
 * so wait for `checkout.session.async_payment_succeeded`. `no_payment_required`
 * (a 100% promotion code) is fulfilled only when the discount accounts for the
 * whole price; the trust check has already verified that the session's
 * subtotal is the price and its arithmetic adds up, so a forged `amount_total`
 * of 0 without a discount is held for review.
 */
export const onCheckoutSessionCompleted: WebhookEventHandler = (ctx) =>
  applySessionEvent(ctx, (session) => {
    if (session.payment_status === 'paid') return { target: 'paid' };
    if (session.payment_status === 'unpaid') return { target: 'awaiting_payment' };
    return discountCoversPrice(session) ? { target: 'paid' } : { reject: 'no payment required, but the discount does not cover the price' };
  });

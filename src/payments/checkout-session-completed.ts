import { applySessionEvent } from './apply-session-event';
import type { WebhookEventHandler } from './webhook-context';

/**
 * `checkout.session.completed`. `paid`: fulfil. `unpaid`: a delayed payment
 * method (SEPA, ACH, Boleto…) completed the session before the money arrived,
 * so wait for `checkout.session.async_payment_succeeded`. `no_payment_required`
 * is refused unless the price is 0 (a 100% coupon must not be a free song
 * unless we chose so).
 */
export const onCheckoutSessionCompleted: WebhookEventHandler = (ctx) =>
  applySessionEvent(ctx, (session) => {
    if (session.payment_status === 'paid') return { target: 'paid' };
    if (session.payment_status === 'unpaid') return { target: 'awaiting_payment' };
    return ctx.price.amount === 0 ? { target: 'paid' } : { reject: 'no payment required, but the song is not free' };
  });

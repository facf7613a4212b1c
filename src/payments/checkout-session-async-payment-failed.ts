import { applySessionEvent } from './apply-session-event';
import type { WebhookEventHandler } from './webhook-context';

/** `checkout.session.async_payment_failed`: the delayed payment failed; never generate. */
export const onAsyncPaymentFailed: WebhookEventHandler = (ctx) => applySessionEvent(ctx, () => ({ target: 'payment_failed' }));

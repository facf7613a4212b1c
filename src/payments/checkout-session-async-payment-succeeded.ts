import { applySessionEvent } from './apply-session-event';
import type { WebhookEventHandler } from './webhook-context';

/** `checkout.session.async_payment_succeeded`: the delayed payment arrived; fulfil. */
export const onAsyncPaymentSucceeded: WebhookEventHandler = (ctx) => applySessionEvent(ctx, () => ({ target: 'paid' }));

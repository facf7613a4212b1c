import { applySessionEvent } from './apply-session-event';
import type { WebhookEventHandler } from './webhook-context';

/**
 * `checkout.session.expired`: the customer never paid. The state machine keeps
 * an order that is already paid (or failed, or refunded) where it is.
 */
export const onCheckoutSessionExpired: WebhookEventHandler = (ctx) => applySessionEvent(ctx, () => ({ target: 'expired' }));

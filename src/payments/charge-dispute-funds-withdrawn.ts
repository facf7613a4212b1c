import { applyDisputeEvent } from './apply-dispute-event';
import type { WebhookEventHandler } from './webhook-context';

/** `charge.dispute.funds_withdrawn`: Stripe took the disputed amount back; recorded on the dispute. */
export const onChargeDisputeFundsWithdrawn: WebhookEventHandler = (ctx) => applyDisputeEvent(ctx, 'withdrawn');

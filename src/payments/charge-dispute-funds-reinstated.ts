import { applyDisputeEvent } from './apply-dispute-event';
import type { WebhookEventHandler } from './webhook-context';

/** `charge.dispute.funds_reinstated`: the disputed amount came back (dispute won); recorded on the dispute. */
export const onChargeDisputeFundsReinstated: WebhookEventHandler = (ctx) => applyDisputeEvent(ctx, 'reinstated');

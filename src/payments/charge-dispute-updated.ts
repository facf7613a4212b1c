import { applyDisputeEvent } from './apply-dispute-event';
import type { WebhookEventHandler } from './webhook-context';

/** `charge.dispute.updated`: evidence submitted, status or deadline changed; recorded. */
export const onChargeDisputeUpdated: WebhookEventHandler = (ctx) => applyDisputeEvent(ctx, null);

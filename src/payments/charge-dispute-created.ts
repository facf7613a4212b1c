import { applyDisputeEvent } from './apply-dispute-event';
import type { WebhookEventHandler } from './webhook-context';

/**
 * `charge.dispute.created`: a chargeback (or an inquiry) was opened. The order
 * becomes `disputed`, keeps sharing and generating (the song may be the
 * evidence), and the operator gets a `payment_dispute` dead letter with the
 * evidence due date.
 */
export const onChargeDisputeCreated: WebhookEventHandler = (ctx) => applyDisputeEvent(ctx, null);

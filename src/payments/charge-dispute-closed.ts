import { applyDisputeEvent } from './apply-dispute-event';
import type { WebhookEventHandler } from './webhook-context';

/**
 * `charge.dispute.closed`: `won` (or `warning_closed`) returns the order to
 * `paid`; `lost` moves it to `refunded` (share links revoked, unfinished
 * generation stopped). The dispute's alert is resolved either way.
 */
export const onChargeDisputeClosed: WebhookEventHandler = (ctx) => applyDisputeEvent(ctx, null);

import type { DBOSClient } from '@dbos-inc/dbos-sdk';
import type { Logger } from 'pino';
import { claimStripeEvent, markStripeEventProcessed } from '../db/stripe-events';
import { type Db, withTransaction } from '../db/pool';
import { ValidationError } from '../errors';
import { onCheckoutSessionCompleted } from './checkout-session-completed';
import { stripeEventSchema } from './event-schemas';
import type { Price } from './price';
import { verifyWebhookEvent } from './verify-webhook';
import type { WebhookEventHandler } from './webhook-context';

/** One handler per event type; other types are recorded and acknowledged. */
const HANDLERS: Record<string, WebhookEventHandler> = {
  'checkout.session.completed': onCheckoutSessionCompleted,
};

export interface WebhookDeps {
  db: Db;
  dbos: DBOSClient;
  webhookSecrets: readonly string[];
  price: Price;
  log: Logger;
}

export interface WebhookResult {
  eventId: string;
  duplicate: boolean;
}

/**
 * Payment intake: verifies a Stripe webhook delivery and applies it in ONE
 * transaction: claim `event.id` in `stripe_events` (a duplicate stops there),
 * run the event type's handler (order upsert, workflow enqueue), stamp
 * `processed_at`. If anything throws, all of it rolls back, so Stripe's retry
 * finds the event unclaimed and can succeed later.
 *
 * Stripe docs: events are delivered at least once and in no guaranteed order.
 * @param rawBody the body exactly as received (`await req.text()`, read once).
 * @throws ValidationError (400) on a missing/bad/stale signature or a malformed
 *   event; nothing is written.
 */
export async function handleStripeWebhook(deps: WebhookDeps, rawBody: string, signature: string | null): Promise<WebhookResult> {
  const verified = await verifyWebhookEvent(rawBody, signature, deps.webhookSecrets);
  const parsed = stripeEventSchema.safeParse(verified);
  if (!parsed.success) throw new ValidationError('malformed Stripe event');
  const event = parsed.data;
  const log = deps.log.child({ stripeEventId: event.id, eventType: event.type });

  const duplicate = await withTransaction(deps.db, async (tx) => {
    if (!(await claimStripeEvent(tx, event))) return true;
    const handler = HANDLERS[event.type];
    if (handler) await handler({ tx, event, dbos: deps.dbos, price: deps.price, log });
    else log.info('event type not handled; recorded and acknowledged');
    await markStripeEventProcessed(tx, event.id);
    return false;
  });
  if (duplicate) log.info('duplicate delivery; already processed');
  return { eventId: event.id, duplicate };
}

import type { Logger } from 'pino';
import { claimProcessedStripeEvent, isStripeEventRecorded } from '../db/stripe-events';
import { type Db, withTransaction } from '../db/pool';
import type { GenerationScheduler } from '../generation/scheduler';
import { ValidationError } from '../errors';
import { onChargeDisputeClosed } from './charge-dispute-closed';
import { onChargeDisputeCreated } from './charge-dispute-created';
import { onChargeDisputeFundsReinstated } from './charge-dispute-funds-reinstated';
import { onChargeDisputeFundsWithdrawn } from './charge-dispute-funds-withdrawn';
import { onChargeDisputeUpdated } from './charge-dispute-updated';
import { onChargeRefundUpdated } from './charge-refund-updated';
import { onChargeRefunded } from './charge-refunded';
import { onAsyncPaymentFailed } from './checkout-session-async-payment-failed';
import { onAsyncPaymentSucceeded } from './checkout-session-async-payment-succeeded';
import { onCheckoutSessionCompleted } from './checkout-session-completed';
import { onCheckoutSessionExpired } from './checkout-session-expired';
import { paymentIntentOf, stripeEventSchema } from './event-schemas';
import type { Price } from './price';
import { verifyWebhookEvent } from './verify-webhook';
import type { WebhookEventHandler } from './webhook-context';

/** Thrown inside the intake transaction to roll back a delivery whose event id is already recorded. */
class DuplicateDelivery extends Error {}

/** One handler per event type; other types are recorded and acknowledged. */
const HANDLERS: Record<string, WebhookEventHandler> = {
  'checkout.session.completed': onCheckoutSessionCompleted,
  'checkout.session.async_payment_succeeded': onAsyncPaymentSucceeded,
  'checkout.session.async_payment_failed': onAsyncPaymentFailed,
  'checkout.session.expired': onCheckoutSessionExpired,
  'charge.refunded': onChargeRefunded,
  'charge.refund.updated': onChargeRefundUpdated,
  'charge.dispute.created': onChargeDisputeCreated,
  'charge.dispute.updated': onChargeDisputeUpdated,
  'charge.dispute.closed': onChargeDisputeClosed,
  'charge.dispute.funds_withdrawn': onChargeDisputeFundsWithdrawn,
  'charge.dispute.funds_reinstated': onChargeDisputeFundsReinstated,
};

/** The event types a Stripe webhook endpoint must send this app. */
export const HANDLED_EVENT_TYPES = Object.keys(HANDLERS);

export interface WebhookDeps {
  db: Db;
  scheduler: GenerationScheduler;
  webhookSecrets: readonly string[];
  /** true with a live secret key: test-mode events are then refused, and vice versa. */
  livemode: boolean;
  price: Price;
  log: Logger;
}

export interface WebhookResult {
  eventId: string;
  duplicate: boolean;
  /** What intake did, as recorded on `stripe_events.outcome` (undefined for duplicates). */
  outcome?: string;
}

/**
 * Payment intake: verifies a Stripe webhook delivery and applies it in ONE
 * transaction: run the event type's handler (order state machine, workflow
 * enqueue), then claim `event.id` in `stripe_events` stamped processed with the
 * outcome, in one statement (`claimProcessedStripeEvent`). A duplicate finds
 * the id taken and rolls its whole transaction back, so it did nothing; its
 * handler's log lines are followed by "duplicate delivery". If anything throws,
 * all of it rolls back, so Stripe's retry finds the event unclaimed and can
 * succeed later; a delivery whose handler throws for an event already recorded
 * is answered as the duplicate it is.
 *
 * Claiming last instead of first saves the round trip of a separate processed
 * stamp on every event, and costs a duplicate the handler's work (rolled back).
 * Duplicates are the rare case; every handler is idempotent under the SQL
 * state machine and takes its locks in the same order, so a concurrent
 * duplicate waits on the first one's locks and then on its primary key.
 *
 * Stripe docs: events are delivered at least once, in no guaranteed order, and
 * retried for up to three days.
 * @param rawBody the body exactly as received (`await req.text()`, read once).
 * @throws ValidationError (400) on a missing/bad/stale signature, a malformed
 *   event, or an event of the other mode (test vs live); nothing is written.
 */
export async function handleStripeWebhook(deps: WebhookDeps, rawBody: string, signature: string | null): Promise<WebhookResult> {
  const verified = await verifyWebhookEvent(rawBody, signature, deps.webhookSecrets);
  const parsed = stripeEventSchema.safeParse(verified);
  if (!parsed.success) throw new ValidationError('malformed Stripe event');
  const event = parsed.data;
  const log = deps.log.child({ stripeEventId: event.id, eventType: event.type });
  if (event.livemode !== deps.livemode) {
    log.warn({ livemode: event.livemode }, 'event from the other Stripe mode refused');
    throw new ValidationError(`${event.livemode ? 'live' : 'test'}-mode event sent to a ${deps.livemode ? 'live' : 'test'}-mode endpoint`);
  }

  const afterCommit: (() => Promise<void>)[] = [];
  const duplicate: WebhookResult = { eventId: event.id, duplicate: true };
  let result: WebhookResult;
  try {
    result = await withTransaction(deps.db, async (tx): Promise<WebhookResult> => {
      const handler = HANDLERS[event.type];
      const outcome = handler
        ? await handler({ tx, event, scheduler: deps.scheduler, price: deps.price, log, afterCommit: (fn) => afterCommit.push(fn) })
        : 'ignored';
      const claimed = await claimProcessedStripeEvent(tx, {
        id: event.id,
        type: event.type,
        livemode: event.livemode,
        objectId: event.data.object.id ?? null,
        paymentIntent: paymentIntentOf(event.data.object),
        outcome,
      });
      if (!claimed) throw new DuplicateDelivery();
      if (!handler) log.info('event type not handled; recorded and acknowledged');
      return { eventId: event.id, duplicate: false, outcome };
    });
  } catch (err) {
    afterCommit.length = 0; // rolled back: nothing to follow up
    if (!(err instanceof DuplicateDelivery) && !(await isStripeEventRecorded(deps.db, event.id).catch(() => false))) throw err;
    result = duplicate;
  }
  if (result.duplicate) log.info('duplicate delivery; already processed, this delivery rolled back');
  for (const fn of afterCommit) {
    await fn().catch((err: unknown) => log.error({ err }, 'after-commit action failed'));
  }
  // Inngest: one attempt at starts committed earlier but never accepted (the outbox relay).
  await deps.scheduler.relayPending().catch((err: unknown) => log.warn({ err }, 'generation outbox relay failed; the cron relay retries'));
  return result;
}

import type { Queryable as Tx } from './pool';

export interface StripeEventRecord {
  id: string;
  type: string;
  livemode: boolean;
  /** `data.object.id`: the checkout session, charge, … the event is about. */
  objectId: string | null;
  /** The payment intent the event concerns, when it names one. */
  paymentIntent: string | null;
}

/**
 * Claims a webhook event by its id, inside the caller's transaction. Returns false
 * when the id is already recorded: a duplicate delivery, which must do nothing.
 * A concurrent duplicate blocks on the primary key until the first transaction
 * ends, so if that one rolls back, this one claims the event instead: the
 * ledger never says "processed" for work that rolled back.
 */
export async function claimStripeEvent(tx: Tx, event: StripeEventRecord): Promise<boolean> {
  const { rowCount } = await tx.query(
    `insert into public.stripe_events (id, type, livemode, object_id, payment_intent) values ($1, $2, $3, $4, $5)
     on conflict (id) do nothing`,
    [event.id, event.type, event.livemode, event.objectId, event.paymentIntent],
  );
  return rowCount === 1;
}

/** Stamps `processed_at` and what was done, in the same transaction as the work it describes. */
export async function markStripeEventProcessed(tx: Tx, eventId: string, outcome: string): Promise<void> {
  await tx.query(`update public.stripe_events set processed_at = now(), outcome = $2 where id = $1`, [eventId, outcome]);
}

/**
 * Outcome of a full refund that arrived before any order had its payment
 * intent: the checkout event then lands the order on `refunded`
 * (`paymentIntentSettlement`).
 */
export const REFUND_BEFORE_ORDER = 'refund_before_order';

/**
 * Serialises, until the end of the caller's transaction, every intake
 * transaction about one payment intent. A refund and a checkout completion for
 * the same payment can arrive at the same moment; without this, neither sees
 * the other's uncommitted row and the refunded order would still be fulfilled.
 */
export async function lockPaymentIntent(tx: Tx, paymentIntent: string): Promise<void> {
  await tx.query(`select pg_advisory_xact_lock(hashtext('songswipe.payment_intent'), hashtext($1))`, [paymentIntent]);
}

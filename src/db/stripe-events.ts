import type { Queryable as Tx } from './pool';
import type { Columns } from './rows';

/**
 * A webhook event as the ledger records it: `objectId` is `data.object.id`
 * (the checkout session, charge, … the event is about), `paymentIntent` the
 * payment intent it concerns when it names one, `outcome` what intake did.
 */
export type StripeEventRecord = Columns<'stripe_events', 'id' | 'type' | 'livemode' | 'object_id' | 'payment_intent'> & { outcome: string };

/**
 * Claims a webhook event by its id and stamps it processed with its outcome,
 * in one statement, at the end of the caller's transaction, after the work it
 * describes (`processed_at` is `now()`, the transaction's start, as before).
 * Returns false when the id is already recorded: a duplicate delivery, whose
 * caller must roll its transaction back so it did nothing.
 * A concurrent duplicate blocks on the primary key until the first transaction
 * ends, so if that one rolls back, this one claims the event instead: the
 * ledger never says "processed" for work that rolled back.
 */
export async function claimProcessedStripeEvent(tx: Tx, event: StripeEventRecord): Promise<boolean> {
  const { rowCount } = await tx.query(
    `insert into public.stripe_events (id, type, livemode, object_id, payment_intent, processed_at, outcome)
     values ($1, $2, $3, $4, $5, now(), $6)
     on conflict (id) do nothing`,
    [event.id, event.type, event.livemode, event.objectId, event.paymentIntent, event.outcome],
  );
  return rowCount === 1;
}

/** Whether the event is already recorded (committed), read outside any intake transaction. */
export async function isStripeEventRecorded(db: Tx, eventId: string): Promise<boolean> {
  const { rowCount } = await db.query('select 1 from public.stripe_events where id = $1', [eventId]);
  return rowCount === 1;
}

/**
 * Outcome of a full refund that arrived before any order had its payment
 * intent: the checkout event then lands the order on `refunded`
 * (`SessionFacts.settlement`, session-facts.ts).
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

import type { Queryable as Tx } from './pool';

/**
 * Claims a webhook event by its id, inside the caller's transaction. Returns false
 * when the id is already recorded: a duplicate delivery, which must do nothing.
 * A concurrent duplicate blocks on the primary key until the first transaction
 * ends, so if that one rolls back, this one claims the event instead.
 */
export async function claimStripeEvent(
  tx: Tx,
  event: { id: string; type: string; livemode: boolean },
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `insert into public.stripe_events (id, type, livemode) values ($1, $2, $3)
     on conflict (id) do nothing`,
    [event.id, event.type, event.livemode],
  );
  return rowCount === 1;
}

/** Stamps `processed_at` in the same transaction as the work it describes. */
export async function markStripeEventProcessed(tx: Tx, eventId: string): Promise<void> {
  await tx.query(`update public.stripe_events set processed_at = now() where id = $1`, [eventId]);
}

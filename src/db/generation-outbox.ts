import type { Queryable, Tx } from './pool';

/** One event the Inngest engine must receive (`public.generation_outbox`). */
export interface OutboxEvent {
  /** Inngest event id (`order:<orderId>`, …): Inngest de-duplicates on it for 24 h. */
  eventId: string;
  /** Inngest event name, e.g. `song/order.paid`. */
  eventName: string;
  /** Ids only: never a story, an email or a share token. */
  data: Record<string, string | number>;
  orderId: string;
}

/** An unsent outbox row, locked by the caller's transaction. */
export interface LockedOutboxRow extends OutboxEvent {
  id: string;
}

/**
 * Records `event` in the caller's transaction. A second insert of the same
 * event id is a no-op (one row, hence one send, per start).
 * @returns true when this call inserted it.
 */
export async function insertOutboxEvent(tx: Tx, event: OutboxEvent): Promise<boolean> {
  const { rowCount } = await tx.query(
    `insert into public.generation_outbox (event_id, event_name, payload, order_id)
     values ($1, $2, $3, $4) on conflict (event_id) do nothing`,
    [event.eventId, event.eventName, JSON.stringify(event.data), event.orderId],
  );
  return rowCount === 1;
}

const LOCKED_COLUMNS = `id::text, event_id as "eventId", event_name as "eventName", payload as data, order_id::text as "orderId"`;

/** Which unsent rows to lock. */
export interface UnsentRowFilter {
  limit: number;
  /** Only this row (the send right after its commit); all when omitted. */
  eventId?: string;
  /** Skip rows whose last send was tried less than this long ago, ms. */
  notTriedWithinMs?: number;
}

/**
 * Locks unsent rows for sending, oldest first, skipping rows another sender
 * holds (`for update skip locked`): two relays never send the same row at once.
 */
export async function lockUnsentOutboxRows(tx: Tx, filter: UnsentRowFilter): Promise<LockedOutboxRow[]> {
  const { rows } = await tx.query<LockedOutboxRow>(
    `select ${LOCKED_COLUMNS} from public.generation_outbox
     where sent_at is null and ($2::text is null or event_id = $2)
       and ($3::int is null or last_attempt_at is null or last_attempt_at < now() - make_interval(secs => $3 / 1000.0))
     order by created_at limit $1 for update skip locked`,
    [filter.limit, filter.eventId ?? null, filter.notTriedWithinMs ?? null],
  );
  return rows;
}

/** Marks a row accepted by Inngest, with the ids Inngest gave the event. */
export async function markOutboxSent(tx: Tx, id: string, inngestEventIds: string[]): Promise<void> {
  await tx.query(
    `update public.generation_outbox
     set sent_at = now(), send_attempts = send_attempts + 1, last_attempt_at = now(), last_error = null, inngest_event_ids = $2 where id = $1`,
    [id, inngestEventIds],
  );
}

/** Records a failed send; the row stays unsent for the relay. */
export async function markOutboxSendFailed(tx: Tx, id: string, error: string): Promise<void> {
  await tx.query(`update public.generation_outbox set send_attempts = send_attempts + 1, last_attempt_at = now(), last_error = $2 where id = $1`, [
    id,
    error.slice(0, 2000),
  ]);
}

/** The outbox rows of an order, oldest first (run status). */
export async function listOrderOutbox(
  db: Queryable,
  orderId: string,
): Promise<{ eventId: string; eventName: string; sentAt: Date | null; inngestEventIds: string[] | null }[]> {
  const { rows } = await db.query(
    `select event_id as "eventId", event_name as "eventName", sent_at as "sentAt", inngest_event_ids as "inngestEventIds"
     from public.generation_outbox where order_id = $1 order by created_at`,
    [orderId],
  );
  return rows;
}

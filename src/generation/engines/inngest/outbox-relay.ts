import type { Inngest } from 'inngest';
import type { Logger } from 'pino';
import { lockUnsentOutboxRows, markOutboxSendFailed, markOutboxSent } from '../../../db/generation-outbox';
import { type Db, withTransaction } from '../../../db/pool';

/** Rows one relay pass sends at most (the cron runs every minute). */
export const RELAY_BATCH = 100;

export interface OutboxSendResult {
  sent: number;
  failed: number;
}

/**
 * Sends unsent `generation_outbox` rows to Inngest, each with `inngest.send`
 * under its own event id, and marks a row sent only once Inngest accepted it.
 *
 * Each row is sent while this transaction holds its row lock (`for update skip
 * locked`), so two senders (the send right after commit, a webhook's relay
 * attempt, the cron relay) never send the same row at once; a row sent and
 * marked is not picked again. A crash between Inngest's answer and our mark
 * leaves the row unsent: the next pass sends it again under the same id, and
 * Inngest de-duplicates it (24 h, https://www.inngest.com/docs/guides/handling-idempotency).
 * A failed send is recorded on the row (`send_attempts`, `last_error`) and left for the next pass.
 * @param eventId send only this row (right after its commit); all unsent rows when omitted.
 */
export async function sendOutbox(db: Db, inngest: Inngest, log: Logger, eventId?: string): Promise<OutboxSendResult> {
  return withTransaction(db, async (tx) => {
    const rows = await lockUnsentOutboxRows(tx, RELAY_BATCH, eventId);
    let sent = 0;
    let failed = 0;
    for (const row of rows) {
      try {
        const { ids } = await inngest.send({ id: row.eventId, name: row.eventName, data: row.data });
        await markOutboxSent(tx, row.id, ids);
        sent++;
      } catch (err) {
        failed++;
        await markOutboxSendFailed(tx, row.id, String((err as Error)?.message ?? err));
        log.warn({ err, eventId: row.eventId, orderId: row.orderId }, 'Inngest did not accept a generation event; the relay sends it again');
      }
    }
    if (rows.length > 0) log.info({ sent, failed }, 'generation outbox sent');
    return { sent, failed };
  });
}

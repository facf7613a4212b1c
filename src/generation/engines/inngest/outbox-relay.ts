import type { Inngest } from 'inngest';
import type { Logger } from 'pino';
import { lockUnsentOutboxRows, markOutboxSendFailed, markOutboxSent } from '../../../db/generation-outbox';
import { type Db, withTransaction } from '../../../db/pool';

/** Rows one cron relay pass sends at most (the cron runs every minute). */
export const RELAY_BATCH = 100;

/**
 * The relay attempt a webhook makes after its own transaction: a few rows, none
 * tried in the last 30 s (the send right after their commit just failed), and it
 * stops at the first failure. So an Inngest outage costs a webhook one failed
 * send (the SDK's own 5 tries, ~2 s), never one per backlog row; the cron relay
 * sends the rest.
 */
export const WEBHOOK_RELAY = { limit: 10, notTriedWithinMs: 30_000, stopOnFailure: true } as const;

export interface OutboxSendResult {
  sent: number;
  failed: number;
}

export interface OutboxSendOptions {
  /** Send only this row (right after its commit); all unsent rows when omitted. */
  eventId?: string;
  /** Rows at most (default RELAY_BATCH). */
  limit?: number;
  /** Skip rows tried less than this long ago, ms. */
  notTriedWithinMs?: number;
  /** Stop at the first failed send (Inngest is likely down: the rest would fail too). */
  stopOnFailure?: boolean;
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
 * A failed send is recorded on the row (`send_attempts`, `last_attempt_at`,
 * `last_error`) and left for the next pass.
 */
export async function sendOutbox(db: Db, inngest: Inngest, log: Logger, options: OutboxSendOptions = {}): Promise<OutboxSendResult> {
  return withTransaction(db, async (tx) => {
    const rows = await lockUnsentOutboxRows(tx, { limit: options.limit ?? RELAY_BATCH, eventId: options.eventId, notTriedWithinMs: options.notTriedWithinMs });
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
        if (options.stopOnFailure) break;
      }
    }
    if (rows.length > 0) log.info({ sent, failed }, 'generation outbox sent');
    return { sent, failed };
  });
}

import type { Inngest } from 'inngest';
import type { Logger } from 'pino';
import { insertOutboxEvent, listOrderOutbox } from '../../../db/generation-outbox';
import type { Db } from '../../../db/pool';
import { type GenerationRun, type GenerationScheduler, overallRunState, type RunState } from '../../scheduler';
import { inngestUrgencySeconds, ORDER_PAID_EVENT, ORDER_REFUNDED_EVENT, orderPaidEventId, VARIANT_RETRY_EVENT, variantRetryEventId } from './events';
import { sendOutbox, WEBHOOK_RELAY } from './outbox-relay';

/** Inngest's run statuses (REST API `GET /v1/events/{id}/runs`) in the port's terms. */
const RUN_STATE: Record<string, RunState> = {
  Queued: 'queued',
  Running: 'running',
  Completed: 'finished',
  Failed: 'failed',
  Cancelled: 'cancelled',
};

export interface InngestSchedulerDeps {
  db: Db;
  inngest: Inngest;
  log: Logger;
  /** Inngest's REST API base (INNGEST_BASE_URL, else Inngest Cloud's `https://api.inngest.com`). */
  apiBaseUrl: string;
  /** Bearer key of the REST API (INNGEST_SIGNING_KEY); unset against a dev server. */
  signingKey?: string;
}

/**
 * Asks Inngest for the runs an accepted event started
 * (https://api-docs.inngest.com/docs/inngest-api/, `GET /v1/events/{eventId}/runs`).
 */
async function runsOfEvent(deps: InngestSchedulerDeps, internalId: string): Promise<RunState[]> {
  const res = await fetch(new URL(`/v1/events/${encodeURIComponent(internalId)}/runs`, deps.apiBaseUrl), {
    headers: deps.signingKey ? { authorization: `Bearer ${deps.signingKey}` } : {},
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`Inngest API answered ${res.status} for the runs of event ${internalId}`);
  const body = (await res.json()) as { data?: { status?: string }[] };
  return (body.data ?? []).map((r) => RUN_STATE[r.status ?? ''] ?? 'running');
}

/**
 * The GenerationScheduler on Inngest. Inngest cannot join our transaction, so
 * a start is a `generation_outbox` row written in the caller's transaction and
 * sent with `inngest.send` after commit, under an event id Inngest
 * de-duplicates on (./outbox-relay.ts); rows whose send failed (or never
 * happened: a crash after commit) are sent by the relay, once per webhook and
 * by the `relay-generation-outbox` cron function. Cancelling sends
 * `song/order.refunded`, which every generation function has as `cancelOn`.
 */
export function inngestScheduler(deps: InngestSchedulerDeps): GenerationScheduler {
  const { db, inngest, log } = deps;
  const sendAfterCommit = (eventId: string) => async () => {
    await sendOutbox(db, inngest, log, { eventId });
  };
  return {
    engine: 'inngest',
    async startOrder(tx, orderId, afterCommit) {
      const eventId = orderPaidEventId(orderId);
      if (await insertOutboxEvent(tx, { eventId, eventName: ORDER_PAID_EVENT, data: { orderId }, orderId })) afterCommit(sendAfterCommit(eventId));
      return eventId;
    },
    async retryVariant(tx, { orderId, variantNumber, deadLetterId, priority }, afterCommit) {
      const eventId = variantRetryEventId(orderId, variantNumber, deadLetterId);
      // The urgency is fixed when the event is written: it is what Inngest ranks the run by.
      const data = { orderId, variantNumber, deadLetterId, priority, urgencySeconds: inngestUrgencySeconds(priority, Date.now()) };
      if (await insertOutboxEvent(tx, { eventId, eventName: VARIANT_RETRY_EVENT, data, orderId })) afterCommit(sendAfterCommit(eventId));
      return eventId;
    },
    async cancelOrder(orderId) {
      // One id per order: a second refund event within 24 h is de-duplicated, and cancels nothing more anyway.
      await inngest.send({ id: `refund:${orderId}`, name: ORDER_REFUNDED_EVENT, data: { orderId } });
      return (await listOrderOutbox(db, orderId)).map((r) => r.eventId);
    },
    async orderRunStatus(orderId) {
      const runs: GenerationRun[] = [];
      for (const row of await listOrderOutbox(db, orderId)) {
        if (!row.sentAt) {
          runs.push({ id: row.eventId, state: 'queued' });
          continue;
        }
        const states = (await Promise.all((row.inngestEventIds ?? []).map((id) => runsOfEvent(deps, id)))).flat();
        // Accepted, but Inngest has not scheduled a run yet.
        runs.push({ id: row.eventId, state: states.length ? overallRunState(states.map((state) => ({ id: row.eventId, state }))) : 'queued' });
      }
      return { state: overallRunState(runs), runs };
    },
    async relayPending() {
      await sendOutbox(db, inngest, log, WEBHOOK_RELAY);
    },
  };
}

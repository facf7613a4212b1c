import type { Queryable } from '../db/pool';
import { countQueueByStatus } from '../db/provider-queue';
import { forecastBacklog, readCapacitySnapshot, RECENT_CALLS } from '../generation/capacity';
import { GENERATION_QUEUE, PROVIDER_QUEUE } from '../generation/workflow-names';

/** What `npm run admin -- status` prints about capacity. */
export interface CapacityStatus {
  /** Provider-queue items by DBOS status (ENQUEUED = waiting for a slot, PENDING = running). */
  providerQueue: Record<string, number>;
  /** Order workflows by DBOS status (PENDING = waiting for their variants). */
  orderQueue: Record<string, number>;
  /** Provider calls in flight now (slots held). */
  inFlight: number;
  /** The provider queue's global concurrency; undefined before any worker ran. */
  limit: number | undefined;
  /** Median of the last RECENT_CALLS successful calls, ms. */
  medianCallMs: number | undefined;
  /** When what is queued and running now will be done (ISO 8601), at that pace. */
  backlogClearsAt: string | null;
}

/** Reads the live queues and the call ledger. */
export async function readCapacityStatus(db: Queryable): Promise<CapacityStatus> {
  const [snapshot, providerQueue, orderQueue] = await Promise.all([
    readCapacitySnapshot(db),
    countQueueByStatus(db, PROVIDER_QUEUE),
    countQueueByStatus(db, GENERATION_QUEUE),
  ]);
  return {
    providerQueue,
    orderQueue,
    inFlight: snapshot.running.length,
    limit: snapshot.concurrency,
    medianCallMs: snapshot.medianCallMs,
    backlogClearsAt: forecastBacklog(snapshot, providerQueue.ENQUEUED ?? 0).clearsAt,
  };
}

const byState = (counts: Record<string, number>) =>
  `${counts.ENQUEUED ?? 0} queued, ${counts.PENDING ?? 0} running${counts.DELAYED ? `, ${counts.DELAYED} delayed` : ''}`;

/** The status as lines for a terminal. @param nowMs the clock the backlog time is counted from. */
export function formatCapacityStatus(s: CapacityStatus, nowMs: number): string[] {
  const clears = s.backlogClearsAt ? Math.max(0, Date.parse(s.backlogClearsAt) - nowMs) : undefined;
  return [
    `provider queue (${PROVIDER_QUEUE}): ${byState(s.providerQueue)}`,
    `order workflows (${GENERATION_QUEUE}): ${byState(s.orderQueue)}`,
    `provider calls in flight: ${s.inFlight} of ${s.limit ?? '? (no worker has registered the queue)'}`,
    `median call time: ${s.medianCallMs === undefined ? 'no successful call yet' : `${(s.medianCallMs / 1000).toFixed(1)} s`} (last ${RECENT_CALLS} successful calls)`,
    `backlog cleared: ${clears === undefined ? 'unknown (no measured call time)' : `in ${(clears / 60_000).toFixed(1)} min, at ${s.backlogClearsAt}`}`,
  ];
}

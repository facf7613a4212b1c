import { medianRecentCallMs } from '../db/provider-calls';
import type { Queryable } from '../db/pool';
import { countQueuedAhead, countUnstartedOrdersAhead, getQueueConcurrency, listOrderQueueItems, listRunningItems, type QueueItem } from '../db/provider-queue';
import { forecastFinishMs } from './eta';
import { orderPriority } from './priority';
import { GENERATE_SONG_WORKFLOW, GENERATION_QUEUE, PROVIDER_QUEUE, VARIANTS_PER_ORDER } from './workflow-names';

/** How many recent successful provider calls the median call time is taken over. */
export const RECENT_CALLS = 50;

/** The provider queue as it is now: what every ETA of one request is computed from. */
export interface CapacitySnapshot {
  /** ms since the epoch when it was read. */
  nowMs: number;
  /** Provider slots (the queue's global concurrency); undefined before any worker ran. */
  concurrency: number | undefined;
  /** Median of the last RECENT_CALLS successful calls, ms; undefined before the first. */
  medianCallMs: number | undefined;
  /** Items holding a slot now. */
  running: QueueItem[];
}

/** Reads the provider queue's slots, running items and recent call times (3 queries). */
export async function readCapacitySnapshot(db: Queryable): Promise<CapacitySnapshot> {
  const [concurrency, medianCallMs, running] = await Promise.all([
    getQueueConcurrency(db, PROVIDER_QUEUE),
    medianRecentCallMs(db, RECENT_CALLS),
    listRunningItems(db, PROVIDER_QUEUE),
  ]);
  return { nowMs: Date.now(), concurrency, medianCallMs, running };
}

/** What `GET /api/orders/:id` says about when an unfinished order will be ready. */
export interface OrderEta {
  /** ISO 8601; null when there is no measured call time yet (or no worker has registered the queue). */
  estimatedReadyAt: string | null;
  /** Provider-queue items ahead of the order's first unfinished variant; 0 once one is running. */
  queuePosition: number;
}

function forecast(snapshot: CapacitySnapshot, watch: { running: QueueItem[]; queuedAhead: number; queued: number }): string | null {
  if (!snapshot.concurrency || snapshot.medianCallMs === undefined) return null;
  const mine = new Set(watch.running.map((i) => i.workflowId));
  const finishMs = forecastFinishMs({
    concurrency: snapshot.concurrency,
    medianCallMs: snapshot.medianCallMs,
    runningElapsedMs: snapshot.running.map((i) => snapshot.nowMs - (i.startedAtMs ?? snapshot.nowMs)),
    watchedRunning: snapshot.running.flatMap((item, index) => (mine.has(item.workflowId) ? [index] : [])),
    queuedAhead: watch.queuedAhead,
    watchedQueued: watch.queued,
  });
  return new Date(snapshot.nowMs + finishMs).toISOString();
}

/**
 * When an unfinished, paid order will be ready, from the live provider queue:
 * its own items there (variant children, manual retries), the items DBOS will
 * dequeue before them, and the median call time spread across the slots
 * (./eta.ts). An order whose workflow has not yet started its variants is
 * placed where they will land (by its priority). Orders ahead of it by priority
 * whose workflows have not yet started their variants count with all of them.
 * @param unfinishedVariants variants not yet complete or failed (3 when none exist yet).
 */
export async function estimateOrderReady(
  db: Queryable,
  snapshot: CapacitySnapshot,
  order: { id: string; occasionDate: string | null; unfinishedVariants: number },
): Promise<OrderEta> {
  const [items, unstarted] = await Promise.all([
    listOrderQueueItems(db, { queueName: PROVIDER_QUEUE, orderId: order.id }),
    countUnstartedOrdersAhead(db, { orderQueue: GENERATION_QUEUE, orderWorkflowName: GENERATE_SONG_WORKFLOW, orderId: order.id }),
  ]);
  const running = items.filter((i) => i.status === 'PENDING');
  const queued = items.filter((i) => i.status === 'ENQUEUED');
  const first = queued[0];
  let queuedAhead = 0;
  if (items.length === 0)
    queuedAhead = await countQueuedAhead(db, { queueName: PROVIDER_QUEUE, priority: await orderPriority(db, order), createdAtMs: snapshot.nowMs });
  else if (first) queuedAhead = await countQueuedAhead(db, { queueName: PROVIDER_QUEUE, priority: first.priority, createdAtMs: first.createdAtMs });
  if (first || items.length === 0) queuedAhead += unstarted * VARIANTS_PER_ORDER;
  const watchedQueued = items.length === 0 ? order.unfinishedVariants : queued.length;
  return { queuePosition: queuedAhead, estimatedReadyAt: forecast(snapshot, { running, queuedAhead, queued: watchedQueued }) };
}

/** The provider queue's backlog, for operators (`npm run admin -- status`). */
export interface BacklogForecast {
  queued: number;
  running: number;
  /** ISO 8601 time the items queued and running now will all be done; null without a measured call time. */
  clearsAt: string | null;
}

/** When everything on the provider queue now will be done, at the measured pace. */
export function forecastBacklog(snapshot: CapacitySnapshot, queued: number): BacklogForecast {
  return {
    queued,
    running: snapshot.running.length,
    clearsAt: forecast(snapshot, { running: snapshot.running, queuedAhead: 0, queued }),
  };
}

import type { Queryable } from './pool';
import type { Column } from './rows';

/**
 * Read-only views of DBOS's own queue table (`dbos.workflow_status`, indexed on
 * queue, status, priority, created_at for the in-flight states) and queue
 * settings (`dbos.queues`). DBOS writes them; we only count.
 */
// Row types here are hand-written: DBOS's tables belong to the pinned DBOS version, not our migrations, so they are not generated.

/** Items of one queue by DBOS status (`ENQUEUED`, `PENDING`, …), for those present. */
export async function countQueueByStatus(db: Queryable, queueName: string): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number }>(
    `select status, count(*)::int as n from dbos.workflow_status
     where queue_name = $1 and status in ('ENQUEUED', 'PENDING', 'DELAYED') group by 1`,
    [queueName],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** The queue's global concurrency as registered by the workers; undefined before any worker has run. */
export async function getQueueConcurrency(db: Queryable, queueName: string): Promise<number | undefined> {
  const { rows } = await db.query<{ concurrency: number | null }>(`select concurrency from dbos.queues where name = $1`, [queueName]);
  return rows[0]?.concurrency ?? undefined;
}

/** One item of the provider queue that is waiting or running. */
export interface QueueItem {
  workflowId: string;
  status: 'ENQUEUED' | 'PENDING';
  priority: number;
  /** When it was enqueued, ms since the epoch (DBOS's tie-break after priority). */
  createdAtMs: number;
  /** When a worker took it, ms since the epoch; null while queued. */
  startedAtMs: number | null;
}

const ITEM = `workflow_uuid as "workflowId", status, priority, created_at::float8 as "createdAtMs", started_at_epoch_ms::float8 as "startedAtMs"`;

/** The items running now (holding a slot) on `queueName`. */
export async function listRunningItems(db: Queryable, queueName: string): Promise<QueueItem[]> {
  const { rows } = await db.query<QueueItem>(`select ${ITEM} from dbos.workflow_status where queue_name = $1 and status = 'PENDING'`, [queueName]);
  return rows;
}

/**
 * An order's unfinished items on `queueName`: its variant children
 * (`order:<id>:variant:<n>`) and manual retries (named `order:<id>:…` or `retry:<id>:…`), in dequeue order.
 */
export async function listOrderQueueItems(db: Queryable, { queueName, orderId }: { queueName: string; orderId: Column<'orders', 'id'> }): Promise<QueueItem[]> {
  const { rows } = await db.query<QueueItem>(
    `select ${ITEM} from dbos.workflow_status
     where queue_name = $1 and status in ('ENQUEUED', 'PENDING')
       and (workflow_uuid like $2 or workflow_uuid like $3)
     order by priority, created_at`,
    [queueName, `order:${orderId}:%`, `retry:${orderId}:%`],
  );
  return rows;
}

/**
 * Queued items DBOS will dequeue before an item of `priority` created at
 * `createdAtMs` (lower priority first, then older first).
 */
export async function countQueuedAhead(
  db: Queryable,
  { queueName, priority, createdAtMs }: { queueName: string } & Pick<QueueItem, 'priority' | 'createdAtMs'>,
): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from dbos.workflow_status
     where queue_name = $1 and status = 'ENQUEUED' and (priority, created_at) < ($2::int, $3::bigint)`,
    [queueName, priority, Math.round(createdAtMs)],
  );
  return rows[0]!.n;
}

/**
 * Orders paid for an earlier occasion (or the same one, paid earlier) than
 * `orderId` whose order workflow has not yet put its variants on the provider
 * queue (it waits on `orderQueue`, or has just started): their variants will
 * land ahead of this order's.
 */
export async function countUnstartedOrdersAhead(
  db: Queryable,
  { orderQueue, orderWorkflowName, orderId }: { orderQueue: string; orderWorkflowName: string; orderId: Column<'orders', 'id'> },
): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `with me as (select id, occasion_date, paid_at from public.orders where id = $3)
     select count(*)::int as n
     from dbos.workflow_status w
     join public.orders o on o.id = substr(w.workflow_uuid, length('order:') + 1)::uuid
     cross join me
     where w.queue_name = $1 and w.name = $2 and w.status in ('ENQUEUED', 'PENDING') and o.id <> me.id
       and not exists (select 1 from dbos.workflow_status c where c.workflow_uuid = w.workflow_uuid || ':variant:1')
       and (o.occasion_date, o.paid_at, o.id) < (me.occasion_date, me.paid_at, me.id)`,
    [orderQueue, orderWorkflowName, orderId],
  );
  return rows[0]!.n;
}

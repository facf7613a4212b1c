import type { OrderStatus } from './orders';
import type { Queryable } from './pool';

/** What the database knows about one Checkout Session: its order, and whether the order's generate-song workflow exists. */
export interface SessionOrderState {
  stripeSessionId: string;
  /** null: no order for this session. */
  orderId: string | null;
  status: OrderStatus | null;
  /** A `generate-song` workflow with id `order:<orderId>` is recorded in the DBOS system tables. */
  workflowExists: boolean;
}

/**
 * The order state of each of `sessionIds`, one row per id (those without an
 * order too), in one round trip. Reads `dbos.workflow_status`, so it needs the
 * DBOS system tables (the worker or the first DBOS client creates them).
 * @param workflowIdPrefix what precedes the order id in its generate-song workflow id (`order:`).
 */
export async function selectSessionOrderStates(db: Queryable, sessionIds: readonly string[], workflowIdPrefix: string): Promise<SessionOrderState[]> {
  if (!sessionIds.length) return [];
  const { rows } = await db.query<SessionOrderState>(
    `select s.id as "stripeSessionId", o.id as "orderId", o.status,
            exists (select 1 from dbos.workflow_status w where w.workflow_uuid = $2 || o.id::text) as "workflowExists"
     from unnest($1::text[]) as s (id)
     left join public.orders o on o.stripe_session_id = s.id`,
    [sessionIds, workflowIdPrefix],
  );
  return rows;
}

/** One replay done by a reconciliation run. */
export interface CheckoutReconciliation {
  runId: string;
  stripeSessionId: string;
  /** The order before the replay; null when the session had none. */
  orderId: string | null;
  statusBefore: OrderStatus | null;
  /** The intake's outcome (`fulfilled`, `needs_review`, …), or `duplicate`. */
  outcome: string;
}

/** Records a replay, in the transaction that applied it. */
export async function insertCheckoutReconciliation(tx: Queryable, r: CheckoutReconciliation): Promise<void> {
  await tx.query(`insert into public.checkout_reconciliations (run_id, stripe_session_id, order_id, status_before, outcome) values ($1, $2, $3, $4, $5)`, [
    r.runId,
    r.stripeSessionId,
    r.orderId,
    r.statusBefore,
    r.outcome,
  ]);
}

/** The replays recorded by one run, oldest first. */
export async function selectCheckoutReconciliations(db: Queryable, runId: string): Promise<CheckoutReconciliation[]> {
  const { rows } = await db.query<CheckoutReconciliation>(
    `select run_id as "runId", stripe_session_id as "stripeSessionId", order_id as "orderId", status_before as "statusBefore", outcome
     from public.checkout_reconciliations where run_id = $1 order by id`,
    [runId],
  );
  return rows;
}

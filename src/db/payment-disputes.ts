import type { OrderStatus, OrderTransition } from './orders';
import type { Queryable } from './pool';
import type { Column, Columns } from './rows';

/** One dispute as a `charge.dispute.*` event reports it. */
export interface DisputeFacts {
  id: string;
  chargeId: string;
  paymentIntent: string | null;
  /** Stripe's status: `needs_response`, `under_review`, `won`, `lost`, `warning_*`. */
  status: string;
  closed: boolean;
  reason: string;
  amount: number; // cents
  currency: string;
  evidenceDueBy: Date | null;
  /** The event's `created` (unix s): orders updates of a dispute that is still open. */
  eventCreated: number;
  /** The money movement this event reports, stamped at `eventCreated`. */
  funds: 'withdrawn' | 'reinstated' | null;
}

/**
 * Records what a dispute event says, in any arrival order (Stripe does not
 * order events): a closed dispute (won, lost, warning_closed) stays closed
 * whatever arrives later; while it is open, an older event never overwrites a
 * newer one; the first funds withdrawal and reinstatement are kept.
 * @returns firstSeen: true when this is the first event about the dispute.
 */
export async function recordDispute(tx: Queryable, d: DisputeFacts): Promise<{ firstSeen: boolean }> {
  const inserted = await tx.query(
    `insert into public.payment_disputes
       (id, charge_id, payment_intent, status, reason, amount, currency, evidence_due_by, status_event_created,
        closed_at, funds_withdrawn_at, funds_reinstated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::bigint,
        case when $10::boolean then to_timestamp($9::bigint) end,
        case when $11::text = 'withdrawn' then to_timestamp($9::bigint) end,
        case when $11::text = 'reinstated' then to_timestamp($9::bigint) end)
     on conflict (id) do nothing`,
    [d.id, d.chargeId, d.paymentIntent, d.status, d.reason, d.amount, d.currency, d.evidenceDueBy, d.eventCreated, d.closed, d.funds],
  );
  if (inserted.rowCount === 1) return { firstSeen: true };
  await tx.query(
    `update public.payment_disputes d
     set status = case when n.applies then $3 else d.status end,
         reason = case when n.applies then $4 else d.reason end,
         evidence_due_by = case when n.applies then coalesce($5, d.evidence_due_by) else d.evidence_due_by end,
         status_event_created = case when n.applies then $6 else d.status_event_created end,
         closed_at = coalesce(d.closed_at, case when $7 then to_timestamp($6::bigint) end),
         payment_intent = coalesce(d.payment_intent, $2),
         funds_withdrawn_at = coalesce(d.funds_withdrawn_at, case when $8::text = 'withdrawn' then to_timestamp($6::bigint) end),
         funds_reinstated_at = coalesce(d.funds_reinstated_at, case when $8::text = 'reinstated' then to_timestamp($6::bigint) end),
         updated_at = now()
     from (select d2.closed_at is null and ($7::boolean or d2.status_event_created <= $6::bigint) as applies
           from public.payment_disputes d2 where d2.id = $1) n
     where d.id = $1`,
    [d.id, d.paymentIntent, d.status, d.reason, d.evidenceDueBy, d.eventCreated, d.closed, d.funds],
  );
  return { firstSeen: false };
}

/**
 * Moves the paid (or disputed) order of `paymentIntent` to where its disputes
 * put it, through the SQL state machine: a lost dispute → `refunded`; an open
 * one → `disputed`; all closed otherwise (won, warning_closed) → `paid`.
 * Orders not yet paid are left alone: their checkout event lands them via
 * `SessionFacts.settlement` (session-facts.ts). A refunded order stays refunded.
 * @returns the order, or undefined when no paid or disputed order has this payment intent.
 */
export async function applyDisputesToOrder(tx: Queryable, paymentIntent: string): Promise<(OrderTransition & { previousStatus: OrderStatus }) | undefined> {
  const { rows } = await tx.query<OrderTransition & { previousStatus: OrderStatus }>(
    `with target as (
       select case when bool_or(status = 'lost') then 'refunded'
                   when bool_or(closed_at is null) then 'disputed'
                   else 'paid' end::public.order_status as status
       from public.payment_disputes where payment_intent = $1
       having count(*) > 0
     ), previous as (
       select id, status from public.orders
       where stripe_payment_intent_id = $1 and status in ('paid', 'disputed')
       for update
     )
     update public.orders o
       set status = case when public.order_status_transition_allowed(p.status, t.status) then t.status else o.status end,
           updated_at = now()
     from previous p, target t
     where o.id = p.id
     returning o.id, o.status, p.status as "previousStatus"`,
    [paymentIntent],
  );
  return rows[0];
}

/** The order (any status) that paid with `paymentIntent`, if one exists yet. */
export async function orderOfPaymentIntent(tx: Queryable, paymentIntent: string | null): Promise<string | null> {
  if (!paymentIntent) return null;
  const { rows } = await tx.query<{ id: string }>(`select id from public.orders where stripe_payment_intent_id = $1 order by created_at limit 1`, [
    paymentIntent,
  ]);
  return rows[0]?.id ?? null;
}

/** Marks the operator alert of a dispute resolved: it closed, won or lost. */
export async function resolveDisputeAlert(tx: Queryable, disputeId: string): Promise<void> {
  await tx.query(
    `update public.failed_jobs set resolved_at = now()
     where job_type = 'payment_dispute' and event_data ->> 'disputeId' = $1 and resolved_at is null`,
    [disputeId],
  );
}

/** An open dispute with its order (null before the payment's checkout events); `amount` in cents, `openedAt` is `created_at`. */
export type OpenDispute = Columns<
  'payment_disputes',
  'id' | 'charge_id' | 'payment_intent' | 'status' | 'reason' | 'amount' | 'currency' | 'evidence_due_by' | 'funds_withdrawn_at'
> & { orderId: string | null; openedAt: Column<'payment_disputes', 'created_at'> };

/** Disputes not closed yet, the soonest evidence deadline first (at most 500). */
export async function selectOpenDisputes(db: Queryable): Promise<OpenDispute[]> {
  const { rows } = await db.query<OpenDispute>(
    `select d.id, o.id as "orderId", d.charge_id as "chargeId", d.payment_intent as "paymentIntent", d.status, d.reason,
            d.amount, d.currency, d.evidence_due_by as "evidenceDueBy", d.funds_withdrawn_at as "fundsWithdrawnAt",
            d.created_at as "openedAt"
     from public.payment_disputes d
     left join lateral (select id from public.orders where stripe_payment_intent_id = d.payment_intent order by created_at limit 1) o on true
     where d.closed_at is null
     order by d.evidence_due_by asc nulls last, d.created_at
     limit 500`,
  );
  return rows;
}

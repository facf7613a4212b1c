import { uuidOrNull } from '../validation/uuid';
import type { Queryable } from './pool';
import type { Column, Columns } from './rows';

/** The `order_status` enum. */
export type OrderStatus = Column<'orders', 'status'>;

/**
 * Statuses whose songs are generated and shared: `paid`, and `disputed`, since
 * the merchant may need the delivered song as evidence while a chargeback is
 * open (issue 15). A lost dispute moves the order to `refunded`.
 */
export const FULFILLABLE: readonly OrderStatus[] = ['paid', 'disputed'];

/** True when an order in `status` is generated and its share links work. */
export function isFulfillable(status: OrderStatus | undefined): boolean {
  return status !== undefined && FULFILLABLE.includes(status);
}

/**
 * Statuses in which an order holds its customization's payment: `paid` and
 * what can follow it (`disputed`, `refunded`). At most one order per
 * customization may be in one of them (unique index
 * `orders_one_paid_order_per_customization`, re-created to count `disputed`
 * by 20261130190100_promotion_codes_and_disputes.sql).
 */
export const PAID_OR_LATER: readonly OrderStatus[] = ['paid', 'disputed', 'refunded'];

/**
 * Serialises, until the end of the caller's transaction, every intake
 * transaction that could make an order of `customizationId` paid or refunded.
 * Two sessions for one customization carry different payment intents (or none,
 * for $0), so the per-payment-intent lock does not order them; without this,
 * neither sees the other's uncommitted order and both are fulfilled. Take it
 * after any payment intent lock, never before (one lock order, no deadlocks).
 */
export async function lockCustomizationPayment(tx: Queryable, customizationId: string): Promise<void> {
  await tx.query(`select pg_advisory_xact_lock(hashtext('songswipe.customization_payment'), hashtext($1))`, [customizationId]);
}

/** The checkout session facts an order is built from. */
export interface SessionOrderInput {
  userId: string;
  customizationId: string;
  stripeSessionId: string;
  stripeEventId: string;
  stripePaymentIntentId: string | null;
  /** The price (the session's subtotal), cents. */
  amount: number;
  /** Taken off by a coupon or promotion code, cents. */
  amountDiscount: number;
  /** What Stripe charged, cents. */
  amountTotal: number;
  promotionCodeId: string | null;
  currency: string;
  occasionDate: string;
  livemode: boolean;
}

/** The order after a transition; `status` is the target, or the old one if the transition was not allowed. */
export type OrderTransition = Columns<'orders', 'id' | 'status'>;

/**
 * Moves the order of a checkout session to `target`, creating it if this is the
 * first event seen for the session (Stripe events arrive in any order). The move
 * happens only if `public.order_status_transition_allowed` permits it, so a
 * late or duplicate event never moves an order backwards; the SQL trigger on
 * orders enforces the same table for every other writer.
 */
export async function transitionSessionOrder(tx: Queryable, { target, ...input }: SessionOrderInput & { target: OrderStatus }): Promise<OrderTransition> {
  const { rows } = await tx.query<OrderTransition>(
    `insert into public.orders
       (user_id, customization_id, stripe_session_id, stripe_event_id, stripe_payment_intent_id,
        status, amount, currency, occasion_date, livemode, amount_discount, amount_total, promotion_code_id)
     values ($1, $2, $3, $4, $5, $10, $6, $7, $8, $9, $11, $12, $13)
     on conflict (stripe_session_id) do update
       set status = case when public.order_status_transition_allowed(orders.status, excluded.status)
                         then excluded.status else orders.status end,
           stripe_event_id = case when public.order_status_transition_allowed(orders.status, excluded.status)
                                  then excluded.stripe_event_id else orders.stripe_event_id end,
           -- what was charged, from the event that set the status (every event
           -- of one session carries the same amounts once it is completed)
           amount_discount = case when public.order_status_transition_allowed(orders.status, excluded.status)
                                  then excluded.amount_discount else orders.amount_discount end,
           amount_total = case when public.order_status_transition_allowed(orders.status, excluded.status)
                               then excluded.amount_total else orders.amount_total end,
           promotion_code_id = case when public.order_status_transition_allowed(orders.status, excluded.status)
                                    then excluded.promotion_code_id else orders.promotion_code_id end,
           stripe_payment_intent_id = coalesce(orders.stripe_payment_intent_id, excluded.stripe_payment_intent_id),
           updated_at = now()
     returning id, status`,
    [
      input.userId,
      input.customizationId,
      input.stripeSessionId,
      input.stripeEventId,
      input.stripePaymentIntentId,
      input.amount,
      input.currency,
      input.occasionDate,
      input.livemode,
      target,
      input.amountDiscount,
      input.amountTotal,
      input.promotionCodeId,
    ],
  );
  return rows[0]!;
}

export interface ReviewInput {
  stripeSessionId: string;
  stripeEventId: string;
  stripePaymentIntentId: string | null;
  /**
   * Ids as the session claims them, unvalidated (metadata is anyone's to set):
   * kept only if they are UUIDs naming existing rows; anything else is stored as null.
   */
  claimedUserId: string | null | undefined;
  claimedCustomizationId: string | null | undefined;
  amount: number;
  currency: string;
  livemode: boolean;
  reason: string;
}

/**
 * Records a checkout session that failed the trust checks as a `needs_review`
 * order (never generated), or moves its existing order there if it has not been
 * paid yet. Claimed user and customization ids are stored only when they exist.
 * @returns the order; its status stays as it was when it may not move (e.g. paid).
 */
export async function markSessionNeedsReview(tx: Queryable, input: ReviewInput): Promise<OrderTransition> {
  const { rows } = await tx.query<OrderTransition>(
    `with refs as (
       select u.id as user_id, c.id as customization_id, c.occasion_date
       from (select 1) one
       left join auth.users u on u.id = $4::uuid
       left join public.customizations c on c.id = $5::uuid and c.user_id = u.id
     )
     insert into public.orders
       (user_id, customization_id, stripe_session_id, stripe_event_id, stripe_payment_intent_id,
        status, amount, currency, occasion_date, livemode, review_reason)
     select refs.user_id, refs.customization_id, $1, $2, $3, 'needs_review', $6, $7, refs.occasion_date, $8, $9 from refs
     on conflict (stripe_session_id) do update
       set status = case when public.order_status_transition_allowed(orders.status, 'needs_review')
                         then 'needs_review'::public.order_status else orders.status end,
           review_reason = case when public.order_status_transition_allowed(orders.status, 'needs_review')
                                then excluded.review_reason else orders.review_reason end,
           stripe_payment_intent_id = coalesce(orders.stripe_payment_intent_id, excluded.stripe_payment_intent_id),
           updated_at = now()
     returning id, status`,
    [
      input.stripeSessionId,
      input.stripeEventId,
      input.stripePaymentIntentId,
      // validated here, where they are cast: a non-UUID would fail the cast (22P02)
      uuidOrNull(input.claimedUserId),
      uuidOrNull(input.claimedCustomizationId),
      input.amount,
      input.currency,
      input.livemode,
      input.reason,
    ],
  );
  return rows[0]!;
}

/** The customizations whose orders carry `paymentIntentId` (normally one; none before its checkout events). */
export async function customizationsOfPaymentIntent(tx: Queryable, paymentIntentId: string): Promise<string[]> {
  const { rows } = await tx.query<{ customizationId: string }>(
    `select distinct customization_id as "customizationId" from public.orders
     where stripe_payment_intent_id = $1 and customization_id is not null`,
    [paymentIntentId],
  );
  return rows.map((r) => r.customizationId);
}

/**
 * Marks the order paid with `paymentIntentId` as refunded, if its status allows.
 * An order that was never paid (a refund delivered before its
 * `async_payment_succeeded`) whose customization another order already holds
 * goes to `needs_review` with `reviewReason` instead: it may not become a
 * second paid-or-later order. Call with `lockCustomizationPayment` held for the
 * order's customization, or the holder check races.
 * @returns the order after the update, or undefined when no order has this payment intent yet.
 */
export async function markOrderRefunded(
  tx: Queryable,
  { paymentIntentId, reviewReason }: { paymentIntentId: string; reviewReason: string },
): Promise<(OrderTransition & { previousStatus: OrderStatus }) | undefined> {
  const { rows } = await tx.query<OrderTransition & { previousStatus: OrderStatus }>(
    `with previous as (
       select id, status, customization_id from public.orders where stripe_payment_intent_id = $1 for update
     ), decided as (
       select p.id, p.status,
         case
           when p.status <> 'paid'
             and exists (select 1 from public.orders h
                         where h.customization_id = p.customization_id and h.id <> p.id and h.status = any($2::public.order_status[]))
             and public.order_status_transition_allowed(p.status, 'needs_review')
             then 'needs_review'::public.order_status
           when public.order_status_transition_allowed(p.status, 'refunded') then 'refunded'::public.order_status
           else p.status
         end as next
       from previous p
     )
     update public.orders o
       set status = d.next,
           review_reason = case when d.next = 'needs_review' and o.status <> 'needs_review' then $3 else o.review_reason end,
           updated_at = now()
     from decided d
     where o.id = d.id
     returning o.id, o.status, d.status as "previousStatus"`,
    [paymentIntentId, PAID_OR_LATER, reviewReason],
  );
  return rows[0];
}

export interface PendingOrderInput {
  id: string;
  userId: string;
  customizationId: string;
  stripeSessionId: string;
  amount: number;
  currency: string;
  occasionDate: string;
  livemode: boolean;
  checkoutUrl: string;
  checkoutExpiresAt: Date;
}

/**
 * Records the order of a freshly created checkout session as `pending_payment`,
 * so the success page can show it before any webhook arrives. Idempotent on
 * the session id: a replayed creation leaves the first row as it is.
 */
export async function insertPendingOrder(tx: Queryable, input: PendingOrderInput): Promise<void> {
  await tx.query(
    `insert into public.orders
       (id, user_id, customization_id, stripe_session_id, status, amount, currency, occasion_date,
        livemode, checkout_url, checkout_expires_at)
     values ($1, $2, $3, $4, 'pending_payment', $5, $6, $7, $8, $9, $10)
     on conflict (stripe_session_id) do nothing`,
    [
      input.id,
      input.userId,
      input.customizationId,
      input.stripeSessionId,
      input.amount,
      input.currency,
      input.occasionDate,
      input.livemode,
      input.checkoutUrl,
      input.checkoutExpiresAt,
    ],
  );
}

/** Orders of a customization, newest first: what a new checkout must know about earlier ones. */
export async function listOrdersForCustomization(
  tx: Queryable,
  customizationId: string,
): Promise<Columns<'orders', 'id' | 'status' | 'checkout_url' | 'checkout_expires_at'>[]> {
  const { rows } = await tx.query(
    `select id, status, checkout_url as "checkoutUrl", checkout_expires_at as "checkoutExpiresAt"
     from public.orders where customization_id = $1 order by created_at desc`,
    [customizationId],
  );
  return rows;
}

/**
 * What a generation workflow reads of its order. The columns `user_id` and
 * `customization_id` are nullable (a `needs_review` order may name neither; an
 * account deletion keeps its orders with `user_id` null), but a workflow is only
 * started for a paid order, which has both when it starts: typed non-null, as
 * the workflow uses them.
 */
export type GenerationOrder = Columns<'orders', 'id' | 'status' | 'occasion_date'> & { userId: string; customizationId: string };

/** The ids a generation workflow needs, or undefined for an unknown order. */
export async function getOrderForGeneration(tx: Queryable, orderId: string): Promise<GenerationOrder | undefined> {
  const { rows } = await tx.query<GenerationOrder>(
    `select id, user_id as "userId", customization_id as "customizationId", status, occasion_date as "occasionDate"
     from public.orders where id = $1`,
    [orderId],
  );
  return rows[0];
}

/**
 * The order's payment status, with its row locked FOR SHARE until the caller's
 * transaction ends: a refund (which updates the row) waits for it, so what the
 * caller starts under this lock is visible to the refund's cancellation.
 */
export async function lockOrderStatus(tx: Queryable, orderId: string): Promise<OrderStatus | undefined> {
  const { rows } = await tx.query<{ status: OrderStatus }>(`select status from public.orders where id = $1 for share`, [orderId]);
  return rows[0]?.status;
}

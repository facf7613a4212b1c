import type { Queryable } from './pool';

export type OrderStatus =
  | 'pending_payment'
  | 'awaiting_payment'
  | 'paid'
  | 'payment_failed'
  | 'expired'
  | 'refunded'
  | 'needs_review';

export interface PaidOrderInput {
  userId: string;
  customizationId: string;
  stripeSessionId: string;
  stripeEventId: string;
  stripePaymentIntentId: string | null;
  amount: number; // cents
  currency: string;
  occasionDate: string;
}

/**
 * Records a paid checkout session as an order, keyed by the unique
 * `stripe_session_id`, so distinct events for one session converge on one row.
 * An order still waiting for payment becomes `paid`; a later state (refunded,
 * …) is never moved back.
 * @returns the order id and its status after the upsert.
 */
export async function upsertPaidOrder(tx: Queryable, input: PaidOrderInput): Promise<{ id: string; status: OrderStatus }> {
  const { rows } = await tx.query<{ id: string; status: OrderStatus }>(
    `insert into public.orders
       (user_id, customization_id, stripe_session_id, stripe_event_id, stripe_payment_intent_id,
        status, amount, currency, occasion_date)
     values ($1, $2, $3, $4, $5, 'paid', $6, $7, $8)
     on conflict (stripe_session_id) do update
       set status = case when orders.status in ('pending_payment', 'awaiting_payment') then 'paid'::public.order_status
                         else orders.status end,
           stripe_event_id = coalesce(orders.stripe_event_id, excluded.stripe_event_id),
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
    ],
  );
  return rows[0]!;
}

/** The ids a generation workflow needs, or undefined for an unknown order. */
export async function getOrderForGeneration(
  tx: Queryable,
  orderId: string,
): Promise<{ id: string; userId: string; customizationId: string; status: OrderStatus } | undefined> {
  const { rows } = await tx.query(
    `select id, user_id as "userId", customization_id as "customizationId", status
     from public.orders where id = $1`,
    [orderId],
  );
  return rows[0];
}

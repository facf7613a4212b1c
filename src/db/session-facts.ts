import type { Customization } from './customizations';
import { PAID_OR_LATER } from './orders';
import type { Queryable } from './pool';
import type { Columns } from './rows';
import { REFUND_BEFORE_ORDER } from './stripe-events';

/**
 * Takes, until the end of the caller's transaction, the intake's two payment
 * locks in one round trip: the payment intent's (`lockPaymentIntent`), then
 * the customization's (`lockCustomizationPayment`), in that order, as every
 * intake path takes them (one lock order, no deadlocks). A null key skips its
 * lock. The `offset 0` subquery is an optimisation fence: Postgres evaluates it,
 * and so takes the first lock, before the outer select list takes the second.
 */
export async function lockSessionPayment(tx: Queryable, { paymentIntent, customizationId }: { paymentIntent: string | null; customizationId: string | null }) {
  await tx.query(
    `select case when $2::text is not null
                 then pg_advisory_xact_lock(hashtext('songswipe.customization_payment'), hashtext($2::text)) end
     from (select case when $1::text is not null
                       then pg_advisory_xact_lock(hashtext('songswipe.payment_intent'), hashtext($1::text)) end
           offset 0) first_lock`,
    [paymentIntent, customizationId],
  );
}

/** Everything the intake must know about a checkout session before it moves its order. */
export interface SessionFacts {
  /**
   * The price and customization of the order we created for this session at
   * checkout (`amount` in cents), if we created it and it is not held for review.
   */
  createdWith: (Columns<'orders', 'amount' | 'currency'> & { customizationId: string | null }) | null;
  /** Another order that already holds the customization (paid or later): its id. */
  paidBy: string | null;
  /** The customization the metadata names, if it exists. */
  customization: Customization | null;
  /**
   * Where the payment must land if this event says `paid`, given what arrived
   * before it (Stripe may deliver a refund or a dispute first): `refunded`
   * after a full refund or a lost dispute, `disputed` while a dispute is open,
   * null when nothing overrides `paid`.
   */
  settlement: 'refunded' | 'disputed' | null;
}

/**
 * Reads the trust facts (our order for the session, another paid order for the
 * customization, the customization) and the refund/dispute facts of the
 * payment intent in ONE statement: this is the webhook's hot path, and each
 * round trip held the intake's locks longer (docs/benchmarks.md).
 * Race-free only under `lockSessionPayment` for the same keys.
 * @param customizationId a UUID (the caller checks; the cast would fail otherwise).
 */
export async function readSessionFacts(
  tx: Queryable,
  { sessionId, customizationId, paymentIntent }: { sessionId: string; customizationId: string; paymentIntent: string | null },
): Promise<SessionFacts> {
  const { rows } = await tx.query<SessionFacts>(
    `select
       (select json_build_object('amount', amount, 'currency', currency, 'customizationId', customization_id) from public.orders
        where stripe_session_id = $1 and status <> 'needs_review') as "createdWith",
       (select id from public.orders
        where customization_id = $2::uuid and stripe_session_id <> $1 and status = any($3::public.order_status[]) limit 1) as "paidBy",
       (select json_build_object('id', id, 'userId', user_id, 'recipientName', recipient_name, 'occasion', occasion,
                                 'occasionDate', occasion_date, 'genre', genre, 'mood', mood, 'story', story, 'language', language)
        from public.customizations where id = $2::uuid) as customization,
       case when $4::text is null then null
            when exists (select 1 from public.stripe_events
                         where payment_intent = $4 and type = 'charge.refunded' and outcome = '${REFUND_BEFORE_ORDER}')
              or exists (select 1 from public.payment_disputes where payment_intent = $4 and status = 'lost')
              then 'refunded'
            when exists (select 1 from public.payment_disputes where payment_intent = $4 and closed_at is null)
              then 'disputed'
       end as settlement`,
    [sessionId, customizationId, PAID_OR_LATER, paymentIntent],
  );
  return rows[0]!;
}

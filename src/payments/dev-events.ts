import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

const id = (prefix: string, bytes = 12) => `${prefix}_${randomBytes(bytes).toString('hex')}`;

export interface DevCheckoutSessionInput {
  userId: string;
  customizationId: string;
  amount: number; // cents
  currency: string;
  email: string;
  paymentStatus?: 'paid' | 'unpaid' | 'no_payment_required';
  sessionId?: string;
  /**
   * A promotion code applied at checkout: `amount` cents off the subtotal
   * (`amount` = the whole price for a 100% code, which Stripe reports as
   * `no_payment_required` with no payment intent).
   */
  discount?: { amount: number; promotionCodeId: string };
}

/**
 * A `checkout.session.completed` event shaped exactly like Stripe's (ids,
 * api_version, created, livemode, and the checkout session fields we and Stripe
 * set), for the local dev checkout, the demo and tests. Not sent to Stripe.
 */
export function buildCheckoutSessionCompletedEvent(input: DevCheckoutSessionInput) {
  const created = Math.floor(Date.now() / 1000);
  const discount = input.discount?.amount ?? 0;
  const total = input.amount - discount;
  return {
    id: id('evt_test'),
    object: 'event',
    api_version: Stripe.API_VERSION,
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'checkout.session.completed',
    data: {
      object: {
        id: input.sessionId ?? id('cs_test', 24),
        object: 'checkout.session',
        status: 'complete',
        payment_status: input.paymentStatus ?? (total === 0 ? 'no_payment_required' : 'paid'),
        mode: 'payment',
        amount_subtotal: input.amount,
        amount_total: total,
        total_details: { amount_discount: discount, amount_shipping: 0, amount_tax: 0 },
        discounts: input.discount ? [{ coupon: null, promotion_code: input.discount.promotionCodeId }] : [],
        currency: input.currency,
        client_reference_id: input.customizationId,
        metadata: { user_id: input.userId, customization_id: input.customizationId },
        customer_details: { email: input.email, name: null, address: null, phone: null, tax_exempt: 'none', tax_ids: [] },
        customer_email: null,
        // Stripe creates no payment intent when nothing is charged
        payment_intent: total === 0 ? null : id('pi_test'),
        created,
        expires_at: created + 24 * 3600,
        livemode: false,
        success_url: null,
        cancel_url: null,
        url: null,
      },
    },
  };
}

/**
 * Serialises and signs a payload with Stripe's real scheme (SDK
 * `generateTestHeaderStringAsync`: `t=<unix s>,v1=<HMAC-SHA256 hex>`).
 * @returns the exact body to send and its `Stripe-Signature` header.
 */
export async function signStripePayload(
  payload: unknown,
  secret: string,
  timestampSeconds = Math.floor(Date.now() / 1000),
): Promise<{ body: string; signature: string }> {
  const body = JSON.stringify(payload);
  const signature = await Stripe.webhooks.generateTestHeaderStringAsync({ payload: body, secret, timestamp: timestampSeconds });
  return { body, signature };
}

type SessionEvent = ReturnType<typeof buildCheckoutSessionCompletedEvent>;

/**
 * Another event about the same checkout session (`checkout.session.expired`,
 * `…async_payment_succeeded`, `…async_payment_failed`), with a new event id
 * and the session's state as Stripe would report it then.
 */
export function buildSessionEvent(
  from: SessionEvent,
  type: 'checkout.session.expired' | 'checkout.session.async_payment_succeeded' | 'checkout.session.async_payment_failed',
): SessionEvent {
  const session = { ...from.data.object };
  if (type === 'checkout.session.expired') Object.assign(session, { status: 'expired', payment_status: 'unpaid' });
  if (type === 'checkout.session.async_payment_succeeded') Object.assign(session, { status: 'complete', payment_status: 'paid' });
  if (type === 'checkout.session.async_payment_failed') Object.assign(session, { status: 'complete', payment_status: 'unpaid' });
  return { ...from, id: id('evt_test'), created: Math.floor(Date.now() / 1000), type, data: { object: session } };
}

/** A new event's envelope (id, api_version, created now, livemode as `from`). */
function eventEnvelope<T extends string>(from: SessionEvent, type: T) {
  return {
    id: id('evt_test'),
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    livemode: from.livemode,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

/** A `charge.refunded` event for a session's payment intent (a full refund unless `amountRefunded` says less). */
export function buildChargeRefundedEvent(from: SessionEvent, amountRefunded = from.data.object.amount_total) {
  const amount = from.data.object.amount_total;
  return {
    ...eventEnvelope(from, 'charge.refunded'),
    data: {
      object: {
        id: id('ch_test'),
        object: 'charge',
        amount,
        amount_captured: amount,
        amount_refunded: amountRefunded,
        refunded: amountRefunded === amount,
        currency: from.data.object.currency,
        payment_intent: from.data.object.payment_intent,
        status: 'succeeded',
        livemode: from.livemode,
      },
    },
  };
}

/** The same dispute as every `charge.dispute.*` event of it would carry it. */
export interface DevDispute {
  id: string;
  /** Stripe's dispute status at the time of the event. */
  status: 'needs_response' | 'under_review' | 'won' | 'lost' | 'warning_needs_response' | 'warning_closed';
  reason?: string;
  /** Evidence deadline, unix seconds. */
  dueBy?: number;
}

/** A fresh dispute id and deadline (a week from now) for `buildDisputeEvent`. */
export function newDevDispute(): Omit<DevDispute, 'status'> {
  return { id: id('dp_test'), reason: 'fraudulent', dueBy: Math.floor(Date.now() / 1000) + 7 * 24 * 3600 };
}

/**
 * A `charge.dispute.*` event about a session's payment: the dispute object
 * Stripe sends (id, charge, payment intent, amount, reason, status,
 * `evidence_details.due_by`).
 */
export function buildDisputeEvent(
  from: SessionEvent,
  type: 'charge.dispute.created' | 'charge.dispute.updated' | 'charge.dispute.closed' | 'charge.dispute.funds_withdrawn' | 'charge.dispute.funds_reinstated',
  dispute: DevDispute,
) {
  return {
    ...eventEnvelope(from, type),
    data: {
      object: {
        id: dispute.id,
        object: 'dispute',
        amount: from.data.object.amount_total,
        currency: from.data.object.currency,
        charge: `ch_test_${from.data.object.payment_intent?.slice(8) ?? 'none'}`,
        payment_intent: from.data.object.payment_intent,
        reason: dispute.reason ?? 'fraudulent',
        status: dispute.status,
        evidence_details: { due_by: dispute.dueBy ?? null, has_evidence: false, past_due: false, submission_count: 0 },
        is_charge_refundable: false,
        livemode: from.livemode,
        created: Math.floor(Date.now() / 1000),
      },
    },
  };
}

/** A `charge.refund.updated` event: the full refund of a session's payment now has `status` (e.g. `failed`). */
export function buildRefundUpdatedEvent(from: SessionEvent, status: 'succeeded' | 'failed', failureReason = 'expired_or_canceled_card') {
  return {
    ...eventEnvelope(from, 'charge.refund.updated'),
    data: {
      object: {
        id: id('re_test'),
        object: 'refund',
        amount: from.data.object.amount_total,
        currency: from.data.object.currency,
        charge: `ch_test_${from.data.object.payment_intent?.slice(8) ?? 'none'}`,
        payment_intent: from.data.object.payment_intent,
        status,
        failure_reason: status === 'failed' ? failureReason : null,
      },
    },
  };
}

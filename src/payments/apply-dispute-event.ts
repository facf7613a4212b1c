import { insertFailedJob } from '../db/failed-jobs';
import { applyDisputesToOrder, orderOfPaymentIntent, recordDispute, resolveDisputeAlert } from '../db/payment-disputes';
import { lockPaymentIntent } from '../db/stripe-events';
import { ValidationError } from '../errors';
import { CLOSED_DISPUTE_STATUSES, disputeSchema, expandableId, type Dispute } from './event-schemas';
import { stopFulfilment } from './stop-fulfilment';
import type { WebhookEventContext } from './webhook-context';

/** The evidence deadline as a date, or null when Stripe gives none. */
function evidenceDueBy(dispute: Dispute): Date | null {
  const dueBy = dispute.evidence_details?.due_by;
  return dueBy ? new Date(dueBy * 1000) : null;
}

/**
 * The shared path of every `charge.dispute.*` event. Each one carries the
 * whole dispute as it stands, so any of them, in any arrival order, does:
 * 1. record the dispute (`payment_disputes`: closed stays closed, newer wins,
 *    funds withdrawn/reinstated stamped), under the payment intent's lock;
 * 2. the first time a dispute is seen, alert the operator with a
 *    `payment_dispute` dead letter: dispute id, reason, evidence due date;
 *    once it is closed, that alert is resolved;
 * 3. move the order through the SQL state machine: open → `disputed` (sharing
 *    and generation go on: the song may be the merchant's evidence), won or
 *    closed without a chargeback → `paid`, lost → `refunded` with
 *    `refunded`'s semantics (share links revoked, unfinished generation
 *    stopped). An order not yet paid gets there when its checkout event
 *    arrives (`SessionFacts.settlement`, src/db/session-facts.ts).
 * @param funds the money movement this event type reports, if any.
 * @returns the outcome recorded on the webhook event.
 * @throws ValidationError (400) when the event data is not a dispute.
 */
export async function applyDisputeEvent(ctx: WebhookEventContext, funds: 'withdrawn' | 'reinstated' | null): Promise<string> {
  const { tx, event } = ctx;
  const parsed = disputeSchema.safeParse(event.data.object);
  if (!parsed.success) throw new ValidationError('event data is not a dispute');
  const dispute = parsed.data;
  const paymentIntent = expandableId(dispute.payment_intent);
  const chargeId = expandableId(dispute.charge)!;
  const closed = (CLOSED_DISPUTE_STATUSES as readonly string[]).includes(dispute.status);
  const dueBy = evidenceDueBy(dispute);
  const log = ctx.log.child({ disputeId: dispute.id, paymentIntent, disputeStatus: dispute.status });

  if (paymentIntent) await lockPaymentIntent(tx, paymentIntent);
  const { firstSeen } = await recordDispute(tx, {
    id: dispute.id,
    chargeId,
    paymentIntent,
    status: dispute.status,
    closed,
    reason: dispute.reason,
    amount: dispute.amount,
    currency: dispute.currency.toLowerCase(),
    evidenceDueBy: dueBy,
    eventCreated: event.created,
    funds,
  });
  if (firstSeen) {
    const orderId = await orderOfPaymentIntent(tx, paymentIntent);
    await insertFailedJob(tx, {
      jobType: 'payment_dispute',
      orderId,
      variantNumber: null,
      eventData: {
        stripeEventId: event.id,
        eventType: event.type,
        disputeId: dispute.id,
        chargeId,
        paymentIntent,
        orderId,
        reason: dispute.reason,
        evidenceDueBy: dueBy?.toISOString() ?? null,
        amount: dispute.amount,
        currency: dispute.currency.toLowerCase(),
      },
      errorMessage:
        `payment disputed (${dispute.reason}, ${dispute.amount} ${dispute.currency.toLowerCase()}): ` +
        (dueBy ? `submit evidence in the Stripe Dashboard by ${dueBy.toISOString()}` : 'no evidence deadline given'),
      errorStack: null,
      retryCount: 0,
    });
    log.warn({ orderId, reason: dispute.reason, evidenceDueBy: dueBy }, 'payment disputed; operator alerted');
  }
  if (closed) await resolveDisputeAlert(tx, dispute.id);
  if (!paymentIntent) {
    log.warn('dispute names no payment intent; recorded, no order to update');
    return 'dispute_recorded';
  }

  const order = await applyDisputesToOrder(tx, paymentIntent);
  if (!order) {
    log.info('no paid order for this payment (yet); its checkout event will apply the dispute');
    return 'dispute_recorded';
  }
  const orderLog = log.child({ orderId: order.id });
  if (order.status === 'refunded' && order.previousStatus !== 'refunded') {
    const stopped = await stopFulfilment(ctx, order.id, 'dispute lost before this variant was generated');
    orderLog.warn({ previousStatus: order.previousStatus, variantsStopped: stopped }, 'dispute lost; order refunded, share links revoked');
    return 'dispute_lost';
  }
  orderLog.info({ previousStatus: order.previousStatus, status: order.status }, 'dispute applied to the order');
  return order.status === 'disputed' ? 'disputed' : `dispute_${dispute.status}`;
}

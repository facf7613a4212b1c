import { customizationsOfPaymentIntent, lockCustomizationPayment, markOrderRefunded } from '../db/orders';
import { lockPaymentIntent, REFUND_BEFORE_ORDER } from '../db/stripe-events';
import { ValidationError } from '../errors';
import { chargeSchema, expandableId } from './event-schemas';
import { deadLetterPaymentIntake } from './payment-intake-dead-letter';
import { stopFulfilment } from './stop-fulfilment';
import type { WebhookEventHandler } from './webhook-context';

/**
 * `charge.refunded`. A full refund marks the order `refunded`:
 * - its share links stop working at once (`get_shared_song` serves paid and
 *   disputed orders only);
 * - every unfinished run of the order (generate-song, its variant children
 *   and each manual retry-variant) is cancelled through the generation
 *   scheduler, whichever engine runs them, and every variant-state write re-checks the order
 *   (`stopFulfilment`).
 * A refund that arrives before the checkout events is remembered on the event
 * row; the checkout event then lands the order on `refunded` directly.
 * Partial refunds are recorded only: the customer keeps the song.
 * A refund of a payment whose order never became paid, for a customization
 * another order already holds, is held for review instead (with a
 * `payment_intake` dead letter): one customization has at most one paid,
 * disputed or refunded order.
 */
export const onChargeRefunded: WebhookEventHandler = async (ctx) => {
  const { tx, event, log } = ctx;
  const parsed = chargeSchema.safeParse(event.data.object);
  if (!parsed.success) throw new ValidationError('event data is not a charge');
  const charge = parsed.data;
  const paymentIntent = expandableId(charge.payment_intent);
  if (!charge.refunded) {
    log.info({ chargeId: charge.id, amountRefunded: charge.amount_refunded }, 'partial refund; order left as it is');
    return 'partial_refund';
  }
  if (!paymentIntent) {
    log.warn({ chargeId: charge.id }, 'refunded charge names no payment intent; nothing to update');
    return 'ignored_no_payment_intent';
  }
  await lockPaymentIntent(tx, paymentIntent);
  // same lock order as checkout session events: payment intent, then customization
  for (const customizationId of (await customizationsOfPaymentIntent(tx, paymentIntent)).sort()) {
    await lockCustomizationPayment(tx, customizationId);
  }
  const reviewReason = 'payment refunded before it was fulfilled, and its customization is already paid for by another order';
  const order = await markOrderRefunded(tx, { paymentIntentId: paymentIntent, reviewReason });
  if (!order) {
    log.info({ paymentIntent }, 'refund arrived before its checkout events; remembered for when they arrive');
    return REFUND_BEFORE_ORDER;
  }
  const orderLog = log.child({ orderId: order.id });
  if (order.status === 'needs_review' && order.previousStatus !== 'needs_review') {
    await deadLetterPaymentIntake(tx, event, order.id, reviewReason, { chargeId: charge.id });
    orderLog.warn({ previousStatus: order.previousStatus }, reviewReason);
    return 'needs_review';
  }
  if (order.status !== 'refunded') {
    orderLog.warn({ status: order.status }, 'refund for an order that cannot be refunded; left as it is');
    return `kept_${order.status}`;
  }
  const stopped = await stopFulfilment(ctx, order.id, 'order refunded before this variant was generated');
  orderLog.info({ previousStatus: order.previousStatus, variantsStopped: stopped }, 'order refunded; share links revoked');
  return 'refunded';
};

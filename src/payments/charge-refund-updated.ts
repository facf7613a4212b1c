import { insertFailedJob } from '../db/failed-jobs';
import { orderOfPaymentIntent } from '../db/payment-disputes';
import { ValidationError } from '../errors';
import { expandableId, refundSchema } from './event-schemas';
import type { WebhookEventHandler } from './webhook-context';

/**
 * `charge.refund.updated`. A refund whose status turns `failed` (the card was
 * closed, the bank refused it…) means the customer did not get the money back.
 * The order is NOT un-refunded: the song stays unshared, because whether to
 * refund again, or give the song back, is a person's decision. The operator
 * gets a `refund_failed` dead letter with the refund id and Stripe's
 * `failure_reason`. Other statuses are recorded only.
 * @throws ValidationError (400) when the event data is not a refund.
 */
export const onChargeRefundUpdated: WebhookEventHandler = async ({ tx, event, log }) => {
  const parsed = refundSchema.safeParse(event.data.object);
  if (!parsed.success) throw new ValidationError('event data is not a refund');
  const refund = parsed.data;
  if (refund.status !== 'failed') return `refund_${refund.status ?? 'unknown'}`;
  const paymentIntent = expandableId(refund.payment_intent);
  const orderId = await orderOfPaymentIntent(tx, paymentIntent);
  const failureReason = refund.failure_reason ?? 'unknown';
  await insertFailedJob(tx, {
    jobType: 'refund_failed',
    orderId,
    variantNumber: null,
    eventData: {
      stripeEventId: event.id,
      eventType: event.type,
      refundId: refund.id,
      chargeId: expandableId(refund.charge),
      paymentIntent,
      orderId,
      amount: refund.amount,
      failureReason,
    },
    errorMessage:
      `refund ${refund.id} of ${refund.amount} failed (${failureReason}): the customer was not paid back; ` +
      'the order stays refunded. Refund again or contact the customer.',
    errorStack: null,
    retryCount: 0,
  });
  log.error({ orderId, refundId: refund.id, paymentIntent, failureReason }, 'refund failed: money not returned; operator alerted');
  return 'refund_failed';
};

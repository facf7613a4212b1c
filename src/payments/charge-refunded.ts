import { markOrderRefunded } from '../db/orders';
import { failUnfinishedVariants } from '../db/song-variants';
import { lockPaymentIntent, REFUND_BEFORE_ORDER } from '../db/stripe-events';
import { ValidationError } from '../errors';
import { generateSongWorkflowId } from '../generation/workflow-names';
import { chargeSchema, expandableId } from './event-schemas';
import type { WebhookEventHandler } from './webhook-context';

/**
 * `charge.refunded`. A full refund marks the order `refunded`:
 * - its share links stop working at once (`get_shared_song` serves paid orders only);
 * - if generation has not finished, the workflow is cancelled after commit
 *   (DBOS cancel, with its variant children), and each variant step also
 *   re-checks the order, so a crash
 *   between commit and cancel still stops it.
 * A refund that arrives before the checkout events is remembered on the event
 * row; the checkout event then lands the order on `refunded` directly.
 * Partial refunds are recorded only: the customer keeps the song.
 */
export const onChargeRefunded: WebhookEventHandler = async ({ tx, event, dbos, log, afterCommit }) => {
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
  const order = await markOrderRefunded(tx, paymentIntent);
  if (!order) {
    log.info({ paymentIntent }, 'refund arrived before its checkout events; remembered for when they arrive');
    return REFUND_BEFORE_ORDER;
  }
  const orderLog = log.child({ orderId: order.id });
  if (order.status !== 'refunded') {
    orderLog.warn({ status: order.status }, 'refund for an order that cannot be refunded; left as it is');
    return `kept_${order.status}`;
  }
  const stopped = await failUnfinishedVariants(tx, order.id, 'order refunded before this variant was generated');
  const workflowId = generateSongWorkflowId(order.id);
  afterCommit(async () => {
    const status = await dbos.getWorkflow(workflowId);
    if (status && ['ENQUEUED', 'PENDING', 'DELAYED'].includes(status.status)) {
      await dbos.cancelWorkflow(workflowId, { cancelChildren: true });
      orderLog.info({ workflowId }, 'order refunded; unfinished generation cancelled');
    }
  });
  orderLog.info({ previousStatus: order.previousStatus, variantsStopped: stopped }, 'order refunded; share links revoked');
  return 'refunded';
};

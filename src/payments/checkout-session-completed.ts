import { ValidationError } from '../errors';
import { enqueueGenerateSong } from '../generation/enqueue';
import { upsertPaidOrder } from '../db/orders';
import { checkoutSessionSchema } from './event-schemas';
import { checkSessionTrust } from './session-trust';
import type { WebhookEventHandler } from './webhook-context';

/**
 * `checkout.session.completed`. With `payment_status = 'paid'`: upsert the order
 * by session id and enqueue its generate-song workflow, in the intake
 * transaction. Any other payment status waits for
 * `checkout.session.async_payment_succeeded` (Stripe docs: delayed payment
 * methods complete the session before the money arrives).
 */
export const onCheckoutSessionCompleted: WebhookEventHandler = async ({ tx, event, dbos, price, log }) => {
  const parsed = checkoutSessionSchema.safeParse(event.data.object);
  if (!parsed.success) throw new ValidationError('event data is not a checkout session');
  const session = parsed.data;
  const sessionLog = log.child({ stripeSessionId: session.id });
  if (session.payment_status !== 'paid') {
    sessionLog.info({ paymentStatus: session.payment_status }, 'checkout completed without payment yet; not fulfilling');
    return;
  }
  const trust = await checkSessionTrust(tx, session, price);
  if (!trust.ok) {
    sessionLog.warn({ reason: trust.reason }, 'checkout session failed the trust checks; nothing will be generated');
    return;
  }
  const paymentIntent = typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id;
  const order = await upsertPaidOrder(tx, {
    userId: trust.userId,
    customizationId: trust.customization.id,
    stripeSessionId: session.id,
    stripeEventId: event.id,
    stripePaymentIntentId: paymentIntent ?? null,
    amount: session.amount_total!,
    currency: session.currency!.toLowerCase(),
    occasionDate: trust.customization.occasionDate,
  });
  if (order.status !== 'paid') {
    sessionLog.info({ orderId: order.id, status: order.status }, 'order is past payment; not enqueuing');
    return;
  }
  const workflowId = await enqueueGenerateSong(tx, dbos, order.id);
  sessionLog.info({ orderId: order.id, workflowId }, 'order paid; generation enqueued');
};

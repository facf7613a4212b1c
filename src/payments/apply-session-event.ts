import { isFulfillable, markSessionNeedsReview, transitionSessionOrder, type OrderStatus } from '../db/orders';
import { lockSessionPayment } from '../db/session-facts';
import { ValidationError } from '../errors';
import { isUuid } from '../validation/uuid';
import { checkoutSessionSchema, expandableId, type CheckoutSession } from './event-schemas';
import { deadLetterPaymentIntake } from './payment-intake-dead-letter';
import { sessionAmounts } from './session-amounts';
import { checkSessionTrust } from './session-trust';
import type { WebhookEventContext } from './webhook-context';

/** Where a checkout session event wants its order to go, or why it must not be fulfilled. */
export type SessionDecision = { target: Exclude<OrderStatus, 'needs_review' | 'pending_payment'> } | { reject: string };

/**
 * The shared path of every `checkout.session.*` event:
 * 1. parse the session (400 if it is not one);
 * 2. take the payment intent's lock, then the customization's, in one
 *    statement (`lockSessionPayment`): two sessions for one customization carry
 *    different payment intents, and only the second lock orders them, so the
 *    later one's trust check sees the first one's paid order;
 * 3. trust checks (owner, customization, amounts, not already paid), read in
 *    one statement with the payment's refunds and disputes; a failure, or a `reject`
 *    decision, records the order as `needs_review` with the reason plus a
 *    `failed_jobs` row (job type `payment_intake`), and answers 200 so Stripe
 *    stops retrying a permanent problem;
 * 4. move the session's order towards the decided status through the SQL state
 *    machine (a late or duplicate event never moves it backwards), storing
 *    its discount and promotion code, except that a payment already refunded
 *    or lost in a dispute (delivered first) lands on `refunded`, and one with
 *    an open dispute on `disputed`;
 * 5. if the order is now `paid` or `disputed`, start its generate-song run in
 *    this transaction through the scheduler (DBOS enqueue, or an Inngest outbox
 *    row sent after commit; idempotent: the run id is `order:<id>`).
 * @returns the outcome recorded on the webhook event.
 */
export async function applySessionEvent(ctx: WebhookEventContext, decide: (session: CheckoutSession) => SessionDecision): Promise<string> {
  const { tx, event, price } = ctx;
  const parsed = checkoutSessionSchema.safeParse(event.data.object);
  if (!parsed.success) throw new ValidationError('event data is not a checkout session');
  const session = parsed.data;
  const log = ctx.log.child({ stripeSessionId: session.id });
  const paymentIntent = expandableId(session.payment_intent);

  const claimedCustomization = session.metadata?.customization_id;
  await lockSessionPayment(tx, { paymentIntent, customizationId: isUuid(claimedCustomization) ? claimedCustomization : null });
  const decision = decide(session);
  const trust = await checkSessionTrust(tx, { session, price, paymentIntent });
  if ('reject' in decision || !trust.ok) {
    const reason = 'reject' in decision ? decision.reject : trust.ok ? 'untrusted session' : trust.reason;
    const order = await markSessionNeedsReview(tx, {
      stripeSessionId: session.id,
      stripeEventId: event.id,
      stripePaymentIntentId: paymentIntent,
      claimedUserId: session.metadata?.user_id,
      claimedCustomizationId: claimedCustomization,
      amount: session.amount_total ?? 0,
      currency: (session.currency ?? 'xxx').toLowerCase(),
      livemode: event.livemode,
      reason,
    });
    await deadLetterPaymentIntake(tx, event, order.id, reason, { stripeSessionId: session.id });
    log.warn({ orderId: order.id, reason, status: order.status }, 'checkout session failed the trust checks; held for review, nothing will be generated');
    return 'needs_review';
  }

  let target = decision.target;
  const settled = target === 'paid' ? trust.settlement : null;
  if (settled) {
    log.info({ paymentIntent, settled }, 'payment was refunded or disputed before its checkout event arrived');
    target = settled;
  }
  const amounts = sessionAmounts(session);
  const order = await transitionSessionOrder(tx, {
    target,
    userId: trust.userId,
    customizationId: trust.customization.id,
    stripeSessionId: session.id,
    stripeEventId: event.id,
    stripePaymentIntentId: paymentIntent,
    amount: amounts.subtotal,
    amountDiscount: amounts.discount,
    amountTotal: amounts.total,
    promotionCodeId: amounts.promotionCodeId,
    currency: amounts.currency!,
    occasionDate: trust.customization.occasionDate,
    livemode: event.livemode,
  });
  const orderLog = log.child({ orderId: order.id });
  if (isFulfillable(order.status)) {
    // a disputed payment is generated too: the song may be the merchant's evidence
    const workflowId = await ctx.scheduler.startOrder(tx, order.id, ctx.afterCommit);
    orderLog.info({ workflowId, status: order.status, amountDiscount: amounts.discount }, 'order paid; generation enqueued');
    return order.status === 'paid' ? 'fulfilled' : `fulfilled_${order.status}`;
  }
  if (order.status !== target) {
    orderLog.info({ status: order.status, target }, 'order already past this event; left as it is');
    return `kept_${order.status}`;
  }
  orderLog.info({ status: order.status }, 'order updated');
  return order.status;
}

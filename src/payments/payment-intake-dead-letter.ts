import { insertFailedJob } from '../db/failed-jobs';
import type { Queryable } from '../db/pool';
import type { StripeEventEnvelope } from './event-schemas';

/**
 * Records a payment event whose order was held for review (`needs_review`) as
 * a `payment_intake` dead letter, in the intake transaction, so an operator
 * finds it next to the failed generations and refunds or resolves it.
 * @param objectIds the Stripe object ids the event was about, e.g.
 *   `{ stripeSessionId: 'cs_…' }` or `{ chargeId: 'ch_…' }`: ids only, never
 *   secrets or customer text (docs/architecture.md "Dead letters").
 */
export async function deadLetterPaymentIntake(
  tx: Queryable,
  event: StripeEventEnvelope,
  orderId: string,
  reason: string,
  objectIds: Record<string, string>,
): Promise<void> {
  await insertFailedJob(tx, {
    jobType: 'payment_intake',
    orderId,
    variantNumber: null,
    eventData: { stripeEventId: event.id, eventType: event.type, ...objectIds, orderId },
    errorMessage: reason,
    errorStack: null,
    retryCount: 0,
  });
}

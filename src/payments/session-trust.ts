import type { Customization } from '../db/customizations';
import type { Queryable } from '../db/pool';
import { readSessionFacts, type SessionFacts } from '../db/session-facts';
import { isUuid } from '../validation/uuid';
import type { CheckoutSession } from './event-schemas';
import type { Price } from './price';
import { amountMismatch } from './session-amounts';

/** A trusted session carries its payment's settlement (`SessionFacts.settlement`), read with the trust facts. */
export type SessionTrust = { ok: true; userId: string; customization: Customization; settlement: SessionFacts['settlement'] } | { ok: false; reason: string };

/**
 * Checks that a checkout session may be fulfilled. Metadata is set by our own
 * checkout route, but a session can be created by anyone holding the key, so it
 * is never trusted on its own (docs/architecture.md "Rules drawn from real failures"):
 * - `metadata.user_id` and `metadata.customization_id` are UUIDs, and
 *   `client_reference_id`, when present, names the same customization, and
 *   so does the order we created for the session, if any;
 * - the customization exists and belongs to that user;
 * - the amounts fit the price the order was created at (or the configured
 *   price, for a session we did not create): subtotal equals the price, and
 *   subtotal − discount + tax + shipping = total (`amountMismatch`);
 * - no other session already paid for the same customization (it would be
 *   generated twice: held for review and a refund instead). This read is only
 *   race-free under `lockSessionPayment`, which the caller must hold.
 */
export async function checkSessionTrust(
  db: Queryable,
  { session, price, paymentIntent }: { session: CheckoutSession; price: Price; paymentIntent: string | null },
): Promise<SessionTrust> {
  const userId = session.metadata?.user_id;
  const customizationId = session.metadata?.customization_id;
  if (!isUuid(userId) || !isUuid(customizationId)) {
    return { ok: false, reason: 'metadata.user_id or metadata.customization_id missing or not a UUID' };
  }
  if (session.client_reference_id && session.client_reference_id !== customizationId) {
    return { ok: false, reason: 'client_reference_id does not match metadata.customization_id' };
  }
  // One round trip for every fact (this is the webhook's hot path). `createdWith`:
  // a price change must not strand a customer whose delayed payment started before it.
  const facts = await readSessionFacts(db, { sessionId: session.id, customizationId, paymentIntent });
  // Our order's customization is the one the one-paid-order rule is checked
  // (and locked) for: metadata naming another would slip past both.
  if (facts.createdWith?.customizationId && facts.createdWith.customizationId !== customizationId) {
    return { ok: false, reason: 'metadata.customization_id does not match the order created for this session' };
  }
  const mismatch = amountMismatch(session, facts.createdWith ?? price);
  if (mismatch) return { ok: false, reason: mismatch };
  const customization = facts.customization;
  if (!customization) return { ok: false, reason: 'customization does not exist' };
  if (customization.userId !== userId) return { ok: false, reason: 'customization belongs to another user' };
  if (facts.paidBy) return { ok: false, reason: `customization already paid for by order ${facts.paidBy}; refund this session` };
  return { ok: true, userId, customization, settlement: facts.settlement };
}

import { type Customization, getCustomization } from '../db/customizations';
import { PAID_OR_LATER } from '../db/orders';
import type { Queryable } from '../db/pool';
import { isUuid } from '../validation/uuid';
import type { CheckoutSession } from './event-schemas';
import type { Price } from './price';
import { amountMismatch } from './session-amounts';

export type SessionTrust = { ok: true; userId: string; customization: Customization } | { ok: false; reason: string };

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
 *   race-free under `lockCustomizationPayment`, which the caller must hold.
 */
export async function checkSessionTrust(db: Queryable, session: CheckoutSession, price: Price): Promise<SessionTrust> {
  const userId = session.metadata?.user_id;
  const customizationId = session.metadata?.customization_id;
  if (!isUuid(userId) || !isUuid(customizationId)) {
    return { ok: false, reason: 'metadata.user_id or metadata.customization_id missing or not a UUID' };
  }
  if (session.client_reference_id && session.client_reference_id !== customizationId) {
    return { ok: false, reason: 'client_reference_id does not match metadata.customization_id' };
  }
  // One round trip for both order facts (this is the webhook's hot path):
  // - the price and customization this session's order was created with, if we
  //   created it (a price change must not strand a customer whose delayed
  //   payment started before it);
  // - another order that already holds the customization (paid or later).
  const { rows } = await db.query<{
    createdAt: { amount: number; currency: string; customizationId: string | null } | null;
    paidBy: string | null;
  }>(
    `select
       (select json_build_object('amount', amount, 'currency', currency, 'customizationId', customization_id) from public.orders
        where stripe_session_id = $1 and status <> 'needs_review') as "createdAt",
       (select id from public.orders
        where customization_id = $2 and stripe_session_id <> $1 and status = any($3::public.order_status[]) limit 1) as "paidBy"`,
    [session.id, customizationId, PAID_OR_LATER],
  );
  const createdAt = rows[0]?.createdAt;
  // Our order's customization is the one the one-paid-order rule is checked
  // (and locked) for: metadata naming another would slip past both.
  if (createdAt?.customizationId && createdAt.customizationId !== customizationId) {
    return { ok: false, reason: 'metadata.customization_id does not match the order created for this session' };
  }
  const mismatch = amountMismatch(session, createdAt ?? price);
  if (mismatch) return { ok: false, reason: mismatch };
  const customization = await getCustomization(db, customizationId);
  if (!customization) return { ok: false, reason: 'customization does not exist' };
  if (customization.userId !== userId) return { ok: false, reason: 'customization belongs to another user' };
  const paidBy = rows[0]?.paidBy;
  if (paidBy) return { ok: false, reason: `customization already paid for by order ${paidBy}; refund this session` };
  return { ok: true, userId, customization };
}
